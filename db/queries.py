"""Reads and writes on jobs and stages. Helpers take a session and never commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AppSecret, Job, Stage, StageAttempt, WebhookAttempt, WebhookEvent
from db.types import utcnow
from domain.enums import AttemptOutcome, JobStatus, Style


@dataclass(frozen=True, slots=True)
class JobPosition:
    """Where a job sits in the newest-first order: the keyset for pagination."""

    created_at: datetime
    id: uuid.UUID


async def get_job(
    session: AsyncSession, job_id: uuid.UUID, owner: str | None, *, for_update: bool = False
) -> Job | None:
    """The job, or None when it does not exist or belongs to someone else (owner=None: any).

    for_update locks the row (PostgreSQL) so two state changes cannot interleave.
    """
    stmt = select(Job).where(Job.id == job_id)
    if owner is not None:
        stmt = stmt.where(Job.owner == owner)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def job_stages(session: AsyncSession, job_id: uuid.UUID) -> list[Stage]:
    """One job's four stages, in pipeline order."""
    stmt = select(Stage).where(Stage.job_id == job_id).order_by(Stage.position)
    return list((await session.execute(stmt)).scalars())


async def list_jobs(
    session: AsyncSession,
    owner: str,
    *,
    limit: int,
    after: JobPosition | None = None,
    status: JobStatus | None = None,
    style: Style | None = None,
) -> Sequence[Job]:
    """One owner's jobs, newest first, strictly after `after`; at most `limit` rows."""
    stmt = select(Job).where(Job.owner == owner)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if style is not None:
        stmt = stmt.where(Job.style == style)
    if after is not None:
        stmt = stmt.where(
            or_(
                Job.created_at < after.created_at,
                and_(Job.created_at == after.created_at, Job.id < after.id),
            )
        )
    stmt = stmt.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def stages_for_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Stage]]:
    """Stages of many jobs in one statement, in pipeline order."""
    rows = (
        (
            await session.execute(
                select(Stage)
                .where(Stage.job_id.in_(job_ids))
                .order_by(Stage.job_id, Stage.position)
            )
        )
        .scalars()
        .all()
    )
    by_job: dict[uuid.UUID, list[Stage]] = {job_id: [] for job_id in job_ids}
    for stage in rows:
        by_job[stage.job_id].append(stage)
    return by_job


async def record_change(session: AsyncSession, job: Job) -> int:
    """Stamp a change of `job` (or its stages) in the caller's transaction: updated_at, and the
    job's next event sequence number, which is returned for the event that announces it.

    The sequence is an UPDATE ... RETURNING, so two writers (API cancelling, worker progressing)
    never take the same number: the row lock orders them.
    """
    job.updated_at = utcnow()
    await session.flush()
    result = await session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(event_sequence=Job.event_sequence + 1)
        .returning(Job.event_sequence)
    )
    job.event_sequence = int(result.scalar_one())
    return job.event_sequence


async def attempts_for_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StageAttempt]]:
    """Every attempt of many jobs in one statement, oldest first per stage."""
    rows = (
        await session.execute(
            select(StageAttempt)
            .where(StageAttempt.job_id.in_(job_ids))
            .order_by(StageAttempt.job_id, StageAttempt.stage_name, StageAttempt.attempt)
        )
    ).scalars()
    by_job: dict[uuid.UUID, list[StageAttempt]] = {job_id: [] for job_id in job_ids}
    for attempt in rows:
        by_job[attempt.job_id].append(attempt)
    return by_job


async def attempt_costs(session: AsyncSession, job_id: uuid.UUID) -> dict[str, Decimal]:
    """What each stage of a job has spent, over all its attempts (stage name -> USD)."""
    rows = await session.execute(
        select(StageAttempt.stage_name, func.sum(StageAttempt.cost_usd))
        .where(StageAttempt.job_id == job_id)
        .group_by(StageAttempt.stage_name)
    )
    return {str(name): Decimal(total or 0) for name, total in rows}


async def close_open_attempts(
    session: AsyncSession, job_id: uuid.UUID, outcome: AttemptOutcome, error: str | None
) -> list[StageAttempt]:
    """Close every attempt of the job that is still running; returns them (oldest first)."""
    attempts = list(
        (
            await session.execute(
                select(StageAttempt)
                .where(
                    StageAttempt.job_id == job_id,
                    StageAttempt.outcome == AttemptOutcome.RUNNING,
                )
                .order_by(StageAttempt.id)
            )
        ).scalars()
    )
    now = utcnow()
    for attempt in attempts:
        attempt.outcome = outcome
        attempt.ended_at = now
        attempt.error = error
    return attempts


async def raise_attempt_cost(session: AsyncSession, attempt_id: int, spent: Decimal) -> None:
    """Set an attempt's cost to `spent` unless it already records more (writes may race)."""
    await session.execute(
        update(StageAttempt)
        .where(StageAttempt.id == attempt_id, StageAttempt.cost_usd < spent)
        .values(cost_usd=spent)
    )


async def get_or_create_secret(
    session_factory: async_sessionmaker[AsyncSession], name: str, make: Callable[[], str]
) -> str:
    """The secret called `name`; the first process to ask creates it (its own transaction)."""
    try:
        async with session_factory() as session, session.begin():
            session.add(AppSecret(name=name, value=make()))
    except IntegrityError:
        pass  # another process made it first
    async with session_factory() as session:
        return (
            await session.execute(select(AppSecret.value).where(AppSecret.name == name))
        ).scalar_one()


async def next_webhook_event(session: AsyncSession, job_id: uuid.UUID) -> WebhookEvent | None:
    """The job's oldest event not delivered and not given up on (events go out in order)."""
    return (
        await session.execute(
            select(WebhookEvent)
            .where(
                WebhookEvent.job_id == job_id,
                WebhookEvent.delivered_at.is_(None),
                WebhookEvent.gave_up_at.is_(None),
            )
            .order_by(WebhookEvent.sequence)
            .limit(1)
        )
    ).scalar_one_or_none()


async def jobs_with_due_webhooks(
    session: AsyncSession, due_before: datetime, limit: int = 500
) -> list[uuid.UUID]:
    """Jobs with an undelivered event due by `due_before` (the sweep re-queues their delivery)."""
    rows = await session.execute(
        select(WebhookEvent.job_id)
        .where(
            WebhookEvent.delivered_at.is_(None),
            WebhookEvent.gave_up_at.is_(None),
            WebhookEvent.next_attempt_at <= due_before,
        )
        .group_by(WebhookEvent.job_id)
        .limit(limit)
    )
    return list(rows.scalars())


async def webhook_attempts_for_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[WebhookAttempt, WebhookEvent]]]:
    """Every webhook POST of many jobs with its event, in the order they were made."""
    rows = await session.execute(
        select(WebhookAttempt, WebhookEvent)
        .join(WebhookEvent, WebhookAttempt.event_id == WebhookEvent.id)
        .where(WebhookAttempt.job_id.in_(job_ids))
        .order_by(WebhookAttempt.job_id, WebhookAttempt.id)
    )
    by_job: dict[uuid.UUID, list[tuple[WebhookAttempt, WebhookEvent]]] = {
        job_id: [] for job_id in job_ids
    }
    for attempt, event in rows:
        by_job[attempt.job_id].append((attempt, event))
    return by_job


async def jobs_by_ids(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], owner: str
) -> dict[uuid.UUID, list[Job]]:
    """The owner's jobs among `job_ids`, one statement: id -> [job], or [] when not theirs."""
    rows = await session.execute(select(Job).where(Job.id.in_(job_ids), Job.owner == owner))
    by_id: dict[uuid.UUID, list[Job]] = {job_id: [] for job_id in job_ids}
    for job in rows.scalars():
        by_id[job.id].append(job)
    return by_id


async def variants_for_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], owner: str
) -> dict[uuid.UUID, list[Job]]:
    """The owner's variants of many jobs in one statement, oldest first per source."""
    rows = await session.execute(
        select(Job)
        .where(Job.variant_of.in_(job_ids), Job.owner == owner)
        .order_by(Job.created_at, Job.id)
    )
    by_source: dict[uuid.UUID, list[Job]] = {job_id: [] for job_id in job_ids}
    for job in rows.scalars():
        assert job.variant_of is not None
        by_source[job.variant_of].append(job)
    return by_source
