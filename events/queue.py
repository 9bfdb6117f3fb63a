"""Enqueueing `run_job` on the arq queue.

The arq job id is the job's own id, so enqueueing is idempotent: arq refuses a second job with an
id that is queued or running. The worker keeps no results (`keep_result=0`), so a job id is free
again as soon as a run ends, which is what `retryJob` needs.
"""

from __future__ import annotations

import uuid

from arq.connections import ArqRedis
from arq.constants import abort_jobs_ss
from redis.exceptions import RedisError

QUEUE_NAME = "video_generation_queue"
RUN_JOB = "run_job"
RESULT_KEY_PREFIX = "arq:result:"


async def enqueue_run_job(redis: ArqRedis, job_id: uuid.UUID | str) -> bool:
    """Queue `run_job(job_id)`. True if queued now, False if it was already queued or running.

    Raises RedisError when Redis cannot be reached: callers decide whether that is fatal (for
    createJob it is not: the job stays PENDING and the worker's sweep enqueues it).
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


__all__ = ["QUEUE_NAME", "RUN_JOB", "RedisError", "enqueue_run_job"]
