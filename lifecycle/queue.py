"""Queueing a job's run on arq.

The arq job id is the job's own id, so enqueueing is idempotent: arq refuses a second job with an
id that is queued or running. The worker keeps no results (`keep_result=0`), so a job id is free
again as soon as a run ends, which is what `retryJob` needs. A job is always committed before it
is queued; when Redis is away it stays PENDING and the worker's sweep queues it later.
"""

from __future__ import annotations

import uuid

import structlog
from arq.connections import ArqRedis
from arq.constants import abort_jobs_ss
from arq.jobs import Job as ArqJob
from redis.exceptions import RedisError

log = structlog.get_logger("lifecycle.queue")

QUEUE_NAME = "video_generation_queue"
RUN_JOB = "run_job"
RESULT_KEY_PREFIX = "arq:result:"


async def enqueue_run_job(redis: ArqRedis, job_id: uuid.UUID | str) -> bool:
    """Queue `run_job(job_id)`. True if queued now, False if it was already queued or running.

    Raises RedisError when Redis cannot be reached (see `enqueue_or_defer`).
    """
    job_id = str(job_id)
    async with redis.pipeline(transaction=True) as pipe:
        # A result kept by an older worker configuration would block the id; an abort left by an
        # earlier cancelJob would abort this new run before it starts.
        pipe.delete(RESULT_KEY_PREFIX + job_id)
        pipe.zrem(abort_jobs_ss, job_id)
        await pipe.execute()
    job = await redis.enqueue_job(RUN_JOB, job_id, _job_id=job_id, _queue_name=QUEUE_NAME)
    return job is not None


async def enqueue_or_defer(redis: ArqRedis, job_id: uuid.UUID | str) -> bool:
    """Queue the job's run now, or leave it PENDING for the sweep when Redis is away.
    True if it was queued now."""
    try:
        return await enqueue_run_job(redis, job_id)
    except (RedisError, OSError) as exc:
        log.warning("job.enqueue_deferred", job_id=str(job_id), error=type(exc).__name__)
        return False


async def abort_run(redis: ArqRedis, job_id: uuid.UUID | str) -> None:
    """Ask arq to abort the job's run: a queued one never starts, a running one is cancelled,
    which kills its ffmpeg. Not awaited: the database already says CANCELLED, which the worker
    respects at its next step."""
    try:
        await ArqJob(str(job_id), redis, _queue_name=QUEUE_NAME).abort(timeout=0, poll_delay=0.05)
    except TimeoutError:
        pass  # the abort is recorded and the worker acts on it
    except (RedisError, OSError) as exc:
        log.warning("job.abort_failed", job_id=str(job_id), error=type(exc).__name__)
