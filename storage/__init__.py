"""Where media lives: MEDIA_STORAGE=local (MEDIA_DIR) or s3 (an S3-compatible bucket).

Keys are the media paths the rows hold (`uploads/<hex>.png`, `jobs/<id>/ad.mp4`, and the stage
artefacts under `jobs/<id>/`). Both stores write atomically: a reader never sees a half-written
object under its final key (local: a temporary file renamed into place; S3: a single PUT, or a
multipart upload that only appears when it is completed).

Workers always render in a local work directory under MEDIA_DIR. With local storage that
directory *is* the store, so moving files in and out costs nothing; with S3 the worker uploads
each stage's artefacts before recording the stage as done, and a worker on another machine
downloads what it needs before it resumes the job (worker/artefacts.py).

URLs are signed and expire (MEDIA_URL_TTL_SECONDS): S3 presigned URLs, or for local storage the
API's /media route with an HMAC signature (storage.signing).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.media import MEDIA_ROUTE
from settings import Settings
from storage.signing import UrlSigner, signing_key

# Large files go up in parts of this size (S3's minimum part is 5 MiB).
PART_BYTES = 8 * 1024 * 1024


class MediaStore(Protocol):
    @property
    def is_work_dir(self) -> bool:
        """True when MEDIA_DIR is the store itself (local): nothing to upload or download."""

    async def put_bytes(self, key: str, data: bytes) -> None: ...

    async def put_file(self, key: str, path: Path) -> None: ...

    async def fetch(self, key: str, dest: Path) -> None:
        """Download `key` to `dest` atomically; FileNotFoundError when there is no such key."""

    async def list(self, prefix: str) -> list[str]: ...

    async def copy(self, key: str, target: str) -> None:
        """Copy an object within the store (server side on S3)."""

    async def delete(self, key: str) -> None: ...

    def url(self, key: str | None) -> str | None:
        """A signed, expiring URL for the key, or None for no key."""


@dataclass
class LocalStore:
    """MEDIA_DIR on this machine (or a volume every machine mounts)."""

    root: Path
    signer: UrlSigner
    public_url: str = ""

    @property
    def is_work_dir(self) -> bool:
        return True

    def path(self, key: str) -> Path:
        """The file behind a key; ValueError for a key that would leave the root."""
        root = os.path.normpath(self.root)
        target = os.path.normpath(os.path.join(root, key))
        if key.startswith("/") or os.path.commonpath([root, target]) != root:
            raise ValueError(f"media key {key!r} is outside the media root")
        return Path(target)

    async def put_bytes(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(_write_atomically, self.path(key), data)

    async def put_file(self, key: str, path: Path) -> None:
        await asyncio.to_thread(_copy_atomically, path, self.path(key))

    async def fetch(self, key: str, dest: Path) -> None:
        await asyncio.to_thread(_copy_atomically, self.path(key), dest)

    async def list(self, prefix: str) -> list[str]:
        base = self.path(prefix)
        if not base.is_dir():
            return []
        root = self.root.resolve()
        return sorted(
            p.relative_to(root).as_posix()
            for p in base.rglob("*")
            # Links (the caption faces, into the fonts package) are this machine's, not media.
            if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
        )

    async def copy(self, key: str, target: str) -> None:
        await asyncio.to_thread(_copy_atomically, self.path(key), self.path(target))

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url(self, key: str | None) -> str | None:
        if not key:
            return None
        key = key.lstrip("/")
        prefix = self.public_url.rstrip("/")
        return f"{prefix}{MEDIA_ROUTE}/{key}?{self.signer.query(key)}"


class S3Store:
    """An S3-compatible bucket, through obstore (async, multipart, presigned URLs)."""

    def __init__(self, settings: Settings) -> None:
        from obstore.store import S3Store as ObstoreS3

        def open_bucket(endpoint: str) -> ObstoreS3:
            config: dict[str, object] = {"region": settings.s3_region}
            if endpoint:
                config["endpoint"] = endpoint
                config["virtual_hosted_style_request"] = False
            return ObstoreS3(
                settings.s3_bucket,
                client_options={"allow_http": endpoint.startswith("http://")},
                **config,  # type: ignore[arg-type]
            )

        self._store = open_bucket(settings.s3_endpoint_url)
        # Signing is local arithmetic: URLs for the public host need no connection to it.
        public = settings.s3_public_endpoint_url
        self._signing = open_bucket(public) if public else self._store
        self.ttl = timedelta(seconds=settings.media_url_ttl_seconds)

    @property
    def is_work_dir(self) -> bool:
        return False

    async def put_bytes(self, key: str, data: bytes) -> None:
        import obstore

        await obstore.put_async(self._store, key, data, chunk_size=PART_BYTES)

    async def put_file(self, key: str, path: Path) -> None:
        import obstore

        # Parts of PART_BYTES for a file larger than one part; visible only once complete.
        await obstore.put_async(self._store, key, path, chunk_size=PART_BYTES, max_concurrency=4)

    async def fetch(self, key: str, dest: Path) -> None:
        import obstore

        result = await obstore.get_async(self._store, key)  # FileNotFoundError if missing
        partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        handle = await asyncio.to_thread(_open_for_writing, partial)
        try:
            with handle:
                async for chunk in result.stream(min_chunk_size=PART_BYTES):
                    await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(os.replace, partial, dest)
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)

    async def list(self, prefix: str) -> list[str]:
        import obstore

        prefix = prefix.rstrip("/") + "/"
        batches = await obstore.list(self._store, prefix=prefix).collect_async()
        return sorted(item["path"] for item in batches)

    async def copy(self, key: str, target: str) -> None:
        import obstore

        await obstore.copy_async(self._store, key, target)

    async def delete(self, key: str) -> None:
        import obstore

        await obstore.delete_async(self._store, key)

    def url(self, key: str | None) -> str | None:
        if not key:
            return None
        import obstore

        return obstore.sign(self._signing, "GET", key.lstrip("/"), self.ttl)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _open_for_writing(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "wb")  # closed by the caller's `with`


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy unless source and target are the same file (local storage: the work dir is in it)."""
    if not source.is_file():
        raise FileNotFoundError(source.name)
    if source.resolve() == target.resolve():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


async def open_store(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> MediaStore:
    """The store this deployment uses, ready to sign URLs."""
    if settings.media_storage == "s3":
        return S3Store(settings)
    key = await signing_key(settings, session_factory)
    return LocalStore(
        root=settings.media_root,
        signer=UrlSigner(key, settings.media_url_ttl_seconds),
        public_url=settings.public_url,
    )
