"""The sweep: no job is ever stranded, and no job is ever started twice.

One loop per worker process (`sweep_forever`), whose first pass runs as the worker starts and
then every WORKER_SWEEP_INTERVAL_SECONDS:
- a PENDING job with no arq job (Redis was down at createJob, or was flushed) is enqueued;
- a job whose run died (no lease) while arq still marks it in progress has that stale marker
  cleared, so the queued run is taken again at once instead of when the marker expires;
- a job with a webhook event due and not delivered has its delivery queued again (a lost
  enqueue, or one refused while the previous delivery task was ending).

Clearing a marker is one atomic step in Redis (`_RECLAIM`), taken only when nobody holds the
job's lease and the marker is older than the grace a worker has between picking a job up and
taking its lease. A marker arq set a moment ago, for a run that is about to take the lease, is
therefore never cleared, however many sweeps in however many workers look at it.
Enqueueing is idempotent (the arq job id is the job id), so many workers may sweep at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog
from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlalchemy import select

from db import queries
from db.models import Job
from db.types import utcnow
from domain.enums import JobStatus
from lifecycle.queue import enqueue_run_job
from lifecycle.webhooks import enqueue_delivery
from settings import Settings
from worker.context import WorkerState
from worker.lease import lease_key

log = structlog.get_logger("worker.sweep")

# Our own deadline (JOB_TIMEOUT_SECONDS) fails the stage cleanly; arq's comes this much later.
ARQ_TIMEOUT_MARGIN_SECONDS = 30

# KEYS: the job's lease, arq's in-progress marker. ARGV: the marker's full lifetime and the
# grace after pick-up, in ms. Returns 1 cleared, 0 left alone, -1 no marker.
_RECLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl = redis.call('PTTL', KEYS[2])
if ttl == -2 then return -1 end
if ttl == -1 then return 0 end
if tonumber(ARGV[1]) - ttl < tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[2])
return 1
"""


def arq_timeout_seconds(settings: Settings) -> float:
    return settings.job_timeout_seconds + ARQ_TIMEOUT_MARGIN_SECONDS


def marker_lifetime_ms(settings: Settings) -> int:
    """How long arq's in-progress marker lives when set: the longest function timeout + 10 s
    (arq.worker.Worker.in_progress_timeout_s). Every worker shares JOB_TIMEOUT_SECONDS."""
    return int((arq_timeout_seconds(settings) + 10) * 1000)


async def sweep(state: WorkerState) -> int:
    """One pass. Returns how many jobs it handed back to the queue."""
    settings = state.settings
    # A job that changed within the lease period is most likely in the hands of a live run
    # that will renew (or, after a Redis restart, re-take) its lease: look again next pass.
    settled = utcnow() - timedelta(seconds=settings.worker_lease_seconds)
    async with state.session_factory() as session:
        rows = (
            await session.execute(
                select(Job.id, Job.status, Job.updated_at).where(
                    Job.status.in_([JobStatus.PENDING, JobStatus.PROCESSING])
                )
            )
        ).all()
    redis = state.redis
    reclaim = redis.register_script(_RECLAIM)
    lifetime = marker_lifetime_ms(settings)
    grace = int(settings.worker_lease_seconds * 1000)
    requeued = 0
    for job_id, status, updated_at in rows:
        key = str(job_id)
        if status == JobStatus.PROCESSING and updated_at >= settled:
            continue
        outcome = await reclaim(
            keys=[lease_key(key), in_progress_key_prefix + key], args=[lifetime, grace]
        )
        if outcome == 1:
            log.warning("sweep.reclaimed", job_id=key, status=status.value)
            requeued += 1
        elif (
            outcome == -1
            and not await redis.exists(lease_key(key))
            and not await redis.exists(job_key_prefix + key)
            and await enqueue_run_job(redis, key)
        ):
            log.info("sweep.enqueued", job_id=key, status=status.value)
            requeued += 1
    await _requeue_webhooks(state)
    return requeued


async def _requeue_webhooks(state: WorkerState) -> None:
    # Events recorded a moment ago have their delivery queued by the change itself.
    due = utcnow() - timedelta(seconds=state.settings.worker_sweep_interval_seconds)
    async with state.session_factory() as session:
        job_ids = await queries.jobs_with_due_webhooks(session, due)
    for job_id in job_ids:
        await enqueue_delivery(state.redis, job_id)


async def sweep_forever(state: WorkerState) -> None:
    """The worker's only sweep path: the first pass at once, then one per interval."""
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
