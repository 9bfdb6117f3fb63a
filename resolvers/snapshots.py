"""Snapshot reads for jobProgress, batched across every watcher of the process.

A watcher needs its job's state read *after* its subscription was confirmed (see
resolvers/progress.py). Watchers arrive in crowds: a popular job, a deploy, a load balancer
failing over, when thousands reconnect at once. One read each would queue them all behind the
connection pool, a few milliseconds apiece. Instead they are batched, like a DataLoader across
connections:

- a watcher joins the batch that is still collecting (it has not begun to read), so whatever
  that batch reads was read after the watcher subscribed: the ordering argument holds for each;
- a batch reads every job in it with two statements, whichever owners and how many watchers;
- at most READS_IN_FLIGHT batches read at once, and while they do the next one collects, so
  the busier the process, the larger the batches (and the fewer the reads).

Each watcher gets only its own owner's job: a batch reads by id, and a job that belongs to
someone else is, to that watcher, not found.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Job, Stage
from domain.enums import JobStatus, StageName, StageStatus
from events.format import JobEvent, event_for

READS_IN_FLIGHT = 2
MAX_BATCH = 500  # job ids in one statement: well under SQLite's and asyncpg's parameter limits

Snapshot = tuple[str, JobEvent]  # (owner, the job's state as an event)


class _Job(NamedTuple):
    id: uuid.UUID
    owner: str
    status: JobStatus
    event_sequence: int
    video_path: str | None
    error_message: str | None


class _Stage(NamedTuple):
    job_id: uuid.UUID
    stage_name: StageName
    status: StageStatus
    progress: int


# Only the columns an event needs, read as plain rows: no ORM objects to build per watcher.
_JOB = select(Job.id, Job.owner, Job.status, Job.event_sequence, Job.video_path, Job.error_message)
_STAGES = select(Stage.job_id, Stage.stage_name, Stage.status, Stage.progress)


def current_stage(stages: Sequence[_Stage]) -> _Stage | None:
    """The stage a snapshot talks about: the running one, else the last one that moved."""
    running = [s for s in stages if s.status == StageStatus.PROCESSING]
    if running:
        return running[0]
    moved = [s for s in stages if s.status != StageStatus.PENDING]
    return moved[-1] if moved else None


async def read_snapshots(
    session_factory: async_sessionmaker[AsyncSession], job_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Snapshot]:
    """The jobs among `job_ids` that exist, each as its owner and its state: two statements."""
    async with session_factory() as session:
        jobs = [_Job(*row) for row in await session.execute(_JOB.where(Job.id.in_(job_ids)))]
        rows = await session.execute(
            _STAGES.where(Stage.job_id.in_([job.id for job in jobs])).order_by(
                Stage.job_id, Stage.position
            )
        )
    stages: dict[uuid.UUID, list[_Stage]] = {job.id: [] for job in jobs}
    for row in rows:
        stage = _Stage(*row)
        stages[stage.job_id].append(stage)
    return {
        job.id: (
            job.owner,
            event_for(job, stages[job.id], job.event_sequence, stage=current_stage(stages[job.id])),
        )
        for job in jobs
    }


@dataclass(eq=False)
class _Batch:
    job_ids: set[uuid.UUID] = field(default_factory=set)
    result: asyncio.Future[dict[uuid.UUID, Snapshot]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Snapshots:
    """The process's snapshot batcher; lives as long as the API process (resolvers.services)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._collecting: _Batch | None = None
        self._slots: asyncio.Semaphore | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def read(self, job_id: uuid.UUID, owner: str) -> JobEvent | None:
        """The job's state, read after this call began; None when it is not `owner`'s."""
        batch = self._collecting
        if batch is None or len(batch.job_ids) >= MAX_BATCH:
            batch = self._collecting = _Batch()
            task = asyncio.create_task(self._read(batch), name="snapshot-batch")
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        batch.job_ids.add(job_id)
        # Shielded: a watcher that leaves does not cancel the read the others wait for.
        found = (await asyncio.shield(batch.result)).get(job_id)
        if found is None or found[0] != owner:
            return None
        return found[1]

    async def _read(self, batch: _Batch) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(READS_IN_FLIGHT)
        try:
            async with self._slots:
                self._close(batch)  # later watchers start the next batch
                snapshots = await read_snapshots(self._session_factory, list(batch.job_ids))
        except asyncio.CancelledError:
            self._close(batch)
            batch.result.cancel()
            raise
        except Exception as exc:
            batch.result.set_exception(exc)
            batch.result.exception()  # retrieved here; every waiter gets it raised
        else:
            batch.result.set_result(snapshots)

    def _close(self, batch: _Batch) -> None:
        if self._collecting is batch:
            self._collecting = None
