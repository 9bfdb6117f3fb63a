"""Saved pages of real shops (shared/corpus/pages, beside the repository), served from loopback
with every photo they name answered locally.

Each absolute URL in a page ("https://cdn.shop/x.jpg", "//cdn.shop/x.jpg", and the JSON-escaped
"https:\\/\\/cdn.shop\\/x.jpg" and "https:\\u002F\\u002Fcdn.shop") is rewritten to this server
as "/_/cdn.shop/x.jpg", so the reader follows the page's own links and no request leaves the
machine. An image request (the reader asks
with an image Accept header) gets a small PNG of its own colour for each path: two URLs of one
photo at two sizes are two different files here, so the photo count the reader gives is the
count of photos it chose to download, not of downloads that happened to match.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.pipeline.providers.fakes.server import serve

# The repository's parent holds shared/ (as it does for every worktree, and for CI's clone).
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pages"
PAGE_PATH = "/product"
_ABSOLUTE = re.compile(
    r"(?:https?:)?(//|\\/\\/|\\u002F\\u002F)"
    r"([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?=[/\\:\"'?#\s]|$)"
)


def _picture(path: str) -> bytes:
    red, green, blue = hashlib.sha256(path.encode()).digest()[:3]
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (red, green, blue)).save(buffer, "PNG")
    return buffer.getvalue()


class CorpusShop:
    """One saved page at PAGE_PATH; every other path answered as a photo when asked for one."""

    def __init__(self) -> None:
        self.origin = ""
        self.html = ""
        self.photos_asked: list[str] = []

    def load(self, name: str) -> str:
        text = (CORPUS / name).read_bytes().decode("utf-8", "replace")
        host = self.origin.removeprefix("http://")

        def local(match: re.Match[str]) -> str:
            slash = match.group(1)[: len(match.group(1)) // 2]
            return f"http:{match.group(1)}{host}{slash}_{slash}{match.group(2)}"

        self.html = _ABSOLUTE.sub(local, text)
        self.photos_asked.clear()
        return self.origin + PAGE_PATH

    async def handle(self, request: Request) -> Response:
        if request.url.path == PAGE_PATH:
            return HTMLResponse(self.html)
        if request.headers.get("accept", "").startswith("image/"):
            self.photos_asked.append(request.url.path)
            return Response(_picture(request.url.path), media_type="image/png")
        return Response("Not Found", 404)


@asynccontextmanager
async def corpus_shop() -> AsyncIterator[CorpusShop]:
    shop = CorpusShop()
    async with serve(Starlette(routes=[Route("/{path:path}", shop.handle)])) as origin:
        shop.origin = origin
        yield shop
