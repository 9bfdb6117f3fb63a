"""Chaos: two real worker processes, SIGKILLed (whole process groups) every few seconds while six
jobs render, with the start-up and periodic sweeps active. Every job must still end COMPLETED with
one MP4, every stage with a real duration, and no stage ever run by two attempts at once."""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path

import httpx
import pytest

from db.engine import create_engine
from devserver.chaos import Kill, cut_short, kill_workers, report
from devserver.embedded_redis import free_port
from devserver.stack import Stack, drop_everything
from domain.enums import AttemptOutcome, JobStatus, StageStatus
from tests.conftest import STACK_ENV, make_settings, require_postgres
from tests.factories import create_job, gql, image_bytes, job_input, upload
from tests.probe import processes_working_in, temp_files
from tests.worker.conftest import wait_for

JOBS = 6
# The kills go on until there have been MIN_KILLS of them and one has cut a running stage
# short (what the test is about), at most KILL_SECONDS.
MIN_KILLS = 5
KILL_SECONDS = 30.0
ATTEMPTS = """
query($id: ID!) { job(id: $id) { status costUsd videoUrl
  stages { name status startedAt completedAt attempts { attempt outcome startedAt endedAt worker } }
} }
"""


@pytest.fixture(params=["sqlite", "postgres"])
async def chaos_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        url = await require_postgres()
        await drop_everything(url)  # the stack migrates from nothing
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'chaos.db'}"


@pytest.mark.slow(seconds=43)
async def test_jobs_survive_workers_killed_every_few_seconds(
    chaos_database: str, redis_url: str, redis: object, tmp_path: Path
) -> None:
    settings = make_settings(chaos_database, redis_url, tmp_path)
    env = {
        **STACK_ENV,
        "AD_SECONDS": "4",
        "WORKER_LEASE_SECONDS": "1.5",
        "WORKER_SWEEP_INTERVAL_SECONDS": "0.5",
        "WORKER_MAX_JOBS": "1",
        "JOB_MAX_TRIES": "50",  # chaos may hit one job many times; it must still finish
        "API_KEYS": "",
    }
    stack = Stack(settings, port=free_port(), workers=2, env=env, quiet=True, worker_groups=True)
    await asyncio.to_thread(stack.start)
    engine = create_engine(chaos_database)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            ids: list[str] = []
            for n in range(JOBS):
                if n % 2:
                    response = await upload(client, job_input(), image_bytes(320, 240))
                    ids.append(response.json()["data"]["createJob"]["job"]["id"])
                else:
                    ids.append((await create_job(client, productName=f"Chaos Kit {n}"))["id"])
            uuids = [uuid.UUID(i) for i in ids]

            async def enough(kills: list[Kill]) -> bool:
                return len(kills) >= MIN_KILLS and await cut_short(engine, uuids, kills)

            kills = await kill_workers(stack, KILL_SECONDS, random.Random(9), enough=enough)

            async def all_done() -> bool:
                states = [
                    (await gql(client, ATTEMPTS, {"id": job_id}))["data"]["job"]["status"]
                    for job_id in ids
                ]
                return all(s in ("COMPLETED", "FAILED", "CANCELLED") for s in states)

            await wait_for(all_done, timeout=180, interval=0.5)
            views = [(await gql(client, ATTEMPTS, {"id": i}))["data"]["job"] for i in ids]
        result = await report(engine, [uuid.UUID(i) for i in ids], kills)
    finally:
        await engine.dispose()
        await asyncio.to_thread(stack.stop)

    assert len(kills) >= MIN_KILLS
    assert [job.status for job in result.jobs] == [JobStatus.COMPLETED] * JOBS
    for stage in result.stages:
        assert stage.status == StageStatus.COMPLETED
        assert stage.started_at and stage.completed_at and stage.completed_at > stage.started_at
        completed = [
            a
            for a in result.attempts_of(stage.job_id, stage.stage_name)
            if a.outcome == AttemptOutcome.COMPLETED
        ]
        # One completed attempt per stage, and the stage's times are that attempt's.
        assert len(completed) == 1
        assert (completed[0].started_at, completed[0].ended_at) == (
            stage.started_at,
            stage.completed_at,
        )
    assert all(a.outcome != AttemptOutcome.RUNNING for a in result.attempts)
    assert result.overlaps == []
    # The kills did hit running stages, and what they cut short is on record.
    assert sum(n for (_, outcome), n in result.outcomes.items() if outcome == "crashed") >= 1
    for job_id in ids:
        work_dir = settings.media_root / "jobs" / job_id
        assert sorted(p.name for p in work_dir.rglob("*.mp4")) == ["ad.mp4"]
        assert temp_files(work_dir) == []
        assert processes_working_in(work_dir) == []
    # The API tells the same story.
    for view in views:
        assert view["status"] == "COMPLETED" and view["videoUrl"]
        for stage in view["stages"]:
            outcomes = [a["outcome"] for a in stage["attempts"]]
            assert outcomes[-1] == "completed" and outcomes.count("completed") == 1
            assert [a["attempt"] for a in stage["attempts"]] == list(range(1, len(outcomes) + 1))
