"""arq WorkerSettings, built from our Settings: queue, limits, start-up and shut-down."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
from typing import Any

import structlog
from arq.connections import RedisSettings
from arq.worker import Worker, func
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError, TimeoutError

from db.engine import create_engine, create_session_factory
from events.redis import arq_redis
from lifecycle.queue import QUEUE_NAME
from lifecycle.workers import STATUS_PREFIX, publish
from pipeline.providers.choice import build_providers
from pipeline.shared.child import die_with_parent
from pipeline.shared.memory import limit_arenas
from pipeline.shared.threads import limit_numeric_threads
from settings import Settings, providers_config
from storage import open_store
from worker.context import WorkerState, state_of
from worker.run_job import run_job
from worker.status import report_forever, status_of
from worker.sweep import arq_timeout_seconds, stop, sweep_forever
from worker.webhooks import webhook_client, webhook_worker

log = structlog.get_logger("worker")

ARQ_MAX_TRIES = 1000
ARQ_WORKER = "arq_worker"  # the Worker itself, in its ctx


def _redis_settings(url: str) -> RedisSettings:
    """arq's connection, made to ride out a Redis restart (up to ~30 s) instead of crashing the
    worker mid-job: commands that hit a dropped connection are retried with jittered backoff."""
    return dataclasses.replace(
        RedisSettings.from_dsn(url),
        conn_retries=10,
        retry_on_timeout=True,
        retry_on_error=[ConnectionError, TimeoutError, OSError],
        retry=Retry(ExponentialWithJitterBackoff(base=0.1, cap=2.0), retries=20),
    )


async def close_worker(worker: Worker) -> None:
    """Close an arq worker run inside ours (handle_signals=False). arq's close cancels the jobs
    in flight and then gathers them without return_exceptions: a job cancelled before it could
    catch the cancellation (in its first Redis round trip, say) makes close raise
    CancelledError, and the rest of our shut-down (the database, Redis) would be skipped. So
    they are cancelled and collected here first, and close finds nothing left to gather."""
    worker.handle_sig(signal.SIGUSR1)
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    worker.tasks.clear()
    await worker.close()


async def recycle_when_stuck(state: WorkerState, worker: Worker | None) -> None:
    """Once a stage's thread could not be stopped (worker/watchdog.py): take no new job, let the
    other slots finish (each is bounded by its own watchdog and the job's time-out), then stop;
    `python -m worker` then exits with RECYCLE_EXIT_CODE for its supervisor to start afresh."""
    await state.slots.recycle.wait()
    log.error("worker.recycling", reason="a stage's thread could not be stopped")
    with contextlib.suppress(Exception):  # said at once; the report loop says it again
        await publish(state.redis, status_of(state))
    if worker is None:  # not run through build_worker: stop as a signal would
        os.kill(os.getpid(), signal.SIGTERM)
        return
    worker.allow_pick_jobs = False
    while running := [task for task in worker.tasks.values() if not task.done()]:
        await asyncio.wait(running)
    worker.handle_sig(signal.SIGTERM)


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    """The arq Worker, knowing itself through its ctx (so a stuck worker can stop taking jobs
    and end: recycle_when_stuck)."""
    worker = Worker(**{**worker_settings(settings), **overrides})
    worker.ctx[ARQ_WORKER] = worker
    return worker


def worker_settings(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `arq.worker.Worker` / `run_worker`."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set (make serve starts an embedded Redis)")

    async def on_startup(ctx: dict[str, Any]) -> None:
        limit_arenas()
        threads = limit_numeric_threads()
        die_with_parent()  # looked up once, before the first child
        engine = create_engine(settings.database_url)
        session_factory = create_session_factory(engine)
        providers = build_providers(providers_config(settings))
        state = WorkerState(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            # Our own client for events and leases, with the timeouts we want; arq's pool
            # (ctx["redis"]) stays arq's.
            redis=arq_redis(settings.redis_url or "", client_name="adreel-worker"),
            stages=providers.stages,
            store=await open_store(settings, session_factory),
            providers=providers,
        )
        ctx["state"] = state
        settings.media_root.mkdir(parents=True, exist_ok=True)
        log.info(
            "worker.started",
            worker_id=state.worker_id,
            providers={name.value: provider for name, provider in providers.names().items()},
            numeric_threads=threads,
        )
        # The one sweep path: its first pass runs now, the next ones every interval.
        ctx["sweeper"] = asyncio.create_task(sweep_forever(state), name="sweep")
        ctx["warm_up"] = asyncio.create_task(providers.warm_up(), name="warm-up")
        ctx["status"] = asyncio.create_task(report_forever(state), name="status")
        ctx["recycler"] = asyncio.create_task(
            recycle_when_stuck(state, ctx.get(ARQ_WORKER)), name="recycler"
        )
        # Webhook deliveries: their own queue and slots, never a render's.
        ctx["webhook_http"] = http = webhook_client()
        hooks = webhook_worker(state, _redis_settings(settings.redis_url or ""), http)
        ctx["webhook_worker"] = hooks
        ctx["webhooks"] = asyncio.create_task(hooks.async_run(), name="webhooks")

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "webhook_worker" in ctx:
            await close_worker(ctx["webhook_worker"])  # cancels its deliveries; they are retried
            await stop(ctx["webhooks"])
            await ctx["webhook_http"].aclose()
        if "sweeper" in ctx:
            await stop(ctx["sweeper"])
        for name in ("warm_up", "status", "recycler"):
            if name in ctx:
                await stop(ctx[name])
        if "state" in ctx:
            state = state_of(ctx)
            if state.providers is not None:
                await state.providers.aclose()
            with contextlib.suppress(Exception):  # gone: no longer counted as a live worker
                await state.redis.delete(STATUS_PREFIX + state.worker_id)
            await state.redis.aclose()
            await state.engine.dispose()
        log.info("worker.stopped")

    return {
        "functions": [
            func(
                run_job,
                name="run_job",
                # run_job fails a stage at JOB_TIMEOUT_SECONDS itself; arq's limit is a backstop.
                timeout=arq_timeout_seconds(settings),
                # The job row counts tries (JOB_MAX_TRIES), crashes included, and fails the job
                # with a reason. arq's own count also grows on refused duplicate pick-ups; if it
                # ever runs out, arq drops its copy silently and the sweep queues a fresh one.
                max_tries=ARQ_MAX_TRIES,
                keep_result=0,  # the database holds results; a kept result would block retries
            )
        ],
        "queue_name": QUEUE_NAME,
        "redis_settings": _redis_settings(settings.redis_url),
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": arq_timeout_seconds(settings),
        "max_tries": ARQ_MAX_TRIES,
        "keep_result": 0,
        "allow_abort_jobs": True,
        "poll_delay": settings.worker_poll_delay,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "handle_signals": True,
        "health_check_interval": 30,
    }
