"""jobProgress(jobId): the job's state now, then every newer state, until it is finished.

Order matters: subscribe to the job's events first (confirmed by Redis), then read the snapshot
from the database, then pass on only events with a higher sequence. An event published while the
snapshot is read is thus either already in the snapshot (and dropped as older) or newer (and
passed on): never lost, never twice. A RESYNC from the hub (Redis came back, or this subscriber
fell behind) re-reads the database the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

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


async def job_progress(ctx: Context, raw_id: str) -> AsyncGenerator[JobEvent, None]:
    job_id = parse_job_id(raw_id)
    hub = ctx.services.hub
    if job_id is None or not ctx.owner:
        raise PublicError("job not found")
    if hub is None:
        raise PublicError("live progress is not available on this server")
    async with hub.subscribe(job_id) as subscription:
        first = await snapshot(ctx, job_id)
        if first is None:
            raise PublicError("job not found")
        yield first
        last = first
        while not last.is_terminal:
            item = await subscription.get()
            event = await snapshot(ctx, job_id) if item is Signal.RESYNC else item
            if event is None:  # deleted while we watched
                raise PublicError("job not found")
            if event.sequence <= last.sequence:
                continue
            yield event
            last = event
