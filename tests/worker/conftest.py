"""Worker fixtures: the API app over HTTP and real arq workers on real Redis.

Most tests run the worker in-process (arq's Worker, burst mode: it stops once the queue is
empty); the crash test runs `python -m worker` as real processes so it can SIGKILL one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq.worker import Worker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job, Stage
from settings import Settings
from tests.conftest import make_settings, serve_app
from worker.process import worker_settings
from worker.watchdog import task_stack, thread_stacks

# Short renders keep the suite fast; one test renders the full 30 s.
SHORT_AD_SECONDS = 4.0


@pytest.fixture(params=["sqlite"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Worker tests run on SQLite; the PostgreSQL worker path runs in test_postgres_worker."""
    return f"sqlite+aiosqlite:///{tmp_path / 'adreel.db'}"


@pytest.fixture
def settings(engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        redis_url,
        tmp_path,
        ad_seconds=SHORT_AD_SECONDS,
        worker_lease_seconds=2.0,
        worker_sweep_interval_seconds=0.5,
        job_max_tries=3,
    )


@pytest.fixture
async def api(settings: Settings, redis: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(settings) as (client, _app):
        yield client


def make_worker(settings: Settings, *, burst: bool = True) -> Worker:
    return Worker(**{**worker_settings(settings), "handle_signals": False, "burst": burst})


async def run_worker(settings: Settings, timeout: float = 120) -> None:
    """Run a worker until the queue is empty."""
    worker = make_worker(settings)
    try:
        async with asyncio.timeout(timeout):
            await worker.main()
    except TimeoutError as exc:
        # Where the jobs still running are stuck, in the failure's own message (a log this
        # long is cut short in CI's report): each job's task, then every thread's stack.
        raise TimeoutError(f"worker still busy after {timeout:g} s\n{_where_stuck()}") from exc
    finally:
        await worker.close()


def _where_stuck() -> str:
    tasks = [task_stack(task) for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    return "\n".join([*tasks, thread_stacks()])


async def load(engine: AsyncEngine, job_id: str) -> tuple[Job, list[Stage]]:
    factory = create_session_factory(engine)
    async with factory() as session:
        uid = uuid.UUID(job_id)
        job = (await session.execute(select(Job).where(Job.id == uid))).scalar_one()
        stages = list(
            (
                await session.execute(
                    select(Stage).where(Stage.job_id == uid).order_by(Stage.position)
                )
            ).scalars()
        )
    return job, stages


async def wait_for(
    check: Callable[[], Awaitable[bool]], timeout: float = 60, interval: float = 0.05
) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(interval)
