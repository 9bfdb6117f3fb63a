"""One run per job, fleet-wide, and every attempt on record: the race that once ran a job twice
inside one worker, a second pick-up of a running job, and workers that die past the limit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from arq.constants import in_progress_key_prefix
from arq.worker import Worker
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_session_factory
from db.models import Job, StageAttempt
from db.types import utcnow
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from domain.enums import AttemptOutcome, JobStatus, StageName
from domain.outputs import Completed
from events.redis import arq_redis
from pipeline.spec import JobSpec, ProgressFn, StageResult
from settings import Settings
from storage import open_store
from tests.conftest import STACK_ENV, make_settings
from tests.factories import create_job, gql, wait_for_job
from tests.probe import temp_files
from tests.worker.conftest import load, wait_for
from worker.context import WorkerState, state_of
from worker.lease import lease_key
from worker.process import worker_settings
from worker.sweep import marker_lifetime_ms, sweep

JOB = """
query($id: ID!) { job(id: $id) { status errorMessage costUsd
  stages { name status startedAt completedAt costUsd attempts { attempt outcome error costUsd } }
} }
"""
RETRY = "mutation($id: ID!){ retryJob(id: $id){ job { status } errors { code } } }"


async def attempts(engine: AsyncEngine, job_id: str) -> list[StageAttempt]:
    async with create_session_factory(engine)() as session:
        rows = await session.scalars(
            select(StageAttempt)
            .where(StageAttempt.job_id == uuid.UUID(job_id))
            .order_by(StageAttempt.id)
        )
        return list(rows)


async def test_two_sweeps_around_a_pickup_leave_the_fresh_marker_alone(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    """The exact race: a new worker's sweeps run twice around arq picking the job up."""
    job_id = (await create_job(api))["id"]
    # Its last run died a while ago: PROCESSING, untouched since, arq's marker left behind.
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id == uuid.UUID(job_id))
            .values(
                status=JobStatus.PROCESSING,
                run_id="f" * 32,
                updated_at=utcnow() - timedelta(minutes=5),
            )
        )
    marker = in_progress_key_prefix + job_id
    lifetime = marker_lifetime_ms(settings)
    await redis.psetex(marker, lifetime - 60_000, b"1")  # set a minute ago
    state = WorkerState(
        settings=settings,
        engine=engine,
        session_factory=create_session_factory(engine),
        redis=arq_redis(settings.redis_url or ""),
        stages={},
        store=await open_store(settings, create_session_factory(engine)),
    )
    try:
        assert await sweep(state) == 1  # the stale marker is cleared: the job can be taken
        assert not await redis.exists(marker)
        # arq picks the job up (a fresh marker); its run has not taken the lease yet, and two
        # sweeps (start-up and periodic, or two workers) look at it right then.
        await redis.psetex(marker, lifetime, b"1")
        assert list(await asyncio.gather(sweep(state), sweep(state))) == [0, 0]
        assert await redis.exists(marker)
    finally:
        await state.redis.aclose()


def held_worker(
    settings: Settings, stage: StageName, gate: asyncio.Event, entered: asyncio.Event
) -> Worker:
    """A real arq worker whose `stage` waits for `gate` before doing its work."""
    base = worker_settings(settings)
    original = base["on_startup"]

    async def on_startup(ctx: dict[str, Any]) -> None:
        await original(ctx)
        stages = state_of(ctx).stages
        real = stages[stage]

        async def held(spec: JobSpec, done: Completed, progress: ProgressFn) -> StageResult:
            entered.set()
            await gate.wait()
            return await real(spec, done, progress)

        stages[stage] = held

    return Worker(**{**base, "on_startup": on_startup, "handle_signals": False, "burst": False})


@pytest.mark.slow
async def test_a_second_run_of_a_running_job_is_refused(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    job_id = (await create_job(api))["id"]
    gate, entered = asyncio.Event(), asyncio.Event()
    worker = held_worker(settings, StageName.VIDEO_GEN, gate, entered)
    running = asyncio.create_task(worker.main())
    try:
        await asyncio.wait_for(entered.wait(), 60)
        assert await redis.exists(lease_key(job_id))
        # Whatever clears arq's marker now (the old bug did), the same worker picks the job up
        # again: that second run must be refused while the first one lives.
        await redis.delete(in_progress_key_prefix + job_id)

        async def refused() -> bool:
            return worker.jobs_complete >= 1

        await wait_for(refused, timeout=30)
        video = [a for a in await attempts(engine, job_id) if a.stage_name == StageName.VIDEO_GEN]
        assert [a.outcome for a in video] == [AttemptOutcome.RUNNING]
        gate.set()

        async def finished() -> bool:
            row, _ = await load(engine, job_id)
            return row.status.is_terminal

        await wait_for(finished, timeout=60)
    finally:
        gate.set()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()

    view = (await gql(api, JOB, {"id": job_id}))["data"]["job"]
    assert view["status"] == "COMPLETED"
    for stage in view["stages"]:
        assert stage["status"] == "COMPLETED" and stage["completedAt"] > stage["startedAt"]
        assert [a["outcome"] for a in stage["attempts"]] == ["completed"]


@pytest.mark.slow(seconds=18)
async def test_workers_dying_past_the_limit_fail_the_job_and_retry_finishes_it(
    redis_url: str, redis: aioredis.Redis, tmp_path: Path
) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'limit.db'}", redis_url, tmp_path)
    env = {
        **STACK_ENV,
        "AD_SECONDS": "12",
        "JOB_MAX_TRIES": "2",
        "WORKER_LEASE_SECONDS": "1.5",
        "WORKER_SWEEP_INTERVAL_SECONDS": "0.5",
        "API_KEYS": "",
    }
    stack = Stack(settings, port=free_port(), env=env, quiet=True, worker_groups=True)
    await asyncio.to_thread(stack.start)
    engine = create_engine(settings.database_url)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            job_id = (await create_job(client))["id"]
            for attempt in (1, 2):

                async def compositing(attempt: int = attempt) -> bool:
                    _, stages = await load(engine, job_id)
                    running = [
                        a
                        for a in await attempts(engine, job_id)
                        if a.stage_name == StageName.COMPOSITING
                        and a.outcome == AttemptOutcome.RUNNING
                    ]
                    return (
                        bool(running) and running[0].attempt == attempt and stages[3].progress > 0
                    )

                await wait_for(compositing, timeout=90, interval=0.1)
                await asyncio.to_thread(stack.kill_worker, stack.workers[0])
                await asyncio.to_thread(stack.start_worker)

            failed = await wait_for_job(client, JOB, job_id, ("COMPLETED", "FAILED"), 60)
            retried = (await gql(client, RETRY, {"id": job_id}))["data"]["retryJob"]
            done = await wait_for_job(client, JOB, job_id, ("COMPLETED",), 90)
    finally:
        await engine.dispose()
        await asyncio.to_thread(stack.stop)

    assert failed["status"] == "FAILED"
    assert failed["errorMessage"].startswith("compositing failed: gave up after 2 tries")
    compositing_attempts = failed["stages"][3]["attempts"]
    assert [a["outcome"] for a in compositing_attempts] == ["crashed", "crashed"]
    assert failed["stages"][3]["status"] == "FAILED"
    assert retried == {"job": {"status": "PENDING"}, "errors": []}
    assert done["stages"][3]["status"] == "COMPLETED"
    assert [a["outcome"] for a in done["stages"][3]["attempts"]] == [
        "crashed",
        "crashed",
        "completed",
    ]
    # The stages done before the crashes were not run again.
    for stage in done["stages"][:3]:
        assert [a["outcome"] for a in stage["attempts"]] == ["completed"]
    work_dir = settings.media_root / "jobs" / job_id
    assert sorted(p.name for p in work_dir.rglob("*.mp4")) == ["ad.mp4"]
    assert temp_files(work_dir) == []
