"""The media stores: S3 (against a local S3-compatible server) and local, alike from outside."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from settings import Settings
from storage import PART_BYTES, LocalStore, S3Store
from storage.signing import UrlSigner
from tests.s3 import CREDENTIALS, LocalS3, local_s3


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalS3]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with local_s3() as server:
        yield server


def _store(s3: LocalS3, tmp_path: Path, ttl: int = 600) -> S3Store:
    settings = Settings(
        _env_file=None,
        media_storage="s3",
        s3_endpoint_url=s3.endpoint,
        s3_bucket=s3.bucket,
        media_dir=tmp_path / "media",
        media_url_ttl_seconds=ttl,
    )
    return S3Store(settings)


async def test_large_files_go_up_in_parts_and_come_back_whole(s3: LocalS3, tmp_path: Path) -> None:
    store = _store(s3, tmp_path)
    big = tmp_path / "ad.mp4"
    big.write_bytes(os.urandom(2 * PART_BYTES + 12345))
    await store.put_file("jobs/j/ad.mp4", big)
    assert s3.keys() == ["jobs/j/ad.mp4"]
    etag = httpx.head(f"{s3.endpoint}/{s3.bucket}/jobs/j/ad.mp4").headers["etag"]
    assert etag.strip('"').endswith("-3")  # a multipart upload of three parts

    back = tmp_path / "elsewhere" / "ad.mp4"
    await store.fetch("jobs/j/ad.mp4", back)
    assert back.read_bytes() == big.read_bytes()
    assert [p.name for p in back.parent.iterdir()] == ["ad.mp4"]  # no temporary left
    assert await store.list("jobs/j") == ["jobs/j/ad.mp4"]

    with pytest.raises(FileNotFoundError):
        await store.fetch("jobs/j/missing.wav", tmp_path / "missing.wav")
    assert not (tmp_path / "missing.wav").exists()


async def test_presigned_urls_serve_ranges_and_expire_after_the_ttl(
    s3: LocalS3, tmp_path: Path
) -> None:
    store = _store(s3, tmp_path, ttl=900)
    await store.put_bytes("jobs/j/ad.mp4", bytes(range(256)) * 10)
    url = store.url("jobs/j/ad.mp4")
    assert url is not None and url.startswith(f"{s3.endpoint}/{s3.bucket}/jobs/j/ad.mp4?")
    assert "X-Amz-Expires=900" in url and "X-Amz-Signature=" in url
    part = httpx.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == bytes(range(10, 20))
    assert store.url(None) is None


async def test_an_upload_that_fails_after_some_parts_leaves_nothing_under_its_key(
    s3: LocalS3, tmp_path: Path
) -> None:
    """put_file sends large files as multipart uploads; one that breaks after two parts have
    gone up must leave no object (S3 shows it only once the upload is completed)."""
    import obstore

    store = _store(s3, tmp_path)

    def parts() -> Iterator[bytes]:
        yield os.urandom(PART_BYTES)
        yield os.urandom(PART_BYTES)
        raise OSError("the disk went away mid-upload")

    with pytest.raises(Exception, match="mid-upload"):
        # The same client and part size S3Store.put_file uses, fed parts that then fail.
        await obstore.put_async(store._store, "jobs/j/ad.mp4", parts(), chunk_size=PART_BYTES)
    assert s3.keys() == []
    await store.put_bytes("jobs/j/ad.mp4", b"complete")  # the key itself is fine to write
    assert s3.keys() == ["jobs/j/ad.mp4"]


async def test_the_local_store_writes_atomically_and_signs(tmp_path: Path) -> None:
    store = LocalStore(root=tmp_path, signer=UrlSigner(b"k" * 32, 600))
    await store.put_bytes("uploads/a.png", b"png")
    assert (tmp_path / "uploads" / "a.png").read_bytes() == b"png"
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["a.png"]
    url = store.url("uploads/a.png")
    assert url is not None and url.startswith("/media/uploads/a.png?expires=")
    with pytest.raises(ValueError, match="outside"):
        store.path("../escape")
    # The work dir is the store: keeping a file where it already is copies nothing.
    await store.put_file("uploads/a.png", tmp_path / "uploads" / "a.png")
    assert store.is_work_dir
