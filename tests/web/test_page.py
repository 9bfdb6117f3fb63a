"""The page at `/` in headless Chromium against a real API, worker and Redis (API keys on)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from devserver.sample import sample_product_png
from devserver.stack import Stack
from tests.cli.shop import aurora_shop
from tests.resolvers.test_create_job_from_page import NAME as PAGE_PRODUCT
from tests.resolvers.test_create_job_from_page import PAGE
from tests.resolvers.test_product_photos import photo
from tests.web.conftest import API_KEY, BrowserLog, until

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow

STAGES = ("SCRIPT_GEN", "VOICE_GEN", "VIDEO_GEN", "COMPOSITING")
BARS = "[...document.querySelectorAll('.bar progress')]"


async def bar_values(page: Page) -> dict[str, float]:
    values: dict[str, float] = await page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.bar')]"
        ".map(b => [b.dataset.stage, b.querySelector('progress').value]))"
    )
    return values


async def api(stack: Stack, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Ask the API directly, with the page's key (so as the same owner)."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=30) as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


async def created_job(page: Page, stack: Stack, name: str) -> dict[str, Any]:
    """The job the page just made, as the API tells it (once the page shows it)."""
    await until(page, f"document.getElementById('job-title').textContent === {json.dumps(name)}")
    row = page.locator("#jobs tbody tr", has_text=name)
    await until(
        page,
        "[...document.querySelectorAll('#jobs tbody tr')]"
        f".some(row => row.textContent.includes({json.dumps(name)}))",
    )
    job_id = await row.get_attribute("data-job-id")
    assert job_id
    data = await api(
        stack,
        "query Job($id: ID!) { job(id: $id) {"
        " id productName productDescription keyBenefits music"
        " productImageUrls productUrl productPrice } }",
        {"id": job_id},
    )
    job: dict[str, Any] = data["job"]
    # What is checked is what was stored: no need to render it, so free the worker.
    await api(
        stack, "mutation C($id: ID!) { cancelJob(id: $id) { errors { code } } }", {"id": job_id}
    )
    return job


async def served(stack: Stack, urls: list[str]) -> list[bytes]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        responses = [await client.get(url) for url in urls]
    return [response.raise_for_status().content for response in responses]


async def job_names(stack: Stack) -> list[str]:
    data = await api(stack, "query { jobs(first: 100) { edges { node { productName } } } }", {})
    return [edge["node"]["productName"] for edge in data["jobs"]["edges"]]


async def enter_key(page: Page, stack: Stack) -> None:
    await page.goto(f"{stack.url}/")
    await until(page, "!document.getElementById('banner').hidden")
    assert "This server needs an API key" in await page.inner_text("#banner")
    await page.fill("#api-key", API_KEY)
    await page.click("#key-form button[type=submit]")
    await until(page, "document.querySelectorAll('input[name=style]').length === 4")


async def test_make_an_ad_in_the_browser(
    page: tuple[Page, BrowserLog], stack: Stack, tmp_path: Path
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    assert await tab.is_hidden("#banner")
    styles = await tab.inner_text("#style-options")
    assert "Energetic" in styles and "Vibrant colour, quick punchy motion" in styles

    photo = tmp_path / "bottle.png"
    photo.write_bytes(sample_product_png())
    await tab.fill("#productName", "Browser Brew")
    await tab.check("input[name=style][value=ENERGETIC]")
    await tab.fill("#ctaText", "Pour one today")
    await tab.select_option("#aspectRatio", "SQUARE")
    await tab.set_input_files("#productImages", str(photo))
    await tab.click("#submit")

    # Watch the bars move: values seen in between 0 and 100 prove the progress is live.
    seen: set[float] = set()
    values: dict[str, float] = {}
    try:
        async with asyncio.timeout(60):
            while True:
                values = await bar_values(tab)
                seen.add(values["overall"])
                if all(values[name] == 100 for name in (*STAGES, "overall")):
                    break
                await asyncio.sleep(0.03)
    except TimeoutError:
        status = await tab.inner_text("#job-status")
        pytest.fail(f"the bars stopped at {values} ({status!r}), seen {sorted(seen)}\n"
                    + stack.log_tail())  # fmt: skip
    assert any(0 < value < 100 for value in seen), seen
    await until(tab, "document.getElementById('job-status').textContent.startsWith('Done')")
    for name in STAGES:
        state = await tab.inner_text(f'.bar[data-stage="{name}"] .state')
        assert state == "completed"

    # The ad plays in the page, from /media, fetched with Range requests.
    await until(tab, "document.getElementById('video').readyState >= 2", timeout=30)
    source = await tab.evaluate("document.getElementById('video').currentSrc")
    assert source.startswith(f"{stack.url}/media/jobs/") and "/ad.mp4?expires=" in source
    assert 206 in log.media_statuses, log.media_statuses
    assert await tab.get_attribute("#download", "href") == source.removeprefix(stack.url)
    assert await tab.is_hidden("#job-cancel") and await tab.is_hidden("#job-retry")

    # The recent jobs list shows it, done, with a download link.
    await until(tab, "document.querySelector('#jobs tbody tr .status.COMPLETED') !== null")
    row = await tab.inner_text("#jobs tbody tr")
    assert "Browser Brew" in row and "Energetic" in row and "Done" in row

    # The key was asked once: it is kept across a reload.
    await tab.reload()
    await until(tab, "document.querySelector('#jobs tbody tr') !== null")
    assert await tab.is_hidden("#banner")
    assert "saved in this browser" in await tab.inner_text("#key-state")
    assert log.problems == []


async def test_field_errors_are_shown_next_to_their_fields(
    page: tuple[Page, BrowserLog], stack: Stack, tmp_path: Path
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    await tab.fill("#productName", "Pen")
    await tab.fill("#ctaText", "Write it down")
    await tab.set_input_files("#productImages", str(text))
    await tab.click("#submit")
    await until(tab, "document.getElementById('productImages-error').textContent !== ''")
    message = await tab.inner_text("#productImages-error")
    assert "not a readable PNG, JPEG or WebP image" in message
    assert await tab.get_attribute("#productImages", "aria-invalid") == "true"
    assert await tab.is_hidden("#job-panel")  # nothing was created
    assert log.problems == []


@pytest.mark.slow(seconds=8)
async def test_cancel_and_retry_from_the_page(page: tuple[Page, BrowserLog], stack: Stack) -> None:
    tab, log = page
    await enter_key(tab, stack)
    worker = stack.workers.pop()  # no worker: the job waits, so it can be cancelled
    await asyncio.to_thread(Stack.stop_process, worker)
    try:
        await tab.fill("#productName", "Patient Tea")
        await tab.fill("#ctaText", "Steep slowly")
        await tab.click("#submit")
        await until(tab, "document.getElementById('job-status').textContent.startsWith('Queued')")
        await tab.click("#job-cancel")
        await until(tab, "document.getElementById('job-status').textContent.includes('cancelled')")
        row = tab.locator("#jobs tbody tr", has_text="Patient Tea")
        await until(tab, "document.querySelector('#jobs tbody tr .status.CANCELLED') !== null")
        await row.get_by_role("button", name="Retry Patient Tea").click()
        await until(tab, "document.getElementById('job-status').textContent.startsWith('Queued')")
    finally:
        await asyncio.to_thread(stack.start_worker)
    await until(tab, f"{BARS}.every(p => p.value === 100)")
    await until(tab, "document.getElementById('video').readyState >= 2", timeout=30)
    assert log.problems == []


async def test_the_brief_is_stored_with_the_job(
    page: tuple[Page, BrowserLog], stack: Stack
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    description = (
        "Cold brew coffee in a can, steeped for 20 hours: smooth, low-acid, ready to pour."
    )
    await tab.fill("#productName", "Brief Brew")
    await tab.fill("#productDescription", description)
    count = await tab.inner_text("#productDescription-count")
    assert count == f"{len(description)} of 500 characters"
    # The first and third benefits filled, the second left blank: blanks are not sent.
    await tab.fill("#keyBenefit1", "  Smooth, never bitter ")
    await tab.fill("#keyBenefit3", "Ready in the fridge")
    await tab.fill("#ctaText", "Pour one today")
    await tab.click("#submit")

    job = await created_job(tab, stack, "Brief Brew")
    assert job["productDescription"] == description
    assert job["keyBenefits"] == ["Smooth, never bitter", "Ready in the fridge"]
    assert job["music"] == "AUTO"
    assert log.problems == []


async def test_no_music_is_recorded(
    page: tuple[Page, BrowserLog], stack: Stack, tmp_path: Path
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    await tab.fill("#productName", "Quiet Tea")
    await tab.fill("#ctaText", "Steep slowly")
    await tab.select_option("#music", label="No music")

    # Your own music and no music at once: asked to choose, nothing sent.
    track = tmp_path / "song.mp3"
    track.write_bytes(b"ID3 not really music")
    await tab.set_input_files("#musicTrack", str(track))
    await tab.click("#submit")
    await until(tab, "document.getElementById('musicTrack-error').textContent !== ''")
    assert "No music" in await tab.inner_text("#musicTrack-error")
    assert await tab.get_attribute("#musicTrack", "aria-invalid") == "true"
    assert await tab.is_hidden("#job-panel")

    await tab.set_input_files("#musicTrack", [])
    await tab.click("#submit")
    job = await created_job(tab, stack, "Quiet Tea")
    assert job["music"] == "NONE"
    assert job["productDescription"] is None and job["keyBenefits"] == []
    assert await tab.is_hidden("#musicTrack-error")
    assert log.problems == []


async def test_music_and_benefit_errors_are_shown_next_to_their_fields(
    page: tuple[Page, BrowserLog], stack: Stack, tmp_path: Path
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    notes = tmp_path / "notes.txt"
    notes.write_text("this is not music\n")
    await tab.fill("#productName", "Silent Pen")
    await tab.fill("#ctaText", "Write it down")
    await tab.fill("#keyBenefit1", "Never smudges")
    # The second benefit is blank, so the third is the API's keyBenefits[1]; its error
    # must still be shown next to the third.
    await tab.fill("#keyBenefit3", "Writes \u202eupside down")
    await tab.set_input_files("#musicTrack", str(notes))
    # Two files in one multipart request: each is checked and answered for.
    await tab.set_input_files("#productImages", str(notes))
    await tab.click("#submit")

    await until(tab, "document.getElementById('musicTrack-error').textContent !== ''")
    assert "not a readable PNG, JPEG or WebP image" in await tab.inner_text("#productImages-error")
    message = await tab.inner_text("#musicTrack-error")
    assert "not a readable WAV, MP3, Ogg, FLAC or M4A audio file" in message
    assert await tab.get_attribute("#musicTrack", "aria-invalid") == "true"
    benefit_error = await tab.inner_text("#keyBenefit3-error")
    assert benefit_error.startswith("Benefit 3 contains a bidirectional override"), benefit_error
    assert await tab.get_attribute("#keyBenefit3", "aria-invalid") == "true"
    for quiet in ("#keyBenefit1-error", "#keyBenefit2-error", "#form-error"):
        assert await tab.is_hidden(quiet), await tab.inner_text(quiet)
    assert await tab.get_attribute("#keyBenefit1", "aria-invalid") is None
    assert await tab.is_hidden("#job-panel")  # nothing was created
    assert "Silent Pen" not in await job_names(stack)
    assert log.problems == []


@pytest.mark.slow(seconds=3)
async def test_several_photos_go_up_in_order(
    page: tuple[Page, BrowserLog], stack: Stack, tmp_path: Path
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    photos = {
        "front.jpg": photo(360, 640, "JPEG"),
        "side.png": photo(640, 360, "PNG"),
        "top.webp": photo(320, 320, "WEBP"),
    }
    for name, data in photos.items():
        (tmp_path / name).write_bytes(data)
    notes = tmp_path / "notes.png"
    notes.write_text("this is not a picture")
    await tab.fill("#productName", "Trio Mug")
    await tab.fill("#ctaText", "Shop now")

    # More than the API takes: said before anything is sent.
    await tab.set_input_files("#productImages", [tmp_path / "front.jpg"] * 9)
    await tab.click("#submit")
    await until(tab, "document.getElementById('productImages-error').textContent !== ''")
    assert await tab.inner_text("#productImages-error") == "Choose at most 8 photos (9 are chosen)."
    assert await tab.is_hidden("#job-panel")

    # A bad one among them is named by its place and its file, next to the photos.
    await tab.set_input_files("#productImages", [tmp_path / "front.jpg", notes])
    await tab.click("#submit")
    await until(tab, "document.getElementById('productImages-error').textContent !== ''")
    message = await tab.inner_text("#productImages-error")
    assert message == "Photo 2 (notes.png): file is not a readable PNG, JPEG or WebP image"
    assert await tab.get_attribute("#productImages", "aria-invalid") == "true"
    assert await tab.is_hidden("#job-panel")

    await tab.set_input_files("#productImages", [tmp_path / name for name in photos])
    await tab.click("#submit")
    job = await created_job(tab, stack, "Trio Mug")
    assert await served(stack, job["productImageUrls"]) == list(photos.values())
    assert await tab.is_hidden("#productImages-error")
    assert log.problems == []


@pytest.mark.slow(seconds=3)
async def test_a_product_page_fills_in_the_name(
    page: tuple[Page, BrowserLog], stack: Stack
) -> None:
    tab, log = page
    await enter_key(tab, stack)
    async with aurora_shop() as url:
        # The name is left blank: with a product page, the browser lets the form go.
        await tab.fill("#ctaText", "Listen now")
        await tab.fill("#productUrl", url.replace(PAGE, "/products/gone"))
        await tab.click("#submit")
        await until(tab, "document.getElementById('productUrl-error').textContent !== ''")
        assert "404" in await tab.inner_text("#productUrl-error")
        assert await tab.get_attribute("#productUrl", "aria-invalid") == "true"
        assert await tab.is_hidden("#productName-error")

        await tab.fill("#productUrl", url)
        await tab.click("#submit")
        job = await created_job(tab, stack, PAGE_PRODUCT)
    assert (job["productUrl"], job["productPrice"]) == (url, "$24.00")
    assert len(job["productImageUrls"]) == 3  # the page's own photos

    # Without a page, the name is asked for again.
    await tab.fill("#productUrl", "")
    assert await tab.evaluate("document.getElementById('productName').validity.valueMissing")
    assert log.problems == []
