"""The web page at `/` and its assets under `/static`: plain HTML, CSS and JS modules shipped in
the repository (no build step, no CDN), talking to this server's own GraphQL endpoint."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Everything comes from this origin; media may come from PUBLIC_URL, which can be another host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: http: https:",
        "media-src 'self' blob: http: https:",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


async def index(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "index.html",
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "cache-control": "no-cache",
        },
    )
