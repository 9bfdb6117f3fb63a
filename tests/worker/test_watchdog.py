"""A stage that makes no progress is noticed: its attempt ends with the reason, the job is
retried, and the worker goes on serving (or, when a thread cannot be stopped, is recycled)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from arq.worker import Worker
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import JobStatus, StageName
from domain.outputs import Completed
from lifecycle.workers import read_all
from pipeline.spec import JobSpec, ProgressFn, StageResult
from settings import Settings
from tests.conftest import STACK_ENV
from tests.factories import create_job, gql
from tests.worker.conftest import load, wait_for
from worker.context import state_of
from worker.exit_codes import RECYCLE_EXIT_CODE
from worker.process import build_worker

ATTEMPTS = """
query($id: ID!) { job(id: $id) { status stages { name attempts { outcome error } } } }
"""
STALL = 1.5
ROOT = Path(__file__).resolve().parents[2]


def stalling_worker(settings: Settings, stalls: list[str]) -> Worker:
    """A real arq worker whose first video stage waits forever (in Python) after one report."""
    worker = build_worker(settings, handle_signals=False, burst=True)
    startup = worker.on_startup
    assert startup is not None

    async def on_startup(ctx: dict[str, Any]) -> None:
        await startup(ctx)
        stages = state_of(ctx).stages
        real = stages[StageName.VIDEO_GEN]

        async def first_one_stalls(
            spec: JobSpec, done: Completed, progress: ProgressFn
        ) -> StageResult:
            if not stalls:
                stalls.append(spec.job_id)
                await progress(1)
                await asyncio.Event().wait()
            return await real(spec, done, progress)

        stages[StageName.VIDEO_GEN] = first_one_stalls

    worker.on_startup = on_startup
    return worker


async def video_attempts(api: httpx.AsyncClient, job_id: str) -> list[dict[str, Any]]:
    job = (await gql(api, ATTEMPTS, {"id": job_id}))["data"]["job"]
    stage = next(s for s in job["stages"] if s["name"] == "VIDEO_GEN")
    attempts: list[dict[str, Any]] = stage["attempts"]
    return attempts


@pytest.mark.slow(seconds=12)
async def test_a_stalled_stage_is_ended_retried_and_the_worker_serves_on(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    settings = settings.model_copy(update={"stage_stall_seconds": STALL})
    jobs = [(await create_job(api, productName=name))["id"] for name in ("Stalled", "Other")]
    stalls: list[str] = []
    worker = stalling_worker(settings, stalls)
    try:
        async with asyncio.timeout(120):
            await worker.main()
    finally:
        await worker.close()

    stalled = stalls[0]
    for job_id in jobs:
        row, _ = await load(engine, job_id)
        assert row.status == JobStatus.COMPLETED, (job_id, row.error_message)
    attempts = await video_attempts(api, stalled)
    assert attempts == [
        {"outcome": "failed", "error": f"video_gen made no progress for {STALL:g} s"},
        {"outcome": "completed", "error": None},
    ]
    other = next(j for j in jobs if j != stalled)
    assert [a["outcome"] for a in await video_attempts(api, other)] == ["completed"]
    assert not state_of(worker.ctx).slots.recycle.is_set()  # a Python wait stops when told


@pytest.mark.slow(seconds=25)
async def test_a_thread_that_cannot_be_stopped_recycles_the_worker(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    """The stage's thread is blocked in native code, as a deadlocked BLAS call is: the attempt
    still ends within the limit, the worker reports the stuck slot, takes no new job, exits with
    RECYCLE_EXIT_CODE, and the job is done by the worker that replaces it."""
    job_id = (await create_job(api, productName="Stuck Thread"))["id"]
    env = {
        **os.environ,
        **STACK_ENV,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "MEDIA_DIR": str(settings.media_root),
        "AD_SECONDS": str(settings.ad_seconds),
        "STAGE_STALL_SECONDS": "2",
        "JOB_MAX_TRIES": "3",
        "API_KEYS": "",
    }
    logs = Path(settings.media_root).parent / "stuck-worker.log"
    with logs.open("wb") as out:
        stuck = subprocess.Popen(
            [sys.executable, "-m", "tests.worker.stuck_worker"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        reported: list[Any] = []

        async def stuck_slot_reported() -> bool:
            reported[:] = [w for w in await read_all(redis) if w.stuck]
            return bool(reported)

        await wait_for(stuck_slot_reported, timeout=60, interval=0.2)
        assert reported[0].stuck[0].job_id == job_id
        assert reported[0].stuck[0].stage == "video_gen"
        code = await asyncio.to_thread(stuck.wait, 60)
        assert code == RECYCLE_EXIT_CODE, logs.read_text()[-3000:]
    finally:
        if stuck.poll() is None:
            stuck.kill()
            stuck.wait()
    text = logs.read_text()
    assert "job.stage.stalled" in text and "in_thread" in text  # the stuck stack, logged
    assert "worker.recycling" in text
    assert [a["outcome"] for a in await video_attempts(api, job_id)] == ["failed"]

    fresh = subprocess.Popen([sys.executable, "-m", "worker"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:

        async def finished() -> bool:
            row, _ = await load(engine, job_id)
            return row.status.is_terminal

        await wait_for(finished, timeout=120, interval=0.2)
    finally:
        fresh.terminate()
        await asyncio.to_thread(fresh.wait, 30)
    row, _ = await load(engine, job_id)
    assert row.status == JobStatus.COMPLETED, row.error_message
    assert await video_attempts(api, job_id) == [
        {"outcome": "failed", "error": "video_gen made no progress for 2 s"},
        {"outcome": "completed", "error": None},
    ]
