"""cancelJob and retryJob: state transitions, each one committed unit of work (lifecycle.change)."""

from __future__ import annotations

import structlog

from db import queries
from db.models import Job
from domain.enums import AttemptOutcome, JobStatus
from lifecycle.change import Change, JobGone, change_job, reset_unfinished, skip_unfinished
from lifecycle.queue import abort_run, enqueue_or_defer
from lifecycle.transitions import CANCELLABLE, RETRYABLE
from resolvers.context import Context
from resolvers.errors import INVALID_STATE, NOT_FOUND, FieldError
from resolvers.jobs import parse_job_id

log = structlog.get_logger(__name__)


def _not_found() -> FieldError:
    return FieldError(NOT_FOUND, "job not found", ("id",))


async def _transition(
    ctx: Context, raw_id: str, allowed: tuple[JobStatus, ...], verb: str, to: JobStatus
) -> tuple[Job | None, list[FieldError]]:
    job_id = parse_job_id(raw_id)
    if job_id is None:
        return None, [_not_found()]
    services = ctx.services
    try:
        async with change_job(
            services.session_factory, services.redis, job_id, expect=allowed, owner=ctx.owner
        ) as change:
            await _apply(change, to)
    except JobGone as gone:
        if gone.job is None:
            return None, [_not_found()]
        names = " or ".join(s.name for s in allowed)
        message = f"cannot {verb} a {gone.job.status.name} job; only {names} jobs"
        return gone.job, [FieldError(INVALID_STATE, message, ("id",))]
    return change.job, []


async def _apply(change: Change, to: JobStatus) -> None:
    job = change.job
    if to == JobStatus.CANCELLED:
        skip_unfinished(change.stages)
        await queries.close_open_attempts(
            change.session, job.id, AttemptOutcome.CANCELLED, "cancelled (cancelJob)"
        )
        change.message = "job cancelled"
    else:
        reset_unfinished(change.stages)
        job.error_message = None
        job.tries = 0  # a retry gets JOB_MAX_TRIES runs of its own
        job.run_id = None
        change.message = "job queued for retry"
    job.status = to


async def cancel_job(ctx: Context, raw_id: str) -> tuple[Job | None, list[FieldError]]:
    job, errors = await _transition(ctx, raw_id, CANCELLABLE, "cancel", JobStatus.CANCELLED)
    if job is not None and not errors:
        log.info("job.cancelled", job_id=str(job.id))
        await abort_run(ctx.services.redis, job.id)
    return job, errors


async def retry_job(ctx: Context, raw_id: str) -> tuple[Job | None, list[FieldError]]:
    job, errors = await _transition(ctx, raw_id, RETRYABLE, "retry", JobStatus.PENDING)
    if job is not None and not errors:
        log.info("job.retried", job_id=str(job.id))
        await enqueue_or_defer(ctx.services.redis, job.id)
    return job, errors
