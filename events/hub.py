"""The per-process event hub: one Redis pub/sub connection fanned out to every local subscriber.

Lifecycle: created and started in the API's lifespan, stopped on shutdown. One reader task owns
the pub/sub connection. `subscribe(job_id)` registers a local subscriber; the first subscriber of
a job SUBSCRIBEs to its channel and the last one to leave UNSUBSCRIBEs (reference counted).
`subscribe` returns once Redis has confirmed the channel, so a caller that reads the database
afterwards cannot miss an event published in between.

Each subscriber has a small bounded mailbox (Mailbox). The reader never waits on a subscriber:
for one that lags, an event that only moves progress on replaces the one still waiting (status
changes are always kept), and when a mailbox is full all the same (a client that does not read)
it is emptied and given a RESYNC marker instead, and the subscriber re-reads the job's current
state from the database when it gets to it. A slow subscriber therefore costs bounded memory,
never delays the others, and is shown the newest progress rather than a backlog.

When the connection breaks, the reader reconnects with jittered exponential backoff, subscribes
again to every channel in use and, as each channel is confirmed, gives its subscribers a RESYNC:
whatever was published while Redis was away is recovered from the database. While Redis stays
down, subscribers simply wait (no polling loop), and `connected` is False for /health.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from domain.backoff import backoff_seconds
from events.format import CHANNEL_PREFIX, JobEvent, channel_for

log = structlog.get_logger("events.hub")


class Signal(Enum):
    RESYNC = "resync"  # re-read the job from the database: events may have been missed


Item = JobEvent | Signal

MAILBOX_SIZE = 64
CLIENT_NAME = "adreel-events-hub"
# Always subscribed, nothing is published to it. redis-py health-checks a PubSub's SUBSCRIBE
# (PING, then it reads the PONG itself) only while the connection is subscribed to nothing;
# that read raced the reader's own, which is always waiting on the socket ("read() called while
# another coroutine is already waiting"), and an idle process's first watcher got no events.
# Subscribed, the reader's own health check (a PING whose PONG it reads) is the only one.
HUB_CHANNEL = "adreel:hub"
CONFIRM_TIMEOUT = 2.0
READ_TIMEOUT = 1.0


def _same_state(queued: Item, newer: JobEvent) -> bool:
    """Whether `newer` only moves progress on from `queued`: same job status, same stage in
    the same stage status, and not the end. Such an event may take the older one's place."""
    return (
        isinstance(queued, JobEvent)
        and not newer.is_terminal
        and queued.status == newer.status
        and queued.stage == newer.stage
        and queued.stage_status == newer.stage_status
    )


class Mailbox:
    """A subscriber's bounded queue of events, conflating progress for one that lags.

    A watcher needs the latest progress, not every step of it: an event that only moves the
    progress on replaces the one still waiting before it (its sequence is higher, so nothing
    looks out of order), while a change of status or stage is always kept. When it still fills
    up (changes faster than the subscriber reads), it is emptied for one RESYNC.
    """

    def __init__(self, size: int = MAILBOX_SIZE) -> None:
        self._items: deque[Item] = deque()
        self._size = size
        self._waiter: asyncio.Future[None] | None = None
        self.overflows = 0
        self.conflated = 0

    def qsize(self) -> int:
        return len(self._items)

    def offer(self, item: Item) -> None:
        items = self._items
        if items and isinstance(item, JobEvent) and _same_state(items[-1], item):
            items[-1] = item  # the reader is already woken for the one it replaces
            self.conflated += 1
            return
        if len(items) >= self._size:
            # Too slow to keep up: drop the backlog, keep one marker that says "read the state".
            self.overflows += 1
            items.clear()
            item = Signal.RESYNC
        items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pop(self) -> Item:
        """The oldest item; the mailbox must not be empty."""
        return self._items.popleft()

    async def get(self) -> Item:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


@dataclass(eq=False)
class Subscriber:
    job_id: str
    mailbox: Mailbox = field(default_factory=Mailbox)
    # True until subscribe() has seen its channel confirmed (or given up waiting). A
    # confirmation that comes later means events may have been missed: the subscriber resyncs.
    waiting: bool = True

    @property
    def overflows(self) -> int:
        return self.mailbox.overflows

    def offer(self, item: Item) -> None:
        self.mailbox.offer(item)

    async def get(self) -> Item:
        return await self.mailbox.get()


@dataclass(eq=False)
class _Channel:
    subscribers: set[Subscriber] = field(default_factory=set)
    confirmed: asyncio.Event = field(default_factory=asyncio.Event)


class EventHub:
    def __init__(self, redis_url: str, *, health_check_interval: int = 10) -> None:
        self._client: Redis = Redis.from_url(
            redis_url,
            client_name=CLIENT_NAME,  # visible in CLIENT LIST: one per API process
            socket_connect_timeout=2.0,
            socket_keepalive=True,
            health_check_interval=health_check_interval,
        )
        self._channels: dict[str, _Channel] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._tried = asyncio.Event()  # the first connection attempt is over, either way
        self._lock = asyncio.Lock()  # orders SUBSCRIBE/UNSUBSCRIBE with (re)connection
        self._leaving: set[asyncio.Task[None]] = set()  # drop()'s UNSUBSCRIBEs in flight
        self.reconnects = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._run(), name="event-hub-reader")

    async def stop(self) -> None:
        for task in self._leaving:
            task.cancel()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._close_pubsub()
        await self._client.aclose()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def first_attempt(self) -> bool:
        """Wait for the reader's first connection attempt; whether it connected."""
        await self._tried.wait()
        return self.connected

    @property
    def subscriber_count(self) -> int:
        return sum(len(c.subscribers) for c in self._channels.values())

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    # --- subscribing -----------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self, job_id: uuid.UUID | str) -> AsyncIterator[Subscriber]:
        """A live subscription to one job's events, confirmed by Redis when this yields.

        If Redis is down it yields anyway, after a short wait: the subscriber will get a RESYNC
        once the hub is connected and the channel confirmed.
        """
        subscriber = Subscriber(str(job_id))
        await self.join(subscriber)
        try:
            yield subscriber
        finally:
            await asyncio.shield(self.leave(subscriber))

    async def join(self, subscriber: Subscriber) -> None:
        """Start offering `subscriber` its job's events; returns once Redis has confirmed the
        channel (or after a short wait while it is away: a RESYNC follows the confirmation)."""
        name = channel_for(subscriber.job_id)
        async with self._lock:
            channel = self._channels.get(name)
            if channel is None:
                channel = self._channels[name] = _Channel()
                await self._send("subscribe", name)
            channel.subscribers.add(subscriber)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await channel.confirmed.wait()
        subscriber.waiting = False

    async def leave(self, subscriber: Subscriber) -> None:
        """Stop offering it events; the channel's last subscriber UNSUBSCRIBEs it."""
        name = channel_for(subscriber.job_id)
        async with self._lock:
            channel = self._channels.get(name)
            if channel is None:
                return
            channel.subscribers.discard(subscriber)
            if not channel.subscribers:
                del self._channels[name]
                await self._send("unsubscribe", name)

    def drop(self, subscriber: Subscriber) -> None:
        """`leave` for code that cannot wait (the reader delivering a job's last event): no
        more events from now on; an UNSUBSCRIBE, if due, follows in the background."""
        channel = self._channels.get(channel_for(subscriber.job_id))
        if channel is None or subscriber not in channel.subscribers:
            return
        channel.subscribers.discard(subscriber)
        if not channel.subscribers:
            task = asyncio.get_running_loop().create_task(self.leave(subscriber))
            self._leaving.add(task)
            task.add_done_callback(self._leaving.discard)

    async def _send(self, command: str, name: str) -> None:
        """SUBSCRIBE/UNSUBSCRIBE on the live connection; when there is none, the reader
        subscribes to every channel in use as it reconnects."""
        if self._pubsub is None or not self.connected:
            return
        try:
            await getattr(self._pubsub, command)(name)
        except (RedisError, OSError) as exc:
            log.warning("hub.command_failed", command=command, error=type(exc).__name__)

    # --- the reader ------------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect()
                self._tried.set()
                attempt = 0
                await self._read()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self._lost(exc)
            except Exception:
                log.exception("hub.reader_crashed")  # a bug; keep serving after a pause
                self._lost(None)
            self._tried.set()
            attempt += 1
            # Jittered, so many API processes do not reconnect in lockstep.
            await asyncio.sleep(backoff_seconds(attempt, base=0.1, cap=5.0, least=0.1))

    async def _connect(self) -> None:
        async with self._lock:
            await self._close_pubsub()
            pubsub = self._client.pubsub()
            await pubsub.connect()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            for channel in self._channels.values():
                channel.confirmed.clear()
            await pubsub.subscribe(HUB_CHANNEL, *self._channels)
            self._pubsub = pubsub
            self._connected.set()
        log.info("hub.connected", channels=len(self._channels), reconnects=self.reconnects)

    def _lost(self, exc: BaseException | None) -> None:
        if self.connected:
            self.reconnects += 1
            log.warning("hub.disconnected", error=type(exc).__name__ if exc else "crash")
        self._connected.clear()

    async def _read(self) -> None:
        assert self._pubsub is not None
        pubsub = self._pubsub
        while True:
            message = await pubsub.get_message(timeout=READ_TIMEOUT)
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        raw_channel = message.get("channel")
        if raw_channel is None:
            return
        name = raw_channel.decode() if isinstance(raw_channel, bytes) else str(raw_channel)
        channel = self._channels.get(name)
        if channel is None:
            return
        if kind == "subscribe":
            channel.confirmed.set()
            for subscriber in tuple(channel.subscribers):
                if not subscriber.waiting:  # (re)subscribed after it went live: catch up
                    subscriber.offer(Signal.RESYNC)
        elif kind == "message" and name.startswith(CHANNEL_PREFIX):
            try:
                event = JobEvent.from_json(message["data"])
            except (ValueError, KeyError, TypeError):
                log.warning("hub.bad_event", channel=name)
                return
            # A copy: a subscriber offered its job's last event may leave the channel at once.
            for subscriber in tuple(channel.subscribers):
                subscriber.offer(event)

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
