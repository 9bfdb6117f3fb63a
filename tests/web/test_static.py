"""The page and its assets are served by the app itself, with nothing fetched from elsewhere."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ASSETS = ("/static/app.css", "/static/js/app.js", "/static/js/graphql.js")


async def test_the_page_is_served_at_the_root_with_a_strict_policy(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    html = response.text
    assert "<title>adreel" in html
    referenced = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert referenced == {"/static/app.css", "/static/js/app.js"}


async def test_every_asset_is_local(client: httpx.AsyncClient) -> None:
    for path in ("/", *ASSETS):
        body = (await client.get(path)).text
        # No CDN, no web fonts, no remote scripts: the page works with no internet at all.
        assert not re.search(r"https?://(?!127\.0\.0\.1)", body), path
    for path in ASSETS:
        response = await client.get(path)
        assert response.status_code == 200, path
    script = await client.get("/static/js/app.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert (await client.get("/static/nope.js")).status_code == 404
