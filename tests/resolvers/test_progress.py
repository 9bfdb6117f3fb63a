"""jobProgress (resolvers/progress.py) over real websockets on a real uvicorn, with real Redis
and a real worker: snapshot then live, no event lost or repeated, owners kept apart."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job
from db.types import utcnow
from domain.enums import JobStatus, StageName
from events.format import JobEvent, channel_for
from resolvers import snapshots
from settings import Settings
from tests.conftest import make_settings
from tests.factories import create_job
from tests.live import (
    LEGACY_WS,
    SUBSCRIBE,
    TRANSPORT_WS,
    collect,
    graphql_socket,
    live_server,
)
from tests.worker.conftest import make_worker

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def short(settings: Settings) -> Settings:
    return settings.model_copy(update={"ad_seconds": 3.0})


def assert_followed_to_completion(events: list[dict[str, Any]]) -> None:
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(set(sequences)), sequences
    assert events[0]["status"] == "PENDING"  # the snapshot
    assert events[-1]["status"] == "COMPLETED" and events[-1]["progress"] == 100
    assert "/ad.mp4?expires=" in events[-1]["videoUrl"]
    transitions = [
        (e["stage"], e["stageStatus"])
        for e in events[1:]
        if e["stage"] and (e["stageStatus"] != "PROCESSING" or e["stageProgress"] == 0)
    ]
    expected: list[tuple[str, str]] = []
    for stage in ("SCRIPT_GEN", "VOICE_GEN", "VIDEO_GEN", "COMPOSITING"):
        expected += [(stage, "PROCESSING"), (stage, "COMPLETED")]
    assert transitions == expected


@pytest.mark.slow
@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_follow_a_job_from_snapshot_to_completed(
    settings: Settings, redis: aioredis.Redis, protocol: str
) -> None:
    async with live_server(short(settings)) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        async with graphql_socket(address, protocol) as client:
            watcher = asyncio.create_task(collect(client, job["id"]))
            await asyncio.sleep(0.3)  # subscribed and snapshot sent before work starts
            worker = make_worker(short(settings))
            try:
                await asyncio.wait_for(worker.main(), 120)
            finally:
                await worker.close()
            payloads = await asyncio.wait_for(watcher, 30)
    assert all("errors" not in p for p in payloads), payloads
    assert_followed_to_completion([p["data"]["jobProgress"] for p in payloads])


async def test_finished_job_yields_its_snapshot_and_completes(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
            await http.post(
                "/graphql",
                json={
                    "query": f'mutation {{ cancelJob(id: "{job["id"]}") {{ errors {{ code }} }} }}'
                },
            )
        async with graphql_socket(address, TRANSPORT_WS) as client:
            payloads = await asyncio.wait_for(collect(client, job["id"]), 10)
    assert [p["data"]["jobProgress"]["status"] for p in payloads] == ["CANCELLED"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
# A fixed id (not uuid4()): every xdist worker must collect the same test ids.
@pytest.mark.parametrize("job_id", ["9c1f6a52-3a8e-4d7b-9f0e-5b2d8c4a7e61", "nonsense"])
async def test_unknown_job_ends_with_an_error_not_a_hang(
    settings: Settings, redis: aioredis.Redis, protocol: str, job_id: str
) -> None:
    async with (
        live_server(settings) as (address, _app),
        graphql_socket(address, protocol) as client,
    ):
        payloads = await asyncio.wait_for(collect(client, job_id), 10)
    assert len(payloads) == 1
    assert payloads[0]["errors"][0]["message"] == "job not found"


async def _commit_and_publish(
    factory: Any, redis: aioredis.Redis, job_id: str, sequence: int, status: JobStatus
) -> None:
    """What a worker does: commit the job's new sequence, then publish its event. Each event
    names another stage than the one before, so none is a mere progress step that a lagging
    watcher's mailbox may conflate: every sequence must arrive."""
    async with factory() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id == uuid.UUID(job_id))
            .values(event_sequence=sequence, status=status)
        )
    stage = list(StageName)[sequence % len(StageName)]
    event = JobEvent(job_id, sequence, status, min(sequence * 10, 100), at=utcnow(), stage=stage)
    await redis.publish(channel_for(job_id), event.to_json())


async def test_events_published_during_the_snapshot_read_are_not_lost_or_duplicated(
    settings: Settings,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race: while the snapshot is read, the worker commits and publishes sequences 1-2
    (the snapshot sees them) and then 3 (it does not). The client must get snapshot(2), 3."""
    factory = create_session_factory(engine)
    real_read = snapshots.read_snapshots

    async def publish(job_id: str, sequence: int, status: JobStatus) -> None:
        await _commit_and_publish(factory, redis, job_id, sequence, status)

    async def racing_read(session_factory: Any, job_ids: list[uuid.UUID]) -> Any:
        (job_id,) = job_ids
        await publish(str(job_id), 1, JobStatus.PROCESSING)
        await publish(str(job_id), 2, JobStatus.PROCESSING)
        await asyncio.sleep(0.2)  # both reach the hub's mailbox before we read
        result = await real_read(session_factory, job_ids)
        await publish(str(job_id), 3, JobStatus.PROCESSING)
        return result

    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        monkeypatch.setattr(snapshots, "read_snapshots", racing_read)
        async with graphql_socket(address, TRANSPORT_WS) as client:
            op = await client.subscribe(SUBSCRIBE, {"id": job["id"]})
            results = client.results(op)
            first = (await anext(results))["data"]["jobProgress"]
            second = (await anext(results))["data"]["jobProgress"]
            monkeypatch.setattr(snapshots, "read_snapshots", real_read)
            await publish(job["id"], 4, JobStatus.COMPLETED)
            rest = [p["data"]["jobProgress"] async for p in results]
    assert (first["sequence"], first["status"]) == (2, "PROCESSING")
    assert second["sequence"] == 3
    assert [e["sequence"] for e in rest] == [4] and rest[0]["status"] == "COMPLETED"


@pytest.mark.slow
async def test_watchers_sharing_snapshot_reads_lose_and_repeat_nothing(
    settings: Settings,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forty watchers arrive in four crowds while the job moves on every 25 ms; every snapshot
    read is slow, so the watchers of a crowd share a batch that began after they subscribed,
    and events are published while reads are in flight. Each watcher gets its snapshot, then
    every later sequence once, in order, to the end. Far fewer reads are made than there are
    watchers."""
    factory = create_session_factory(engine)
    real_read = snapshots.read_snapshots
    reads = 0

    async def slow_read(session_factory: Any, job_ids: list[uuid.UUID]) -> Any:
        nonlocal reads
        reads += 1
        result = await real_read(session_factory, job_ids)
        await asyncio.sleep(0.15)  # the job moves on while this read is "in flight"
        return result

    async def publish(job_id: str, sequence: int, status: JobStatus) -> None:
        await _commit_and_publish(factory, redis, job_id, sequence, status)

    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        monkeypatch.setattr(snapshots, "read_snapshots", slow_read)

        async def watcher(delay: float) -> list[int]:
            await asyncio.sleep(delay)
            async with graphql_socket(address, TRANSPORT_WS) as client:
                op = await client.subscribe(SUBSCRIBE, {"id": job["id"]})
                return [p["data"]["jobProgress"]["sequence"] async for p in client.results(op)]

        # Each crowd arrives over 108 ms, while reads take 150 ms and the job moves every 25 ms.
        crowds = [(n // 10) * 0.3 + (n % 10) * 0.012 for n in range(40)]
        watchers = [asyncio.create_task(watcher(delay)) for delay in crowds]
        last = 60
        for sequence in range(1, last):
            await publish(job["id"], sequence, JobStatus.PROCESSING)
            await asyncio.sleep(0.025)
        await asyncio.sleep(0.3)
        await publish(job["id"], last, JobStatus.COMPLETED)
        seen = await asyncio.gather(*watchers)
    for sequences in seen:
        assert sequences[-1] == last, sequences
        assert sequences[1:] == list(range(sequences[0] + 1, last + 1)), sequences
    assert reads < len(seen) / 2, reads


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_bad_key_is_refused_and_other_owners_jobs_are_not_found(
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    redis: aioredis.Redis,
    tmp_path: Path,
    protocol: str,
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path, api_keys="ka:alice,kb:bob")
    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(
            base_url=f"http://{address}", headers={"Authorization": "Bearer ka"}
        ) as http:
            job = await create_job(http)
        async with websockets.connect(f"ws://{address}/graphql", subprotocols=[protocol]) as raw:  # type: ignore[list-item]
            await raw.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
            )
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(raw.recv(), 5)
            if protocol == TRANSPORT_WS:
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        async with graphql_socket(address, protocol, {"authorization": "Bearer kb"}) as bob:
            payloads = await asyncio.wait_for(collect(bob, job["id"]), 10)
            assert payloads[0]["errors"][0]["message"] == "job not found"
        async with graphql_socket(address, protocol, {"authorization": "Bearer ka"}) as alice:
            op = await alice.subscribe(SUBSCRIBE, {"id": job["id"]})
            first = await anext(alice.results(op))
            assert first["data"]["jobProgress"]["status"] == "PENDING"


async def test_subscriptions_per_connection_are_capped(
    engine: AsyncEngine, database_url: str, redis_url: str, redis: aioredis.Redis, tmp_path: Path
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path, max_subscriptions_per_connection=2)
    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            jobs = [await create_job(http) for _ in range(3)]
        async with graphql_socket(address, TRANSPORT_WS) as client:
            ops = [await client.subscribe(SUBSCRIBE, {"id": j["id"]}) for j in jobs]
            for op in ops[:2]:
                first = await anext(client.results(op))
                assert first["data"]["jobProgress"]["status"] == "PENDING"
            refused = [p async for p in client.results(ops[2])]
    assert [p["errors"][0]["message"] for p in refused] == ["Subscription limit reached"]


async def test_one_event_serves_different_documents_correctly(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    """An event is executed once per distinct operation and shared by the subscribers that
    sent the same one: each still gets exactly the fields it asked for."""
    short_doc = "subscription($id: ID!) { jobProgress(jobId: $id) { sequence status } }"
    other_doc = "subscription($id: ID!) { jobProgress(jobId: $id) { sequence progress message } }"
    async with live_server(settings) as (address, _app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        async with (
            graphql_socket(address, TRANSPORT_WS) as first,
            graphql_socket(address, LEGACY_WS) as second,
            graphql_socket(address, TRANSPORT_WS) as third,
        ):
            streams = []
            for client, doc in ((first, short_doc), (second, short_doc), (third, other_doc)):
                op = await client.subscribe(doc, {"id": job["id"]})
                stream = client.results(op)
                await anext(stream)  # snapshot
                streams.append(stream)
            event = JobEvent(job["id"], 1, JobStatus.PROCESSING, 40, at=utcnow(), message="hi")
            await redis.publish(channel_for(job["id"]), event.to_json())
            got = [(await anext(stream))["data"]["jobProgress"] for stream in streams]
    assert got[0] == got[1] == {"sequence": 1, "status": "PROCESSING"}
    assert got[2] == {"sequence": 1, "progress": 40, "message": "hi"}
