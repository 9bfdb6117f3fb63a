"""A local S3-compatible server for tests: moto's server mode on loopback, with one bucket."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from moto.server import ThreadedMotoServer

# moto accepts any credentials; obstore (like every S3 client) needs some to sign with.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "adreel-test", "AWS_SECRET_ACCESS_KEY": "adreel-test-secret"}


@dataclass(frozen=True)
class LocalS3:
    endpoint: str
    bucket: str
    region: str = "us-east-1"

    def env(self) -> dict[str, str]:
        """The settings a process needs to use this bucket (MEDIA_STORAGE=s3)."""
        return {
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_REGION": self.region,
            **CREDENTIALS,
        }

    def keys(self) -> list[str]:
        """Every key in the bucket (S3 ListObjectsV2, first 1,000)."""
        import re

        listing = httpx.get(f"{self.endpoint}/{self.bucket}", params={"list-type": "2"}).text
        return sorted(re.findall(r"<Key>([^<]+)</Key>", listing))


@contextlib.contextmanager
def local_s3() -> Iterator[LocalS3]:
    bucket = f"adreel-{uuid.uuid4().hex[:8]}"  # moto keeps buckets for the whole process
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        s3 = LocalS3(endpoint=f"http://{host}:{port}", bucket=bucket)
        httpx.put(f"{s3.endpoint}/{bucket}").raise_for_status()
        yield s3
    finally:
        server.stop()
