"""The page at `/` in headless Chromium against a real API, worker and Redis (API keys on)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devserver.sample import sample_product_png
from devserver.stack import Stack
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
    await tab.set_input_files("#productImage", str(photo))
    await tab.click("#submit")

    # Watch the bars move: values seen in between 0 and 100 prove the progress is live.
    seen: set[float] = set()
    async with asyncio.timeout(60):
        while True:
            values = await bar_values(tab)
            seen.add(values["overall"])
            if all(values[name] == 100 for name in (*STAGES, "overall")):
                break
            await asyncio.sleep(0.03)
    assert any(0 < value < 100 for value in seen), seen
    await until(tab, "document.getElementById('job-status').textContent.startsWith('Done')")
    for name in STAGES:
        state = await tab.inner_text(f'.bar[data-stage="{name}"] .state')
        assert state == "completed"

    # The ad plays in the page, from /media, fetched with Range requests.
    await until(tab, "document.getElementById('video').readyState >= 2", timeout=30)
    source = await tab.evaluate("document.getElementById('video').currentSrc")
    assert source.startswith(f"{stack.url}/media/jobs/") and source.endswith("/ad.mp4")
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
    await tab.set_input_files("#productImage", str(text))
    await tab.click("#submit")
    await until(tab, "document.getElementById('productImage-error').textContent !== ''")
    message = await tab.inner_text("#productImage-error")
    assert "not a readable PNG, JPEG or WebP image" in message
    assert await tab.get_attribute("#productImage", "aria-invalid") == "true"
    assert await tab.is_hidden("#job-panel")  # nothing was created
    assert log.problems == []


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
