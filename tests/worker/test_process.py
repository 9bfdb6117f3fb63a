"""The worker process's own start-up and shut-down helpers, on real Redis."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from arq.connections import RedisSettings
from arq.worker import Worker, func
from redis.exceptions import ConnectionError as RedisConnectionError

from worker.process import close_worker


async def _never_called(ctx: dict[str, Any]) -> None:
    raise AssertionError("no job is queued")


async def _running(redis_url: str) -> tuple[Worker, asyncio.Task[None]]:
    worker = Worker(
        functions=[func(_never_called, name="never")],
        queue_name="test-close",
        redis_settings=RedisSettings.from_dsn(redis_url),
        handle_signals=False,
        poll_delay=0.05,
    )
    running = asyncio.create_task(worker.main())
    async with asyncio.timeout(10):
        while worker._pool is None:  # connected: main() has made its pool
            await asyncio.sleep(0.01)
    # A job in flight that the shutdown's cancellation reaches before it can catch it.
    worker.tasks["in-flight"] = asyncio.create_task(asyncio.sleep(3600))
    return worker, running


async def _stop(running: asyncio.Task[None]) -> None:
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running


async def test_closing_a_worker_with_a_job_in_flight_finishes_the_shutdown(
    redis_url: str, redis: Any
) -> None:
    worker, running = await _running(redis_url)
    # arq's own close lets the job's CancelledError out, before its health key and pool are done
    # (or, on a loaded machine, trips over the poll still using the pool it is closing).
    with pytest.raises((asyncio.CancelledError, RedisConnectionError)):
        await worker.close()
    await worker.pool.aclose()
    await _stop(running)

    worker, running = await _running(redis_url)
    await close_worker(worker)  # ours completes
    assert worker._pool is None  # the pool was closed: close ran to its end
    await _stop(running)
