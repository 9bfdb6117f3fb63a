"""`python -m cli` as a user runs it, against a real API, worker and Redis."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from cli.render import absolute
from devserver.sample import sample_product_png
from devserver.stack import Stack
from domain.enums import Style
from domain.templates import get_template
from pipeline.shared.ffmpeg import ffmpeg_exe
from tests.cli.conftest import run_cli
from tests.cli.shop import aurora_shop
from tests.cli.stack import AD_SECONDS
from tests.probe import probe
from tests.resolvers.test_create_job_from_page import NAME as PAGE_PRODUCT
from tests.resolvers.test_product_photos import photo

pytestmark = pytest.mark.slow


@pytest.mark.slow(seconds=11)
def test_create_watch_shows_stage_bars_and_downloads_the_mp4(stack: Stack, tmp_path: Path) -> None:
    photo = tmp_path / "bottle.png"
    photo.write_bytes(sample_product_png())
    result = run_cli(
        stack,
        "create", "--name", "Aurora Cold Brew", "--style", "minimal", "--cta", "Order today",
        "--aspect", "square", "--image", str(photo), "--watch", "--output", "ad.mp4",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    for label in ("script", "voice", "video", "compositing", "overall"):
        assert re.search(rf"{label}\s.*100%", result.out), (label, result.out)
    job_id = re.search(r"job ([0-9a-f-]{36}) created", result.out)
    assert job_id, result.out
    assert f"MP4:  {tmp_path / 'ad.mp4'}" in result.out
    assert f"URL:  {stack.url}/media/jobs/{job_id[1]}/ad.mp4?expires=" in result.out

    video = probe(tmp_path / "ad.mp4")
    assert abs(video.duration - float(AD_SECONDS)) < 0.2
    assert (video.width, video.height) == (360, 360)  # the stack renders drafts
    assert (video.video_codec, video.audio_codec) == ("h264", "aac")
    assert video.audio_rms > 0.001  # the voiceover is there

    status = run_cli(stack, "status", job_id[1])
    assert status.code == 0, status.err
    assert "completed" in status.out and "Aurora Cold Brew" in status.out
    for stage in ("script_gen", "voice_gen", "video_gen", "compositing"):
        assert re.search(rf"{stage}\s.*completed\s.*100%", status.out), status.out
    # The stack's 360p draft is too small for the feed: the preflight says so, with the fix.
    assert "preflight 1 failed for feed_square" in status.out, status.out
    assert "feed_square frame_size: 360x360 is smaller than" in status.out

    listing = run_cli(stack, "list")
    assert listing.code == 0 and job_id[1] in listing.out and "Aurora Cold Brew" in listing.out
    mine = json.loads(run_cli(stack, "list", "--style", "minimal", "--json").out)
    assert [job["id"] for job in mine] == [job_id[1]]
    assert json.loads(run_cli(stack, "list", "--status", "failed", "--json").out) == []
    assert json.loads(run_cli(stack, "list", "--style", "bold", "--json").out) == []


@pytest.mark.slow(seconds=10)
def test_cancel_then_retry_then_watch(stack: Stack, tmp_path: Path) -> None:
    # No worker for a moment, so the job is certainly still PENDING when it is cancelled.
    worker = stack.workers.pop()
    Stack.stop_process(worker)
    try:
        created = run_cli(stack, "create", "--name", "Slow Tea", "--cta", "Sip", "--json")
        assert created.code == 0, created.err
        job_id = json.loads(created.out)["id"]
        assert json.loads(run_cli(stack, "status", job_id, "--json").out)["status"] == "PENDING"

        cancelled = run_cli(stack, "cancel", job_id)
        assert cancelled.code == 0 and f"job {job_id} is now cancelled" in cancelled.out
        again = run_cli(stack, "cancel", job_id)
        assert again.code == 1
        assert "cannot cancel a CANCELLED job" in again.err

        retried = run_cli(stack, "retry", job_id)
        assert retried.code == 0 and f"job {job_id} is now pending" in retried.out
    finally:
        stack.start_worker()

    watched = run_cli(stack, "watch", job_id, "-o", str(tmp_path), cwd=tmp_path)
    assert watched.code == 0, watched.err + stack.log_tail()
    assert "compositing" in watched.out and f"job {job_id} completed" in watched.out
    assert probe(tmp_path / f"adreel-{job_id[:8]}.mp4").duration > 2.5
    retry_done = run_cli(stack, "retry", job_id)
    assert retry_done.code == 1 and "cannot retry a COMPLETED job" in retry_done.err


def test_styles_lists_each_style_with_its_description(stack: Stack) -> None:
    result = run_cli(stack, "styles")
    assert result.code == 0, result.err
    for style in ("luxury", "energetic", "minimal", "bold"):
        assert style in result.out
    # Piped, not a terminal: every row whole on one line, not cut or wrapped at 80 columns.
    luxury = get_template(Style.LUXURY)
    assert any(
        "luxury" in line and luxury.description in line for line in result.out.splitlines()
    ), result.out
    styles = json.loads(run_cli(stack, "styles", "--json").out)
    assert [s["style"] for s in styles] == ["LUXURY", "ENERGETIC", "MINIMAL", "BOLD"]


def test_bad_input_prints_the_field_errors_and_exits_2(stack: Stack, tmp_path: Path) -> None:
    result = run_cli(stack, "create", "--name", "", "--cta", "x" * 61)
    assert result.code == 2
    assert "productName: productName must not be empty (REQUIRED)" in result.err
    assert "ctaText: ctaText is 61 characters; at most 60 (TOO_LONG)" in result.err

    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    result = run_cli(
        stack, "create", "--name", "Pen", "--cta", "Write", "--image", str(not_an_image)
    )
    assert result.code == 2 and "productImage:" in result.err and "INVALID_IMAGE" in result.err

    missing = run_cli(stack, "create", "--name", "Pen", "--cta", "Write", "--image", "nope.png")
    assert missing.code == 2 and "no such file: nope.png" in missing.err

    # Among several photos, the bad one is named by its place and its file.
    good = tmp_path / "good.png"
    good.write_bytes(sample_product_png())
    result = run_cli(
        stack, "create", "--name", "Pen", "--cta", "Write",
        "--image", str(good), "--image", str(not_an_image),
    )  # fmt: skip
    assert result.code == 2
    assert (
        "productImages[1] (notes.png): file is not a readable PNG, JPEG or WebP image "
        "(INVALID_IMAGE)" in result.err
    ), result.err
    assert "productImages[0]" not in result.err

    bad_style = run_cli(stack, "create", "--name", "Pen", "--cta", "Write", "--style", "loud")
    assert bad_style.code == 2 and "invalid choice: 'loud'" in bad_style.err


def test_create_with_a_brief_and_own_music_shows_them_in_status(
    stack: Stack, tmp_path: Path
) -> None:
    track = tmp_path / "song.wav"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=330:d=3", "-y", str(track)],
        check=True,
    )
    created = run_cli(
        stack,
        "create", "--name", "Tide Mug", "--cta", "Shop now", "--json",
        "--description", "A stoneware mug, glazed by hand.",
        "--benefit", "Holds heat", "--benefit", "Dishwasher safe",
        "--music-track", str(track),
    )  # fmt: skip
    assert created.code == 0, created.err
    job_id = json.loads(created.out)["id"]
    status = json.loads(run_cli(stack, "status", job_id, "--json").out)
    assert status["productDescription"] == "A stoneware mug, glazed by hand."
    assert status["keyBenefits"] == ["Holds heat", "Dishwasher safe"]
    assert status["music"] == "AUTO"
    shown = run_cli(stack, "status", job_id)
    assert "about    A stoneware mug, glazed by hand." in shown.out
    assert "benefit  Dishwasher safe" in shown.out

    silent = run_cli(
        stack, "create", "--name", "Pen", "--cta", "Write", "--music", "none", "--json"
    )
    assert (
        json.loads(run_cli(stack, "status", json.loads(silent.out)["id"], "--json").out)["music"]
        == "NONE"
    )

    not_music = tmp_path / "notes.mp3"
    not_music.write_text("not a song")
    refused = run_cli(
        stack, "create", "--name", "Pen", "--cta", "Write", "--music-track", str(not_music)
    )
    assert refused.code == 2
    assert "musicTrack:" in refused.err and "(INVALID_AUDIO)" in refused.err


def test_unknown_jobs_and_refused_keys_exit_1_with_a_reason(stack: Stack) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    for command in ("status", "watch", "cancel"):
        result = run_cli(stack, command, unknown)
        assert result.code == 1, (command, result)
        assert f"no job {unknown}" in result.err, (command, result.err)
    assert run_cli(stack, "status", "not-a-job").code == 2

    refused = run_cli(stack, "list", ADREEL_API_KEY="wrong")
    assert refused.code == 1 and "refused the API key" in refused.err
    flag_wins = run_cli(stack, "--api-key", "also-wrong", "styles")
    assert flag_wins.code == 1 and "refused the API key" in flag_wins.err


def test_server_down_is_a_readable_error() -> None:
    result = run_cli(None, "list", "--url", "http://127.0.0.1:9")
    assert result.code == 1
    assert "cannot reach http://127.0.0.1:9/graphql" in result.err
    assert "Traceback" not in result.err


def test_create_checks_its_arguments_before_sending_anything(tmp_path: Path) -> None:
    # No server at all: these are refused by the CLI itself.
    nameless = run_cli(None, "create", "--cta", "Write")
    assert nameless.code == 2
    assert "usage: python -m cli create" in nameless.err
    assert "--name is required (or --product-url, to take the name from the page)" in nameless.err

    nine = [arg for i in range(9) for arg in ("--image", str(tmp_path / f"{i}.png"))]
    too_many = run_cli(None, "create", "--name", "Pen", "--cta", "Write", *nine)
    assert too_many.code == 2 and "--image: at most 8 photos (got 9)" in too_many.err


def _served(stack: Stack, urls: list[str]) -> list[bytes]:
    return [httpx.get(absolute(stack.url, url) or "").raise_for_status().content for url in urls]


@pytest.mark.slow(seconds=3)
def test_create_with_three_photos_keeps_them_in_order(stack: Stack, tmp_path: Path) -> None:
    photos = {
        "front.jpg": photo(360, 640, "JPEG"),
        "side.png": photo(640, 360, "PNG"),
        "top.webp": photo(320, 320, "WEBP"),
    }
    images: list[str] = []
    for name, data in photos.items():
        (tmp_path / name).write_bytes(data)
        images += ["--image", str(tmp_path / name)]
    created = run_cli(stack, "create", "--name", "Trio Mug", "--cta", "Shop now", "--json", *images)
    assert created.code == 0, created.err
    job_id = json.loads(created.out)["id"]

    status = json.loads(run_cli(stack, "status", job_id, "--json").out)
    assert _served(stack, status["productImageUrls"]) == list(photos.values())
    shown = run_cli(stack, "status", job_id)
    assert "photos   3" in shown.out, shown.out
    assert "price" not in shown.out and "page " not in shown.out  # no product page was given

    # What is checked is what was stored: no need to render it, so free the worker (unless its
    # draft is already done: a 3 s draft can finish while the status is read).
    cancelled = run_cli(stack, "cancel", job_id)
    assert cancelled.code == 0 or "cannot cancel a COMPLETED job" in cancelled.err, cancelled


@pytest.mark.slow(seconds=4)
async def test_create_from_a_product_page_needs_no_name(stack: Stack) -> None:
    async with aurora_shop() as page:
        created = await asyncio.to_thread(
            run_cli, stack, "create", "--product-url", page, "--cta", "Listen now", "--json"
        )
    assert created.code == 0, created.err
    job_id = json.loads(created.out)["id"]

    status = json.loads((await asyncio.to_thread(run_cli, stack, "status", job_id, "--json")).out)
    assert (status["productName"], status["productUrl"]) == (PAGE_PRODUCT, page)
    assert len(status["productImageUrls"]) == 3  # the page's photos
    shown = await asyncio.to_thread(run_cli, stack, "status", job_id)
    assert PAGE_PRODUCT in shown.out
    for line in ("price    $24.00", f"page     {page}", "photos   3"):
        assert line in shown.out, (line, shown.out)

    assert (await asyncio.to_thread(run_cli, stack, "cancel", job_id)).code == 0
