"""cancelJob and retryJob: state transitions, each one committed unit of work."""

from __future__ import annotations

import uuid

import structlog
from arq.jobs import Job as ArqJob

from db import queries
from db.models import AttemptOutcome, Job, JobStatus
from events.format import event_for
from events.publisher import publish
from events.queue import QUEUE_NAME, RedisError, enqueue_run_job
from resolvers.context import Context
from resolvers.errors import INVALID_STATE, NOT_FOUND, FieldError
from resolvers.jobs import parse_job_id

log = structlog.get_logger(__name__)

CANCELLABLE = (JobStatus.PENDING, JobStatus.PROCESSING)
RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELLED)


def _not_found() -> FieldError:
    return FieldError(NOT_FOUND, "job not found", ("id",))


async def _transition(
    ctx: Context, raw_id: str, allowed: tuple[JobStatus, ...], to: JobStatus, verb: str
) -> tuple[Job | None, list[FieldError]]:
    job_id = parse_job_id(raw_id)
    if job_id is None:
        return None, [_not_found()]
    async with ctx.session() as session, session.begin():
        job = await queries.get_job(session, job_id, ctx.owner, for_update=True)
        if job is None:
            return None, [_not_found()]
        if job.status not in allowed:
            names = " or ".join(s.name for s in allowed)
            message = f"cannot {verb} a {job.status.name} job; only {names} jobs"
            return job, [FieldError(INVALID_STATE, message, ("id",))]
        if to == JobStatus.CANCELLED:
            await queries.skip_unfinished_stages(session, job_id)
            await queries.close_open_attempts(
                session, job_id, AttemptOutcome.CANCELLED, "cancelled (cancelJob)"
            )
        else:
            await queries.reset_unfinished_stages(session, job_id)
            job.error_message = None
            job.tries = 0  # a retry gets JOB_MAX_TRIES runs of its own
            job.run_id = None
        job.status = to
        sequence = await queries.record_change(session, job)
        stages = await queries.job_stages(session, job_id)
    message = "job cancelled" if to == JobStatus.CANCELLED else "job queued for retry"
    await publish(ctx.services.redis, event_for(job, stages, sequence, message=message))
    return job, []


async def cancel_job(ctx: Context, raw_id: str) -> tuple[Job | None, list[FieldError]]:
    job, errors = await _transition(ctx, raw_id, CANCELLABLE, JobStatus.CANCELLED, "cancel")
    if job is not None and not errors:
        log.info("job.cancelled", job_id=str(job.id))
        await _abort(ctx, job.id)
    return job, errors


async def retry_job(ctx: Context, raw_id: str) -> tuple[Job | None, list[FieldError]]:
    job, errors = await _transition(ctx, raw_id, RETRYABLE, JobStatus.PENDING, "retry")
    if job is not None and not errors:
        log.info("job.retried", job_id=str(job.id))
        try:
            await enqueue_run_job(ctx.services.redis, job.id)
        except (RedisError, OSError) as exc:
            log.warning("job.enqueue_deferred", job_id=str(job.id), error=type(exc).__name__)
    return job, errors


async def _abort(ctx: Context, job_id: uuid.UUID) -> None:
    """Ask arq to abort the run: a queued one never starts, a running one is cancelled, which
    kills its ffmpeg. The database already says CANCELLED, which the worker respects."""
    arq_job = ArqJob(str(job_id), ctx.services.redis, _queue_name=QUEUE_NAME)
    try:
        await arq_job.abort(timeout=0, poll_delay=0.05)
    except (TimeoutError, RedisError, OSError) as exc:
        # TimeoutError: the abort is recorded and the worker acts on it; we do not wait.
        if not isinstance(exc, TimeoutError):
            log.warning("job.abort_failed", job_id=str(job_id), error=type(exc).__name__)
