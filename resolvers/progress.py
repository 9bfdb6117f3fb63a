"""jobProgress(jobId): the job's state now, then every newer state, until it is finished.

Order matters: subscribe to the job's events first (confirmed by Redis), then read the snapshot
from the database, then pass on only events with a higher sequence. An event published while the
snapshot is read is thus either already in the snapshot (and dropped as older) or newer (and
passed on): never lost, never twice. A RESYNC from the hub (Redis came back, or this subscriber
fell behind) re-reads the database the same way.

Snapshot reads are shared (`Snapshots`): when a thousand watchers of one job arrive together,
they wait for one read instead of making a thousand. A subscriber only joins a read that started
after its own subscription was confirmed, so the ordering argument above holds for every one.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from db import queries
from db.models import Stage
from domain.enums import StageStatus
from events.format import JobEvent, event_for
from events.hub import Signal
from resolvers.context import Context
from resolvers.errors import PublicError
from resolvers.jobs import parse_job_id


def current_stage(stages: list[Stage]) -> Stage | None:
    """The stage a snapshot talks about: the running one, else the last one that moved."""
    running = [s for s in stages if s.status == StageStatus.PROCESSING]
    if running:
        return running[0]
    moved = [s for s in stages if s.status != StageStatus.PENDING]
    return moved[-1] if moved else None


async def snapshot(ctx: Context, job_id: uuid.UUID) -> JobEvent | None:
    async with ctx.session() as session:
        job = await queries.get_job(session, job_id, ctx.owner)
        if job is None:
            return None
        stages = await queries.job_stages(session, job_id)
    return event_for(job, stages, job.event_sequence, stage=current_stage(stages))


# Watchers that arrive within this long of each other share one snapshot read.
COALESCE_SECONDS = 0.01


@dataclass(eq=False)
class Read:
    """One snapshot read; `started` is set (from the clock) when it begins to read."""

    task: asyncio.Task[JobEvent | None] | None = None
    started: int | None = None

    def shareable(self, ticket: int) -> bool:
        """A watcher whose subscription was confirmed at `ticket` may take this read's result
        only if the read begins after that: what it reads then includes everything published
        before the watcher could hear it."""
        return self.started is None or self.started > ticket


class Snapshots:
    """Single-flight snapshot reads per (job, owner), shared by the watchers of one process."""

    def __init__(self) -> None:
        self._clock = itertools.count()
        self._reads: dict[tuple[uuid.UUID, str], Read] = {}

    def ticket(self) -> int:
        """Taken once the subscription is confirmed."""
        return next(self._clock)

    async def read(self, ctx: Context, job_id: uuid.UUID, ticket: int) -> JobEvent | None:
        key = (job_id, ctx.owner)
        current = self._reads.get(key)
        if current is None or not current.shareable(ticket):
            current = self._start(ctx, job_id, key)
        assert current.task is not None
        # Shielded: a watcher that leaves does not cancel the read the others wait for.
        return await asyncio.shield(current.task)

    def _start(self, ctx: Context, job_id: uuid.UUID, key: tuple[uuid.UUID, str]) -> Read:
        read = self._reads[key] = Read()

        async def run() -> JobEvent | None:
            await asyncio.sleep(COALESCE_SECONDS)  # let a crowd arriving together join in
            read.started = next(self._clock)
            return await snapshot(ctx, job_id)

        def done(finished: asyncio.Task[JobEvent | None]) -> None:
            if not finished.cancelled():
                finished.exception()  # retrieved here; each waiter gets it raised
            if self._reads.get(key) is read:
                del self._reads[key]

        read.task = asyncio.create_task(run())
        read.task.add_done_callback(done)
        return read


async def job_progress(ctx: Context, raw_id: str) -> AsyncGenerator[JobEvent, None]:
    job_id = parse_job_id(raw_id)
    hub = ctx.services.hub
    if job_id is None or not ctx.owner:
        raise PublicError("job not found")
    if hub is None:
        raise PublicError("live progress is not available on this server")
    snapshots = ctx.services.snapshots
    async with hub.subscribe(job_id) as subscription:
        first = await snapshots.read(ctx, job_id, snapshots.ticket())
        if first is None:
            raise PublicError("job not found")
        yield first
        last = first
        while not last.is_terminal:
            item = await subscription.get()
            if item is Signal.RESYNC:
                event = await snapshots.read(ctx, job_id, snapshots.ticket())
            else:
                event = item
            if event is None:  # deleted while we watched
                raise PublicError("job not found")
            if event.sequence <= last.sequence:
                continue
            yield event
            last = event
