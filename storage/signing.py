"""Signed media URLs for local storage: `?expires=<unix>&signature=<hex HMAC-SHA256>`.

The signature covers the path and the expiry, so a URL cannot be moved to another file or kept
past its time. URLs are bearer tokens (a <video> element cannot send an API key), short-lived and
issued only with the job they belong to, i.e. to its owner. Expiry is rounded up to the minute so
that the same file asked for twice within a minute gets the same URL, which browsers can cache.

The key is MEDIA_SIGNING_KEY when set; otherwise a random key kept in the database (`app_secrets`),
created by whichever process asks first, so every API process and worker signs alike and URLs
outlive restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries
from settings import Settings

SIGNING_KEY_NAME = "media-signing-key"
ROUND_SECONDS = 60


class UrlSigner:
    def __init__(self, key: bytes, ttl_seconds: int) -> None:
        if len(key) < 16:
            raise ValueError("the media signing key must be at least 16 bytes")
        self._key = key
        self.ttl_seconds = ttl_seconds

    def _signature(self, path: str, expires: int) -> str:
        message = f"{path}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def query(self, path: str, now: float | None = None) -> str:
        """`expires=…&signature=…` for a media path (relative to the media root)."""
        now = time.time() if now is None else now
        expires = math.ceil((now + self.ttl_seconds) / ROUND_SECONDS) * ROUND_SECONDS
        return f"expires={expires}&signature={self._signature(path, expires)}"

    def verify(
        self, path: str, expires: str | None, signature: str | None, now: float | None = None
    ) -> bool:
        """True when the signature is this key's for this path and has not expired."""
        if not expires or not signature or not expires.isdigit() or len(expires) > 12:
            return False
        now = time.time() if now is None else now
        if int(expires) < now:
            return False
        return hmac.compare_digest(self._signature(path, int(expires)), signature)


async def signing_key(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> bytes:
    """MEDIA_SIGNING_KEY, or the key every process sharing this database uses."""
    configured = settings.media_signing_key.get_secret_value()
    if configured:
        return configured.encode()
    value = await queries.get_or_create_secret(
        session_factory, SIGNING_KEY_NAME, lambda: secrets.token_hex(32)
    )
    return value.encode()
