"""GraphiQL works with no internet: every request but those to this server is aborted, and the
IDE still loads (its assets are vendored under /graphiql-assets/), runs a query over HTTP and a
subscription over websockets."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest
from strawberry.http.ides import get_graphql_ide_html

from devserver.stack import Stack
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, require_browser, until
from web.graphiql import MOUNT, referenced_assets

if TYPE_CHECKING:
    from playwright.async_api import Page

EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
RESPONSE = "(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? '')"


@pytest.fixture
async def graphiql_stack(local_stack: Stack) -> Stack:
    """Local mode, as `make serve` runs: no API keys, and GraphiQL on without being asked for."""
    require_browser()
    return local_stack


async def set_query(page: Page, text: str) -> None:
    """Replace the editor's text, then wait for GraphiQL to take it in (its edit handler runs
    100 ms later, parses the document, then puts the query in the URL): a run started before
    that would still see the previous document, and send a subscription over HTTP."""
    await page.evaluate(f"{EDITOR}.CodeMirror.setValue({json.dumps(text)})")
    await until(page, f"new URLSearchParams(location.search).get('q') === {json.dumps(text)}")


@pytest.mark.slow(seconds=8)
async def test_graphiql_runs_offline(graphiql_stack: Stack) -> None:
    from playwright.async_api import Route, async_playwright

    local: set[str] = set()
    blocked: list[str] = []
    sockets: list[str] = []
    problems: list[str] = []
    server = urlsplit(graphiql_stack.url).netloc

    async def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == server:
            local.add(urlsplit(route.request.url).path)
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.route("**/*", only_this_server)
            page.on("websocket", lambda socket: sockets.append(socket.url))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

            await page.goto(f"{graphiql_stack.url}/graphql")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)

            await set_query(page, "{ styles { name } }")
            await page.click(".graphiql-execute-button")
            await until(page, f"{RESPONSE}.includes('Energetic')", timeout=30)
            result = json.loads(await page.evaluate(RESPONSE))
            assert [s["name"] for s in result["data"]["styles"]] == [
                "Luxury", "Energetic", "Minimal", "Bold",
            ]  # fmt: skip

            async with httpx.AsyncClient(base_url=graphiql_stack.url) as client:
                created = await client.post(
                    "/graphql",
                    json={
                        "query": 'mutation { createJob(input: {productName: "IDE", '
                        'style: LUXURY, ctaText: "Go"}) { job { id } } }'
                    },
                )
            job_id = created.json()["data"]["createJob"]["job"]["id"]
            await set_query(page, f'subscription {{ jobProgress(jobId: "{job_id}") {{ jobId }} }}')
            await page.click(".graphiql-execute-button")
            await until(page, f"{RESPONSE}.includes('{job_id}')", timeout=30)

            # The web page in local mode asks for no key: there is none to give.
            await page.goto(f"{graphiql_stack.url}/")
            await until(page, "document.body.dataset.ready === 'true'", timeout=30)
            assert await page.is_hidden("#key-panel")
            assert await page.is_hidden("#banner")
        finally:
            await browser.close()

    assert blocked == [], blocked
    assert problems == [], problems
    assert sockets == [f"ws://{server}/graphql"]
    # Every script and stylesheet of Strawberry's template came from this server.
    assets = {f"{MOUNT}/{a.path}" for a in referenced_assets(get_graphql_ide_html("graphiql"))}
    assert len(assets) == 7 and assets <= local, assets - local
