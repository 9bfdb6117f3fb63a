"""The sweep: no job is ever stranded.

Runs at worker start-up and then every WORKER_SWEEP_INTERVAL_SECONDS:
- a PENDING job with no arq job (Redis was down at createJob, or was flushed) is enqueued;
- a PROCESSING job whose lease lapsed lost its worker: arq's stale in-progress marker is cleared
  so the queued run is taken again at once, or, if arq no longer has it, it is enqueued.
Enqueueing is idempotent (the arq job id is the job id), so many workers may sweep at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog
from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlalchemy import select

from db.models import Job, JobStatus
from db.types import utcnow
from events.queue import enqueue_run_job
from worker.context import WorkerState
from worker.lease import lease_alive

log = structlog.get_logger("worker.sweep")


async def sweep(state: WorkerState) -> int:
    """One pass. Returns how many jobs it handed back to the queue."""
    # A job that changed in the last lease period may be between arq picking it up and our
    # lease being taken: its in-progress marker is left alone until the next pass.
    settled = utcnow() - timedelta(seconds=state.settings.worker_lease_seconds)
    async with state.session_factory() as session:
        rows = (
            await session.execute(
                select(Job.id, Job.status, Job.updated_at).where(
                    Job.status.in_([JobStatus.PENDING, JobStatus.PROCESSING])
                )
            )
        ).all()
    redis = state.redis
    requeued = 0
    for job_id, status, updated_at in rows:
        key = str(job_id)
        if await lease_alive(redis, key):
            continue
        if status == JobStatus.PROCESSING and updated_at >= settled:
            # Moved within the lease period: its worker is most likely alive and will renew
            # (or re-take, after a Redis restart) its lease. Look again next pass.
            continue
        # No live worker holds it. A leftover in-progress marker means its worker died: clear
        # it so the queued run is taken again now instead of when the marker expires.
        if updated_at < settled and await redis.delete(in_progress_key_prefix + key):
            log.warning("sweep.reclaimed", job_id=key, status=status.value)
            requeued += 1
        elif not await redis.exists(job_key_prefix + key) and await enqueue_run_job(redis, key):
            log.info("sweep.enqueued", job_id=key, status=status.value)
            requeued += 1
    return requeued


async def sweep_forever(state: WorkerState) -> None:
    while True:
        try:
            await sweep(state)
        except Exception:
            log.exception("sweep.failed")  # Redis or the database away: try again next time
        await asyncio.sleep(state.settings.worker_sweep_interval_seconds)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
