"""cancelJob and retryJob: allowed transitions, clear errors otherwise, events and re-queueing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job, Stage
from domain.enums import JobStatus, StageName, StageStatus
from events.format import channel_for
from tests.factories import create_job, gql

PAYLOAD = "{ job { id status stages { name status } } errors { field code message } }"
CANCEL = "mutation($id: ID!){ cancelJob(id: $id)" + PAYLOAD + " }"
RETRY = "mutation($id: ID!){ retryJob(id: $id)" + PAYLOAD + " }"


async def set_state(
    engine: AsyncEngine, job_id: str, status: JobStatus, stages: dict[StageName, StageStatus]
) -> None:
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        uid = uuid.UUID(job_id)
        await session.execute(update(Job).where(Job.id == uid).values(status=status))
        for name, stage_status in stages.items():
            values: dict[str, object] = {"status": stage_status}
            if stage_status == StageStatus.COMPLETED:
                values |= {"progress": 100, "completed_at": datetime.now(UTC)}
            if stage_status == StageStatus.FAILED:
                values |= {"progress": 40, "error_message": "boom"}
            await session.execute(
                update(Stage).where(Stage.job_id == uid, Stage.stage_name == name).values(**values)
            )


async def test_cancel_pending_job_skips_its_stages_and_drops_it_from_the_queue(
    client: httpx.AsyncClient, redis: aioredis.Redis
) -> None:
    job = await create_job(client)
    async with redis.pubsub() as pubsub:
        await _cancel_and_check_event(client, redis, pubsub, job)


async def _cancel_and_check_event(
    client: httpx.AsyncClient, redis: aioredis.Redis, pubsub: PubSub, job: dict[str, Any]
) -> None:
    await pubsub.subscribe(channel_for(job["id"]))
    await pubsub.get_message(timeout=1)  # subscribe confirmation

    body = await gql(client, CANCEL, {"id": job["id"]})
    payload = body["data"]["cancelJob"]
    assert payload["errors"] == []
    assert payload["job"]["status"] == "CANCELLED"
    assert {s["status"] for s in payload["job"]["stages"]} == {"SKIPPED"}
    # arq was told to abort: the queued run will not start.
    assert await redis.zscore("arq:abort", job["id"]) is not None

    message = await pubsub.get_message(timeout=2)
    assert message is not None
    event = json.loads(message["data"])
    assert (event["status"], event["sequence"], event["job_id"]) == ("cancelled", 1, job["id"])


@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED])
async def test_cancel_refuses_finished_jobs(
    client: httpx.AsyncClient, engine: AsyncEngine, status: JobStatus
) -> None:
    job = await create_job(client)
    await set_state(engine, job["id"], status, {})
    payload = (await gql(client, CANCEL, {"id": job["id"]}))["data"]["cancelJob"]
    assert payload["errors"][0]["code"] == "INVALID_STATE"
    assert status.name in payload["errors"][0]["message"]
    assert payload["job"]["status"] == status.name  # unchanged


async def test_retry_refuses_pending_and_processing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    job = await create_job(client)
    payload = (await gql(client, RETRY, {"id": job["id"]}))["data"]["retryJob"]
    assert payload["errors"][0]["code"] == "INVALID_STATE"
    await set_state(engine, job["id"], JobStatus.PROCESSING, {})
    payload = (await gql(client, RETRY, {"id": job["id"]}))["data"]["retryJob"]
    assert "PROCESSING" in payload["errors"][0]["message"]


async def test_retry_failed_job_keeps_completed_stages_and_requeues(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    job = await create_job(client)
    await redis.flushdb()  # the first run was taken by a worker
    await set_state(
        engine,
        job["id"],
        JobStatus.FAILED,
        {
            StageName.SCRIPT_GEN: StageStatus.COMPLETED,
            StageName.VOICE_GEN: StageStatus.FAILED,
            StageName.VIDEO_GEN: StageStatus.SKIPPED,
            StageName.COMPOSITING: StageStatus.SKIPPED,
        },
    )
    payload = (await gql(client, RETRY, {"id": job["id"]}))["data"]["retryJob"]
    assert payload["errors"] == []
    assert payload["job"]["status"] == "PENDING"
    assert [s["status"] for s in payload["job"]["stages"]] == [
        "COMPLETED", "PENDING", "PENDING", "PENDING",
    ]  # fmt: skip
    assert await redis.zscore("video_generation_queue", job["id"]) is not None

    factory = create_session_factory(engine)
    async with factory() as session:
        stages = (
            await session.execute(select(Stage).where(Stage.job_id == uuid.UUID(job["id"])))
        ).scalars()
        failed_before = next(s for s in stages if s.stage_name == StageName.VOICE_GEN)
        assert failed_before.error_message is None and failed_before.progress == 0


async def test_retry_of_a_cancelled_job(client: httpx.AsyncClient, redis: aioredis.Redis) -> None:
    job = await create_job(client)
    await gql(client, CANCEL, {"id": job["id"]})
    await redis.delete(f"arq:job:{job['id']}")  # the aborted run has ended
    await redis.zrem("video_generation_queue", job["id"])
    payload = (await gql(client, RETRY, {"id": job["id"]}))["data"]["retryJob"]
    assert payload["errors"] == [] and payload["job"]["status"] == "PENDING"
    # Queued again, and the old abort no longer applies to the new run.
    assert await redis.zscore("video_generation_queue", job["id"]) is not None
    assert await redis.zscore("arq:abort", job["id"]) is None


@pytest.mark.parametrize("mutation", [CANCEL, RETRY])
# A fixed id (not uuid4()): every xdist worker must collect the same test ids.
@pytest.mark.parametrize("job_id", ["3f0b8d1e-6c2a-4e9f-8a7d-1b5c9e2f4a63", "nope"])
async def test_unknown_job_is_not_found(
    client: httpx.AsyncClient, mutation: str, job_id: str
) -> None:
    body = await gql(client, mutation, {"id": job_id})
    payload = next(iter(body["data"].values()))
    assert payload == {
        "job": None,
        "errors": [{"field": ["id"], "code": "NOT_FOUND", "message": "job not found"}],
    }
