"""Money spent by an attempt whose worker dies stays on the ledger: a hosted video stage is
billed per prediction as it goes, the worker is SIGKILLed mid-stage, another finishes the job,
and the job's cost is what both attempts really spent."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from db.engine import create_engine, create_session_factory
from db.models import StageAttempt
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from domain.enums import AttemptOutcome, StageName
from tests.conftest import STACK_ENV, make_settings
from tests.factories import create_job, wait_for_job
from tests.pipeline.providers.conftest import REPLICATE_TOKEN
from tests.pipeline.providers.fakes.replicate_api import FakeReplicate
from tests.worker.conftest import wait_for

JOB = """
query($id: ID!) { job(id: $id) { status costUsd
  stages { name costUsd attempts { outcome costUsd } } } }
"""
PER_PREDICTION = Decimal("0.0014") * Decimal("7.25")  # default price x the fake's predict_time


@pytest.mark.slow(seconds=22)
async def test_hosted_cost_of_a_crashed_attempt_is_kept(
    replicate: tuple[FakeReplicate, str], redis_url: str, redis: aioredis.Redis, tmp_path: Path
) -> None:
    fake, url = replicate
    fake.polls_to_finish = 4
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'costs.db'}", redis_url, tmp_path)
    env = {
        **STACK_ENV,
        "AD_SECONDS": "6",
        "WORKER_LEASE_SECONDS": "1.5",
        "WORKER_SWEEP_INTERVAL_SECONDS": "0.5",
        "VIDEO_PROVIDER": "hosted",
        "REPLICATE_API_TOKEN": REPLICATE_TOKEN,
        "REPLICATE_BASE_URL": url,
        "REPLICATE_CONCURRENCY": "1",
        "REPLICATE_POLL_SECONDS": "0.25",
        "FALLBACK_TO_OFFLINE": "false",
        "API_KEYS": "",
    }
    stack = Stack(settings, port=free_port(), env=env, quiet=True, worker_groups=True)
    await asyncio.to_thread(stack.start)
    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            job_id = (await create_job(client))["id"]

            async def billed() -> bool:
                async with factory() as session:
                    spent = await session.scalar(
                        select(StageAttempt.cost_usd).where(
                            StageAttempt.job_id == uuid.UUID(job_id),
                            StageAttempt.stage_name == StageName.VIDEO_GEN,
                            StageAttempt.outcome == AttemptOutcome.RUNNING,
                        )
                    )
                return bool(spent)

            # The first prediction is paid for and recorded; the others are still to come.
            await wait_for(billed, timeout=90, interval=0.05)
            await asyncio.to_thread(stack.kill_worker, stack.workers[0])
            await asyncio.to_thread(stack.start_worker)

            job = await wait_for_job(client, JOB, job_id, ("COMPLETED",))
    finally:
        await engine.dispose()
        await asyncio.to_thread(stack.stop)

    video = next(s for s in job["stages"] if s["name"] == "VIDEO_GEN")
    outcomes = [a["outcome"] for a in video["attempts"]]
    assert outcomes == ["crashed", "completed"]
    crashed, done = (Decimal(str(a["costUsd"])) for a in video["attempts"])
    assert crashed >= PER_PREDICTION.quantize(Decimal("0.000001"))
    moving_scenes = 3
    assert done == (PER_PREDICTION * moving_scenes).quantize(Decimal("0.000001"))
    # The stage and the job cost both attempts: what was really spent.
    assert Decimal(str(video["costUsd"])) == crashed + done
    assert Decimal(str(job["costUsd"])) == crashed + done
