"""The event hub (events/hub.py) under real websockets and a real Redis: it rides out a Redis
restart, a subscriber that never reads cannot slow the others, and leaving frees everything."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import uuid
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job
from db.types import utcnow
from devserver.embedded_redis import EmbeddedRedis
from domain.enums import JobStatus
from events.format import JobEvent, channel_for
from settings import Settings
from tests.conftest import make_settings
from tests.factories import create_job
from tests.live import (
    SUBSCRIBE,
    TRANSPORT_WS,
    collect,
    graphql_socket,
    live_server,
    stalled_subscriber,
)
from tests.worker.conftest import make_worker
from web.fanout import Watcher

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.slow(seconds=5)
async def test_redis_restarted_mid_job(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    own = EmbeddedRedis().start()  # this test restarts it
    try:
        settings = make_settings(database_url, own.url, tmp_path, ad_seconds=8.0)
        async with live_server(settings) as (address, app):
            async with httpx.AsyncClient(base_url=f"http://{address}") as http:
                job = await create_job(http)
            async with graphql_socket(address, TRANSPORT_WS) as client:
                watcher = asyncio.create_task(collect(client, job["id"]))
                worker = make_worker(settings, burst=False)
                running = asyncio.create_task(worker.main())
                try:
                    await asyncio.sleep(2.5)  # mid-job
                    own.stop()
                    await asyncio.sleep(1.5)
                    assert not app.state.services.hub.connected
                    own.start()
                    payloads = await asyncio.wait_for(watcher, 120)
                finally:
                    running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker.close()
            assert app.state.services.hub.reconnects >= 1
    finally:
        own.close()
    events = [p["data"]["jobProgress"] for p in payloads]
    assert events[-1]["status"] == "COMPLETED"
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(set(sequences))


@pytest.mark.slow
async def test_slow_subscriber_does_not_delay_a_fast_one(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    events, size = 3000, 16_000  # ~48 MB in all: far more than socket buffers hold
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        job_id = job["id"]
        # The slow client subscribes and then never reads its socket again.
        slow = stalled_subscriber(address, SUBSCRIBE, {"id": job_id})
        await slow.__aenter__()
        async with graphql_socket(address, TRANSPORT_WS) as fast:
            op = await fast.subscribe(SUBSCRIBE, {"id": job_id})
            results = fast.results(op)
            await anext(results)  # snapshot
            hub = app.state.services.hub
            subscribers = [s for c in hub._channels.values() for s in c.subscribers]
            assert len(subscribers) == 2
            assert all(isinstance(s, Watcher) for s in subscribers)  # the fan-out writer's
            # The database says where it ends, so a subscriber that resyncs finds the end too.
            factory = create_session_factory(engine)
            async with factory() as session, session.begin():
                await session.execute(
                    update(Job)
                    .where(Job.id == uuid.UUID(job_id))
                    .values(status=JobStatus.COMPLETED, event_sequence=events)
                )
            padding = "x" * size
            peak = [0]

            async def sample() -> None:
                while True:
                    peak[0] = max(peak[0], *(s.mailbox.qsize() for s in subscribers))
                    await asyncio.sleep(0.01)

            sampler = asyncio.create_task(sample())
            for sequence in range(1, events + 1):
                status = JobStatus.COMPLETED if sequence == events else JobStatus.PROCESSING
                event = JobEvent(job_id, sequence, status, 50, at=utcnow(), message=padding)
                await redis.publish(channel_for(job_id), event.to_json())
            received = [p["data"]["jobProgress"] async for p in results]
            sampler.cancel()
        await slow.__aexit__(None, None, None)
    assert received[-1]["sequence"] == events and received[-1]["status"] == "COMPLETED"
    # The slow one never held more than its bounded mailbox: its backlog of progress was
    # conflated into the newest event (or, full all the same, into a resync).
    assert peak[0] <= 64
    assert max(s.mailbox.conflated + s.overflows for s in subscribers) > 0


async def test_unsubscribe_and_disconnect_free_everything(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            jobs = [await create_job(http) for _ in range(3)]
        hub = app.state.services.hub
        tasks_before = len(asyncio.all_tasks())
        for _round in range(20):
            async with graphql_socket(address, TRANSPORT_WS) as client:
                ops = [await client.subscribe(SUBSCRIBE, {"id": j["id"]}) for j in jobs]
                for op in ops:
                    await anext(client.results(op))  # snapshot: subscribed for real
                assert hub.subscriber_count == 3
                await client.stop(ops[0])
                # the others end with the socket
        async with asyncio.timeout(5):
            while hub.subscriber_count or hub.channel_count:
                await asyncio.sleep(0.05)
        gc.collect()
        await asyncio.sleep(0.2)
        assert len(asyncio.all_tasks()) <= tasks_before
        clients = await redis.client_list()
        pubsub_clients = [
            c
            for c in clients
            if int(c.get("sub", 0))
            or int(c.get("psub", 0))
            or c.get("cmd") in ("subscribe", "unsubscribe")
        ]
        channels = await redis.pubsub_channels("job_events:*")
    assert hub.subscriber_count == 0 and hub.channel_count == 0
    assert channels == []
    assert len(pubsub_clients) <= 1
