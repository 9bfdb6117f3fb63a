"""The web page in a real browser: Debian's Chromium, driven by Playwright for Python.

Playwright's own browser downloads are never used (no `playwright install`): the system
Chromium at /usr/bin/chromium is. Without it the browser tests skip, saying so in pytest's
summary; under CI (CI=true) they fail instead, because .ci/run installs Chromium first.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devserver.stack import Stack
from tests.cli.stack import KEYS, running_stack

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
API_KEY = KEYS["web"]

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page


def _missing_browser() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} not found (apt-get install chromium; .ci/run installs it under CI)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install)"
    return None


def require_browser() -> None:
    problem = _missing_browser()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"the browser test must run under CI: {problem}")
    pytest.skip(f"browser test skipped: {problem}")


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """The module's stack, with API keys (the page's is API_KEY)."""
    require_browser()
    async with running_stack(tmp_path_factory.mktemp("web-stack")) as stack:
        yield stack


@pytest.fixture(scope="module")
async def local_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """The module's local-mode stack: no API keys, as `make serve` runs."""
    async with running_stack(tmp_path_factory.mktemp("local-stack"), local=True) as stack:
        yield stack


@dataclass
class BrowserLog:
    """What the page said that a person would not want: script errors, CSP violations."""

    problems: list[str] = field(default_factory=list)
    media_statuses: list[int] = field(default_factory=list)


@pytest.fixture(scope="module")
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    """One Chromium for the module's tests (a launch costs ~2 CPU-seconds); each test has a
    fresh context of its own: no cookie, storage or cache of another test's."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[tuple[Page, BrowserLog]]:
    log = BrowserLog()
    context = await browser.new_context()
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: log.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                log.problems.append(f"console: {message.text}")
                if message.type == "error" and "401" not in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                log.media_statuses.append(response.status) if "/media/" in response.url else None
            ),
        )
        yield page, log
    finally:
        await context.close()


async def until(page: Page, expression: str, timeout: float = 60) -> None:
    """Poll a JS expression until it is truthy. (Playwright's wait_for_function evaluates a
    string inside the page, which the page's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not await page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout}s: {expression}")
        await asyncio.sleep(0.05)
