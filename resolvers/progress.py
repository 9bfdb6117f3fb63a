"""jobProgress(jobId): the job's state now, then every newer state, until it is finished.

Order matters: subscribe to the job's events first (confirmed by Redis), then read the snapshot
from the database, then pass on only events with a higher sequence. An event published while the
snapshot is read is thus either already in the snapshot (and dropped as older) or newer (and
passed on): never lost, never twice. A RESYNC from the hub (Redis came back, or this subscriber
fell behind) re-reads the database the same way.

Snapshot reads are batched across the process's watchers (resolvers/snapshots.py): a watcher
only joins a read that has not begun, so the ordering argument above holds for every one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from events.format import JobEvent
from events.hub import Signal
from resolvers.context import Context
from resolvers.errors import PublicError
from resolvers.jobs import parse_job_id


async def job_progress(ctx: Context, raw_id: str) -> AsyncGenerator[JobEvent, None]:
    job_id = parse_job_id(raw_id)
    hub = ctx.services.hub
    if job_id is None or not ctx.owner:
        raise PublicError("job not found")
    if hub is None:
        raise PublicError("live progress is not available on this server")
    snapshots = ctx.services.snapshots
    async with hub.subscribe(job_id) as subscription:
        first = await snapshots.read(job_id, ctx.owner)
        if first is None:
            raise PublicError("job not found")
        yield first
        last = first
        while not last.is_terminal:
            item = await subscription.get()
            if item is Signal.RESYNC:
                event = await snapshots.read(job_id, ctx.owner)
            else:
                event = item
            if event is None:  # deleted while we watched
                raise PublicError("job not found")
            if event.sequence <= last.sequence:
                continue
            yield event
            last = event
