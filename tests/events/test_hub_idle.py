"""The first watcher of an idle API process: the hub's connection is due a health check, its
reader is waiting on the socket, and a SUBSCRIBE arrives. redis-py health-checks a PubSub's
command (PING, then reads the PONG) only while it is subscribed to nothing, and that read raced
the reader's: the watcher got "complete" and no event (seen once in ~10 runs of the suite, in the
Apollo client test; by the timings, one first watcher in 11 of an idle process: the check falls
due every 10 s and the reader waits up to 1 s on the socket)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

import events.hub
from db.types import utcnow
from domain.enums import JobStatus
from events.format import JobEvent, channel_for
from events.hub import EventHub


@pytest.mark.slow(seconds=6)
async def test_subscribing_when_the_health_check_is_due_confirms_and_delivers(
    redis_url: str, redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A health check due every second and a reader that waits five on the socket: the check
    # falls due while the reader waits, as it does for one second in eleven in production.
    monkeypatch.setattr(events.hub, "READ_TIMEOUT", 5.0)
    hub = EventHub(redis_url, health_check_interval=1)
    await hub.start()
    try:
        assert await hub.first_attempt()
        for _ in range(2):  # the hub idle again after its first job's watcher left
            await asyncio.sleep(1.5)  # past the check, the reader waiting on the socket
            job_id = uuid.uuid4()
            async with hub.subscribe(job_id) as subscriber:
                event = JobEvent(str(job_id), 1, JobStatus.PROCESSING, 10, utcnow())
                assert await redis.publish(channel_for(job_id), event.to_json()) == 1
                got = await asyncio.wait_for(subscriber.get(), 3)
                assert isinstance(got, JobEvent) and got.sequence == 1
            assert hub.connected and hub.reconnects == 0
        assert (hub.channel_count, hub.subscriber_count) == (0, 0)
    finally:
        await hub.stop()
