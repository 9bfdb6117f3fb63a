"""Beyond one machine: one API and two workers, each with its own empty MEDIA_DIR, over one S3
bucket. The first worker is SIGKILLed mid-job; the second, on its empty disk, finishes the job
from what the first left in the bucket (its brand kit's logo and font among them); the ad comes
down through its presigned URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from devserver.embedded_redis import free_port
from devserver.stack import Stack
from tests.conftest import STACK_ENV, make_settings
from tests.factories import gql, image_bytes, job_input, upload
from tests.probe import probe
from tests.resolvers.test_brand_kits import COLOURS, CREATE, font_file, logo_png, send
from tests.s3 import local_s3
from tests.worker.conftest import wait_for

STAGES = """query($id: ID!) { job(id: $id) { status videoUrl productImageUrl
  stages { name status attempts { outcome worker } } } }"""


@pytest.mark.slow(seconds=15)
async def test_a_worker_on_another_machine_finishes_a_killed_workers_job(
    redis_url: str, redis: object, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'fleet.db'}"  # the stack migrates it
    settings = make_settings(database, redis_url, tmp_path / "api")
    with local_s3() as s3:
        env = {
            **s3.env(),
            **STACK_ENV,
            "AD_SECONDS": "8",
            "WORKER_LEASE_SECONDS": "1.5",
            "WORKER_SWEEP_INTERVAL_SECONDS": "0.5",
            "API_KEYS": "",
        }
        stack = Stack(settings, port=free_port(), workers=0, env=env, quiet=True)
        stack.worker_groups = True
        await asyncio.to_thread(stack.start)
        try:
            async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
                first = stack.start_worker({"MEDIA_DIR": str(tmp_path / "machine-a")})
                # A brand kit's logo and font are in the bucket too: machine B finds them.
                kit = await send(
                    client, CREATE, {"input": {"name": "Fern", **COLOURS}},
                    {"logo": logo_png(), "headingFontFile": font_file()}, {},
                )  # fmt: skip
                kit_id = kit["createBrandKit"]["brandKit"]["id"]
                response = await upload(client, job_input(brandKitId=kit_id), image_bytes(480, 360))
                job_id = response.json()["data"]["createJob"]["job"]["id"]

                async def voiced() -> bool:
                    view = (await gql(client, STAGES, {"id": job_id}))["data"]["job"]
                    return bool(view["stages"][1]["status"] == "COMPLETED")

                await wait_for(voiced, timeout=120, interval=0.05)
                stack.kill_worker(first)  # the machine dies mid-job
                stack.start_worker({"MEDIA_DIR": str(tmp_path / "machine-b")})

                async def finished() -> bool:
                    view = (await gql(client, STAGES, {"id": job_id}))["data"]["job"]
                    return view["status"] in ("COMPLETED", "FAILED")

                await wait_for(finished, timeout=120, interval=0.2)
                view = (await gql(client, STAGES, {"id": job_id}))["data"]["job"]
                keys = s3.keys()
                # The ad, through its presigned URL: a Range request, then the whole file.
                url = view["videoUrl"]
                part = await client.get(url, headers={"Range": "bytes=0-1023"})
                whole = await client.get(url)
        finally:
            await asyncio.to_thread(stack.stop)

    assert view["status"] == "COMPLETED"
    assert url.startswith(f"{s3.endpoint}/{s3.bucket}/jobs/{job_id}/ad.mp4?X-Amz-")
    assert part.status_code == 206 and len(part.content) == 1024
    assert part.headers["content-range"].startswith("bytes 0-1023/")
    assert whole.status_code == 200 and whole.content[:1024] == part.content
    ad = tmp_path / "downloaded.mp4"
    ad.write_bytes(whole.content)
    video = probe(ad)
    assert abs(video.duration - 8.0) < 0.25 and video.video_codec == "h264"
    assert video.audio_codec == "aac" and video.audio_rms > 0.01

    # Machine A's work was kept and reused: the voice stage ran once, on A; B took over the rest.
    by_stage = {s["name"]: s for s in view["stages"]}
    voice = by_stage["VOICE_GEN"]["attempts"]
    assert [a["outcome"] for a in voice] == ["completed"]
    last = by_stage["COMPOSITING"]["attempts"][-1]
    assert last["outcome"] == "completed" and last["worker"] != voice[0]["worker"]
    outcomes = [a["outcome"] for s in view["stages"] for a in s["attempts"]]
    assert (
        "crashed" in outcomes
        or by_stage["VIDEO_GEN"]["attempts"][0]["worker"] != voice[0]["worker"]
    )

    # Everything lives in the bucket: the upload, the stage artefacts and the ad, nothing
    # half-written; the API's disk holds no media, and B cleared its scratch copy.
    assert f"jobs/{job_id}/ad.mp4" in keys
    assert any(k.startswith("uploads/") for k in keys)
    assert any(k.startswith(f"jobs/{job_id}/voice/") for k in keys)
    assert not [k for k in keys if k.endswith(".part")]
    assert not (tmp_path / "api" / "media" / "uploads").exists()
    assert not (tmp_path / "machine-b" / "jobs" / job_id).exists()
