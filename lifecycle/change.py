"""Every change of a job, from the API or a worker: committed first, then published.

`change_job` is one short transaction. It locks the job row (PostgreSQL; SQLite serialises
writers anyway), refuses when the job is gone or not in a status the change applies to, or, for
a worker, when another run holds the job (`fence`: the run id written by the run that took it).
The caller changes the job and its stages inside the block; on the way out the move is checked
against `lifecycle.transitions`, the job's next event sequence number is taken in the same
transaction, and only after the commit is the event published. A publish that fails costs
nothing: the database has the state, and subscribers re-read it when the hub reconnects. A
status change a webhook hears about is written to its outbox in the same transaction
(lifecycle.webhooks) and its delivery queued after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import queries
from db.models import Job, Stage
from domain.enums import JobStatus, StageName, StageStatus
from events.format import event_for
from events.publisher import publish
from lifecycle.transitions import check
from lifecycle.webhooks import enqueue_delivery, record_event


class JobGone(Exception):
    """The job does not exist (for this owner), or is no longer in a status the change needs."""

    def __init__(self, job_id: uuid.UUID, job: Job | None) -> None:
        super().__init__(f"job {job_id} is {job.status.name if job else 'gone'}")
        self.job = job  # as it is now, when it exists


class Superseded(JobGone):
    """Another run holds the job now: this one must not write again."""


@dataclass
class Change:
    """The job and its stages as the transaction sees them; `stage` and `message` say what the
    published event is about."""

    job: Job
    stages: list[Stage]
    session: AsyncSession
    stage: Stage | None = None
    message: str | None = None

    def stage_named(self, name: StageName) -> Stage:
        return next(s for s in self.stages if s.stage_name == name)


@asynccontextmanager
async def change_job(
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
    job_id: uuid.UUID,
    *,
    expect: Collection[JobStatus],
    owner: str | None = None,
    fence: str | None = None,
    publish_event: bool = True,
) -> AsyncIterator[Change]:
    """Change one job in one transaction, then announce it. `owner` (API) hides other owners'
    jobs; `fence` (worker) refuses unless `jobs.run_id` is that run's."""
    async with session_factory() as session, session.begin():
        job = await queries.get_job(session, job_id, owner, for_update=True)
        refused = job is None or job.status not in expect
        if job is not None and (refused or (fence is not None and job.run_id != fence)):
            # Keep the job readable for the caller's error message: the rollback that the
            # exception causes would expire it.
            session.expunge(job)
            raise JobGone(job_id, job) if refused else Superseded(job_id, job)
        if job is None:
            raise JobGone(job_id, None)
        before = job.status
        change = Change(job, await queries.job_stages(session, job_id), session)
        yield change
        check(before, job.status)
        sequence = await queries.record_change(session, job)
        told = record_event(session, job, before, sequence)
    if publish_event:
        event = event_for(job, change.stages, sequence, stage=change.stage, message=change.message)
        await publish(redis, event)
    if told:
        await enqueue_delivery(redis, job.id)


def skip_unfinished(stages: list[Stage]) -> None:
    """A cancelled or failed job: stages that had not finished will not run."""
    for stage in stages:
        if stage.status in (StageStatus.PENDING, StageStatus.PROCESSING):
            stage.status = StageStatus.SKIPPED


def reset_unfinished(stages: list[Stage]) -> None:
    """A retried job: every stage not COMPLETED runs again from the start; completed ones stay."""
    for stage in stages:
        if stage.status != StageStatus.COMPLETED:
            stage.status = StageStatus.PENDING
            stage.progress = 0
            stage.started_at = stage.completed_at = None
            stage.error_message = None
