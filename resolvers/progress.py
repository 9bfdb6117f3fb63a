"""jobProgress(jobId): the job's state now, then every newer state, until it is finished.

`ProgressFeed` is the one place this rule is written. Order matters: join the job's events first
(confirmed by Redis), then read the snapshot from the database, then pass on only events with a
higher sequence, and finish at a terminal status. An event published while the snapshot is read
is thus either already in the snapshot (and dropped as older) or newer (and passed on): never
lost, never twice. A RESYNC from the hub (Redis came back, or the subscriber fell behind) re-reads
the database the same way.

Snapshot reads are batched across the process's watchers (resolvers/snapshots.py): a watcher
only joins a read that has not begun, so the ordering argument above holds for every one.

The feed is pushed to: the hub offers events to its subscriber, and whoever owns the subscriber
(web/fanout.py's Watcher, for both websocket protocols) asks the feed what to pass on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from events.format import JobEvent
from events.hub import EventHub, Subscriber
from resolvers.context import Context
from resolvers.errors import PublicError
from resolvers.jobs import parse_job_id

NOT_FOUND = "job not found"
NOT_AVAILABLE = "live progress is not available on this server"
START_FAILED = "live progress failed to start on this server; subscribe again"

SnapshotRead = Callable[[uuid.UUID, str], Awaitable[JobEvent | None]]


class JobGone(Exception):
    """The job can no longer be read for its owner (deleted while watched)."""


class ProgressFeed:
    """One subscriber's view of one job: what to pass on, and when it is over."""

    def __init__(
        self,
        hub: EventHub,
        read: SnapshotRead,
        subscriber: Subscriber,
        job_id: uuid.UUID,
        owner: str,
    ) -> None:
        self.hub = hub
        self.read = read
        self.subscriber = subscriber
        self.job_id = job_id
        self.owner = owner
        self.last = -1  # the sequence of the last event passed on
        self.finished = False

    async def open(self) -> JobEvent | None:
        """Join the hub (it returns once Redis has confirmed the channel), then read the
        snapshot: the first event to pass on. None when the job is not the caller's or cannot
        be read; the hub is left again and nothing is to be sent."""
        await self.hub.join(self.subscriber)
        try:
            first = await self.read(self.job_id, self.owner)
        except Exception:
            first = None
        if first is None:
            self.finished = True
            await asyncio.shield(self.hub.leave(self.subscriber))
            return None
        return self.admit(first)

    def admit(self, event: JobEvent) -> JobEvent | None:
        """`event` when it is newer than the last one passed on, else None. A terminal one
        finishes the feed: no more events are offered from then on."""
        if self.finished or event.sequence <= self.last:
            return None
        self.last = event.sequence
        if event.is_terminal:
            self.close()
        return event

    async def resync(self) -> JobEvent | None:
        """Events may have been missed: the job's state now, when it is newer. Raises JobGone
        (and closes the feed) when the job cannot be read any more; database errors pass."""
        try:
            event = await self.read(self.job_id, self.owner)
        except Exception:
            self.close()
            raise
        if event is None:
            self.close()
            raise JobGone(str(self.job_id))
        return self.admit(event)

    def close(self) -> None:
        """No more events: the subscriber leaves the hub (an UNSUBSCRIBE, if due, follows)."""
        self.finished = True
        self.hub.drop(self.subscriber)


async def refusal(ctx: Context, raw_id: str) -> PublicError:
    """Why a jobProgress is not served, for the schema's resolver: Strawberry runs it only for
    a jobProgress that the websocket fan-out (web/fanout.py) did not take. Over HTTP,
    subscriptions are refused before they run (web/graphql_view.py)."""
    job_id = parse_job_id(raw_id)
    if job_id is None or not ctx.owner:
        return PublicError(NOT_FOUND)
    if ctx.services.hub is None:
        return PublicError(NOT_AVAILABLE)
    if await ctx.services.snapshots.read(job_id, ctx.owner) is None:
        return PublicError(NOT_FOUND)
    # The job is the caller's, yet the fan-out could not start on it (its read failed).
    return PublicError(START_FAILED)
