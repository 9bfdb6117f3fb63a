"""Pure ASGI middleware (no BaseHTTPMiddleware: it buffers bodies and breaks websockets).

- RequestContext: a request id (client's X-Request-ID or a new one) bound to every log line of
  the request, echoed in the response, and one `http.request` access line when it ends.
- ApiGuard, on the GraphQL endpoint: the API key (401), the CSRF rule for multipart uploads
  (as Apollo Server: a non-empty `Apollo-Require-Preflight` or `X-Apollo-Operation-Name`
  header, which a browser cannot send cross-origin without a CORS preflight), and a cap on the
  request body (413: more than eight photos of MAX_UPLOAD_BYTES and a track of MAX_MUSIC_BYTES
  could hold), so an oversized upload is never read in full.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.models import MAX_PRODUCT_IMAGES
from settings import LOCAL_OWNER, Settings

log = structlog.get_logger("http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Multipart overhead allowed on top of the files themselves (the operations and map fields).
MULTIPART_SLACK = 256 * 1024


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            # A websocket's sends are its messages (thousands per second on a busy job):
            # they carry no status or headers to note, so they go straight through.
            await self.app(scope, receive, send_wrapper if scope["type"] == "http" else send)
        finally:
            log.info(
                "http.request" if scope["type"] == "http" else "http.websocket",
                method=scope.get("method"),
                path=scope["path"],
                status=status or None,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


def owner_for(settings: Settings, authorization: str | None) -> str | None:
    """The owner an Authorization value maps to; None when keys are on and it is wrong."""
    if settings.local_mode:
        return LOCAL_OWNER
    if not authorization:
        return None
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return settings.owners_by_key.get(key.strip())


async def _reject(
    send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class ApiGuard:
    def __init__(self, app: ASGIApp, settings: Settings, path: str = "/graphql") -> None:
        self.app = app
        self.settings = settings
        self.path = path
        self.max_body = (
            MAX_PRODUCT_IMAGES * settings.max_upload_bytes
            + settings.max_music_bytes
            + MULTIPART_SLACK
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS":  # CORS preflight: answered by CORSMiddleware
            await self.app(scope, receive, send)
            return
        owner = owner_for(self.settings, headers.get("authorization"))
        if owner is None:
            await _reject(
                send, 401, "missing or invalid API key", [(b"www-authenticate", b"Bearer")]
            )
            return
        scope.setdefault("state", {})["owner"] = owner
        content_type = headers.get("content-type", "")
        if content_type.startswith("multipart/") and not (
            headers.get("apollo-require-preflight", "").strip()
            or headers.get("x-apollo-operation-name", "").strip()
        ):
            await _reject(
                send,
                400,
                "multipart requests must carry a non-empty Apollo-Require-Preflight or "
                "X-Apollo-Operation-Name header (CSRF protection)",
                [],
            )
            return
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            await _reject(send, 413, f"request body larger than {self.max_body} bytes", [])
            return
        await self._call_limited(scope, receive, send)

    async def _call_limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as it streams in: chunked uploads have no Content-Length to check."""
        received = 0
        started = False

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_limited, send_tracking)
        except BodyTooLarge:
            if not started:
                await _reject(send, 413, f"request body larger than {self.max_body} bytes", [])


def state(scope: Scope) -> dict[str, Any]:
    result: dict[str, Any] = scope.setdefault("state", {})
    return result
