"""/media: only signed, unexpired URLs for the owner's own files; Range works; nothing else."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job
from domain.enums import JobStatus
from storage import LocalStore
from tests.conftest import make_settings, serve_app
from tests.factories import gql, image_bytes, job_input, upload

ALICE = {"Authorization": "Bearer ka", "Apollo-Require-Preflight": "true"}
BOB = {"Authorization": "Bearer kb", "Apollo-Require-Preflight": "true"}
JOB = "query($id: ID!) { job(id: $id) { id videoUrl productImageUrl } }"
PAYLOAD = bytes(range(256)) * 400


async def _finished_job(engine: AsyncEngine, client: httpx.AsyncClient, media: Path) -> str:
    """Alice's job with an uploaded photo, marked COMPLETED with an ad and a voice track."""
    response = await upload(client, job_input(), image_bytes(), headers=ALICE)
    job_id: str = response.json()["data"]["createJob"]["job"]["id"]
    (media / "jobs" / job_id / "voice").mkdir(parents=True)
    (media / "jobs" / job_id / "ad.mp4").write_bytes(PAYLOAD)
    (media / "jobs" / job_id / "voice" / "scene_1.wav").write_bytes(b"RIFF....WAVE")
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id == uuid.UUID(job_id))
            .values(status=JobStatus.COMPLETED, video_path=f"jobs/{job_id}/ad.mp4")
        )
    return job_id


def _path(url: str) -> str:
    return urlsplit(url).path


async def test_signed_urls_serve_the_owner_with_ranges_and_refuse_everything_else(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = make_settings(
        database_url, redis_url, tmp_path, api_keys="ka:alice,kb:bob", media_url_ttl_seconds=600
    )
    async with serve_app(settings) as (client, app):
        job_id = await _finished_job(engine, client, settings.media_root)
        job = (await gql(client, JOB, {"id": job_id}, headers=ALICE))["data"]["job"]
        video, photo = job["videoUrl"], job["productImageUrl"]

        # The owner's URLs work, with Range, and expire after MEDIA_URL_TTL_SECONDS.
        assert _path(video) == f"/media/jobs/{job_id}/ad.mp4"
        expires = int(parse_qs(urlsplit(video).query)["expires"][0])
        assert time.time() + 600 <= expires <= time.time() + 600 + 60
        full = await client.get(video)
        assert full.status_code == 200 and full.content == PAYLOAD
        assert full.headers["accept-ranges"] == "bytes"
        part = await client.get(video, headers={"Range": "bytes=100-299"})
        assert part.status_code == 206 and part.content == PAYLOAD[100:300]
        assert part.headers["content-range"] == f"bytes 100-299/{len(PAYLOAD)}"
        assert (await client.get(photo)).status_code == 200

        # Unsigned, expired, tampered, moved to another file: 403.
        assert (await client.get(_path(video))).status_code == 403
        store = app.state.services.media
        assert isinstance(store, LocalStore)
        key = f"jobs/{job_id}/ad.mp4"
        expired = f"{_path(video)}?{store.signer.query(key, now=time.time() - 3600)}"
        assert (await client.get(expired)).status_code == 403
        signature = parse_qs(urlsplit(video).query)["signature"][0]
        flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        assert (await client.get(video.replace(signature, flipped))).status_code == 403
        later = video.replace(f"expires={expires}", f"expires={expires + 3600}")
        assert (await client.get(later)).status_code == 403
        # Intermediate artefacts are never signed, so never served.
        wav = video.replace("/ad.mp4?", "/voice/scene_1.wav?")
        assert (await client.get(wav)).status_code == 403
        assert (await client.get(f"/media/jobs/{job_id}/voice/scene_1.wav")).status_code == 403

        # Another owner: no URL for Alice's job, and nothing of Alice's without her signature.
        assert (await gql(client, JOB, {"id": job_id}, headers=BOB))["data"]["job"] is None
        response = await upload(client, job_input(), image_bytes(), headers=BOB)
        bobs = response.json()["data"]["createJob"]["job"]
        bobs_photo = (await gql(client, JOB, {"id": bobs["id"]}, headers=BOB))["data"]["job"]
        stolen = f"{_path(video)}?{urlsplit(bobs_photo['productImageUrl']).query}"
        assert (await client.get(stolen)).status_code == 403
        assert (await client.get(_path(video))).status_code == 403

        # Paths that leave the media root are refused even with a valid signature for them.
        outside = f"/media/../settings.py?{store.signer.query('../settings.py')}"
        assert (await client.get(outside)).status_code in (403, 404)


async def test_the_signing_key_is_shared_by_every_process_through_the_database(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Two API processes (two apps here) sign alike: a URL from one is served by the other."""
    settings = make_settings(database_url, redis_url, tmp_path)
    async with serve_app(settings) as (first, _app1), serve_app(settings) as (second, _app2):
        response = await upload(first, job_input(), image_bytes())
        job_id = response.json()["data"]["createJob"]["job"]["id"]
        photo = (await gql(first, JOB, {"id": job_id}))["data"]["job"]["productImageUrl"]
        assert (await second.get(photo)).status_code == 200
