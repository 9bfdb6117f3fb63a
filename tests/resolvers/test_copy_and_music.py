"""createJob's brief and music: productDescription, keyBenefits, music and musicTrack.

A track is decoded by the real ffmpeg before anything is stored, and its beats found; every
refusal names the field and leaves no row, no file and no queued job behind.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Job
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import CREATE_JOB, create_job, gql, job_input
from tests.resolvers.test_create_job import assert_nothing_kept, stored_files

BRIEF = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) {
    job { id productDescription keyBenefits music musicTrack }
    errors { field code message }
  }
}
"""


def audio_file(tmp_path: Path, extension: str, seconds: float = 2.0) -> bytes:
    """A real encoded tone, by ffmpeg."""
    out = tmp_path / f"tone.{extension}"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error",
            "-f", "lavfi", "-i", f"sine=f=220:d={seconds}:sample_rate=22050",
            "-y", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


async def upload_track(
    client: httpx.AsyncClient,
    data: bytes,
    *,
    query: str = BRIEF,
    filename: str = "track.mp3",
    **overrides: Any,
) -> dict[str, Any]:
    variables = {"input": {**job_input(**overrides), "musicTrack": None}}
    operations = {"query": query, "variables": variables}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.musicTrack"]}),
        },
        files={"0": (filename, data, "application/octet-stream")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["createJob"]
    return payload


async def test_the_brief_is_cleaned_stored_and_returned(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        BRIEF,
        {
            "input": job_input(
                productDescription="  Cold brew,\tsteeped   18 hours. ",
                keyBenefits=[" Ready to pour ", "Keeps two weeks"],
            )
        },
    )
    job = body["data"]["createJob"]["job"]
    assert job["productDescription"] == "Cold brew, steeped 18 hours."
    assert job["keyBenefits"] == ["Ready to pour", "Keeps two weeks"]
    assert job["music"] == "AUTO"  # every ad gets music unless it asks for none
    assert job["musicTrack"] is None  # named once compositing has chosen it


async def test_blank_description_and_no_benefits_are_allowed(client: httpx.AsyncClient) -> None:
    body = await gql(client, BRIEF, {"input": job_input(productDescription="   ")})
    job = body["data"]["createJob"]["job"]
    assert job["productDescription"] is None
    assert job["keyBenefits"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"productDescription": "d" * 501}, ["input", "productDescription"], "TOO_LONG"),
        ({"keyBenefits": ["a", "b", "c", "d"]}, ["input", "keyBenefits"], "TOO_LONG"),
        ({"keyBenefits": ["fine", "b" * 81]}, ["input", "keyBenefits", "1"], "TOO_LONG"),
        ({"keyBenefits": ["  "]}, ["input", "keyBenefits", "0"], "REQUIRED"),
        ({"keyBenefits": ["a\u202eb"]}, ["input", "keyBenefits", "0"], "INVALID_TEXT"),
    ],
)
async def test_bad_brief_names_the_field_and_keeps_nothing(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    settings: Settings,
    overrides: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    body = await gql(client, CREATE_JOB, {"input": job_input(**overrides)})
    payload = body["data"]["createJob"]
    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    await assert_nothing_kept(engine, redis, settings)


@pytest.mark.parametrize("extension", ["wav", "mp3", "ogg", "flac", "m4a"])
async def test_own_track_in_each_format_is_stored(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, extension: str
) -> None:
    track = audio_file(tmp_path, extension)
    payload = await upload_track(client, track, filename="x.bin")
    assert payload["errors"] == []
    assert payload["job"]["music"] == "AUTO"
    # Stored under a server-chosen name with the extension of what ffmpeg found.
    [stored] = stored_files(settings)
    assert stored.suffix == f".{extension}"
    assert stored.read_bytes() == track


def click_track(tmp_path: Path, bpm: float, seconds: float) -> bytes:
    """A click on every beat (and silence between), by ffmpeg."""
    out = tmp_path / "clicks.wav"
    click = f"if(lt(mod(t,{60 / bpm}),0.03),sin(2*PI*1500*t),0)"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error",
            "-f", "lavfi", "-i", f"aevalsrc='{click}':s=22050:d={seconds}",
            "-y", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


async def test_own_track_has_its_beats_found(
    client: httpx.AsyncClient, engine: AsyncEngine, tmp_path: Path
) -> None:
    payload = await upload_track(client, click_track(tmp_path, bpm=120, seconds=8), filename="x")
    assert payload["errors"] == []

    async with engine.connect() as connection:
        query = select(Job.music_track_beats).where(Job.id == uuid.UUID(payload["job"]["id"]))
        beats = (await connection.execute(query)).scalar_one()
    assert beats is not None and len(beats) >= 12  # 16 clicks; a weak first or last may go
    assert all(0 <= beat <= 8 for beat in beats) and beats == sorted(beats)
    gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
    assert statistics.median(gaps) == pytest.approx(0.5, abs=0.01)  # 120 BPM


async def test_jobs_without_a_track_of_their_own_have_no_beats(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    job = await create_job(client)
    async with engine.connect() as connection:
        query = select(Job.music_track_beats).where(Job.id == uuid.UUID(job["id"]))
        assert (await connection.execute(query)).scalar_one() is None


def _bad_tracks(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    flac = audio_file(tmp_path, "flac", seconds=4)
    return {
        "an image": (Path("devserver/assets/coffee.png").read_bytes(), "INVALID_AUDIO"),
        "text": (b"this is not music at all\n" * 40, "INVALID_AUDIO"),
        "cut short": (flac[: len(flac) // 2], "INVALID_AUDIO"),
        "under a second": (audio_file(tmp_path, "wav", seconds=0.4), "INVALID_AUDIO"),
        "a video without sound": (_silent_video(tmp_path), "INVALID_AUDIO"),
        "empty": (b"", "REQUIRED"),
    }


def _silent_video(tmp_path: Path) -> bytes:
    out = tmp_path / "video.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error",
            "-f", "lavfi", "-i", "color=c=red:s=64x64:d=2", "-c:v", "libx264", "-y", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


@pytest.mark.parametrize(
    "case", ["an image", "text", "cut short", "under a second", "a video without sound", "empty"]
)
async def test_bad_track_is_refused_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    settings: Settings,
    tmp_path: Path,
    case: str,
) -> None:
    data, code = _bad_tracks(tmp_path)[case]
    payload = await upload_track(client, data)
    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "musicTrack"], code)]
    assert "music track" in payload["errors"][0]["message"]
    await assert_nothing_kept(engine, redis, settings)


async def test_a_bad_track_with_a_good_image_stores_neither(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    settings: Settings,
) -> None:
    variables = {"input": {**job_input(), "productImage": None, "musicTrack": None}}
    operations = {"query": BRIEF, "variables": variables}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps(
                {"0": ["variables.input.productImage"], "1": ["variables.input.musicTrack"]}
            ),
        },
        files={
            "0": ("p.png", Path("devserver/assets/coffee.png").read_bytes(), "image/png"),
            "1": ("t.mp3", b"ID3 not really", "audio/mpeg"),
        },
        headers={"Apollo-Require-Preflight": "true"},
    )
    errors = response.json()["data"]["createJob"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "musicTrack"], "INVALID_AUDIO")]
    await assert_nothing_kept(engine, redis, settings)


async def test_track_and_no_music_contradict_each_other(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    settings: Settings,
    tmp_path: Path,
) -> None:
    payload = await upload_track(client, audio_file(tmp_path, "wav"), music="NONE")
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "musicTrack"], "CONFLICT")
    ]
    await assert_nothing_kept(engine, redis, settings)


async def test_limits_come_from_settings(
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    redis: aioredis.Redis,
    tmp_path: Path,
) -> None:
    settings = make_settings(
        database_url, redis_url, tmp_path, max_music_bytes=20_000, max_music_seconds=3
    )
    async with serve_app(settings) as (client, _app):
        too_big = await upload_track(client, audio_file(tmp_path, "wav", seconds=1))
        too_long = await upload_track(client, audio_file(tmp_path, "ogg", seconds=5))
    assert [(e["field"], e["code"]) for e in too_big["errors"]] == [
        (["input", "musicTrack"], "TOO_LARGE")
    ]
    assert "20000 bytes" in too_big["errors"][0]["message"]
    assert [(e["field"], e["code"]) for e in too_long["errors"]] == [
        (["input", "musicTrack"], "TOO_LARGE")
    ]
    assert "long" in too_long["errors"][0]["message"]
    await assert_nothing_kept(engine, redis, settings)


async def test_music_none_is_recorded(client: httpx.AsyncClient) -> None:
    job = await create_job(client, music="NONE")
    body = await gql(client, "query($id: ID!) { job(id: $id) { music } }", {"id": job["id"]})
    assert body["data"]["job"]["music"] == "NONE"
