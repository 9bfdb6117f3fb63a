"""The fan-out writer (web/fanout.py, web/ws_handlers.py): jobProgress frames written from the
event hub to the sockets, over both protocols, on a real uvicorn with a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
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
from settings import Settings
from tests.factories import create_job
from tests.live import (
    LEGACY_WS,
    SUBSCRIBE,
    TRANSPORT_WS,
    GraphQLSocket,
    collect,
    graphql_socket,
    live_server,
    stalled_subscriber,
)
from web.fanout import Watcher, run_eagerly

sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _operation_tasks() -> int:
    """Tasks that run one websocket operation (Strawberry's, or a watcher's set-up)."""
    names = {"run_operation", "handle_async_results", "_watch"}
    return sum(getattr(task.get_coro(), "__name__", "") in names for task in asyncio.all_tasks())


def _watchers(app: Any) -> list[Any]:
    hub = app.state.services.hub
    return [s for channel in hub._channels.values() for s in channel.subscribers]


async def _finish(engine: AsyncEngine, job_id: str, sequence: int) -> None:
    """The database says the job ended at `sequence`: a watcher that resyncs finds the end."""
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id == uuid.UUID(job_id))
            .values(status=JobStatus.COMPLETED, event_sequence=sequence)
        )


def _event(job_id: str, sequence: int, last: int, **fields: Any) -> JobEvent:
    status = JobStatus.COMPLETED if sequence == last else JobStatus.PROCESSING
    # Each event names another stage than the one before: none may be conflated away.
    stage = list(StageName)[sequence % len(StageName)]
    return JobEvent(
        job_id, sequence, status, min(sequence, 100), at=utcnow(), stage=stage, **fields
    )


@sqlite
@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_watchers_are_written_to_by_the_hub_with_no_task_of_their_own(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis, protocol: str
) -> None:
    sockets = 20
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        job_id = job["id"]
        clients: list[GraphQLSocket] = []
        streams = []
        async with asyncio.TaskGroup() as group:
            opened = [group.create_task(_open(address, protocol)) for _ in range(sockets)]
        for task in opened:
            client, context = task.result()
            clients.append(client)
            op = await client.subscribe(SUBSCRIBE, {"id": job_id})
            stream = client.results(op)
            assert (await anext(stream))["data"]["jobProgress"]["status"] == "PENDING"
            streams.append((stream, context))
        watchers = _watchers(app)
        assert len(watchers) == sockets and all(isinstance(w, Watcher) for w in watchers)
        # No task per subscription once its snapshot is out: Strawberry's stream keeps one
        # each, woken for every event.
        assert _operation_tasks() == 0
        await _finish(engine, job_id, 3)
        for sequence in (1, 2, 3):
            await redis.publish(channel_for(job_id), _event(job_id, sequence, 3).to_json())
        for stream, _context in streams:
            got = [p["data"]["jobProgress"] async for p in stream]
            assert [e["sequence"] for e in got] == [1, 2, 3]
            assert got[-1]["status"] == "COMPLETED"
        async with asyncio.timeout(5):
            while app.state.services.hub.subscriber_count:
                await asyncio.sleep(0.02)
        for _stream, context in streams:
            await context.__aexit__(None, None, None)


async def _open(address: str, protocol: str) -> tuple[GraphQLSocket, Any]:
    context = graphql_socket(address, protocol)
    return await context.__aenter__(), context


@sqlite
@pytest.mark.slow
async def test_a_stalled_socket_does_not_hold_up_the_others(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    """One client stops reading; its socket's buffers fill and its writes wait. The others
    get every event while it waits, and it holds no more than its bounded mailbox."""
    events, padding = 400, "x" * 16_000  # ~6 MB per watcher: far more than socket buffers
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        job_id = job["id"]
        async with stalled_subscriber(address, SUBSCRIBE, {"id": job_id}):
            async with asyncio.timeout(10):
                while not _watchers(app):
                    await asyncio.sleep(0.02)
            (stalled,) = _watchers(app)
            async with _one_per_protocol(address, job_id) as streams:
                await _finish(engine, job_id, events)
                for sequence in range(1, events + 1):
                    event = _event(job_id, sequence, events, message=padding)
                    await redis.publish(channel_for(job_id), event.to_json())
                # Read concurrently: each reader only reads its own socket.
                received = await asyncio.gather(*(_sequences(stream) for stream in streams))
                # The stalled one is still stuck in a write, its events waiting in its mailbox.
                assert stalled.sending is not None and not stalled.sending.done()
                assert 0 < stalled.mailbox.qsize() <= 64
                assert stalled.overflows > 0  # its backlog became one RESYNC
    for sequences in received:
        assert sequences == list(range(1, events + 1))


@contextlib.asynccontextmanager
async def _one_per_protocol(address: str, job_id: str) -> AsyncIterator[list[Any]]:
    """A watcher of the job on each protocol, its snapshot read: their result streams."""
    async with (
        graphql_socket(address, TRANSPORT_WS) as first,
        graphql_socket(address, LEGACY_WS) as second,
    ):
        streams = []
        for client in (first, second):
            op = await client.subscribe(SUBSCRIBE, {"id": job_id})
            stream = client.results(op)
            await anext(stream)  # the snapshot
            streams.append(stream)
        yield streams


async def _sequences(stream: Any) -> list[int]:
    return [p["data"]["jobProgress"]["sequence"] async for p in stream]


@sqlite
async def test_transport_ws_misuse_closes_with_its_codes(
    settings: Settings, redis: aioredis.Redis
) -> None:
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        url = f"ws://{address}/graphql"
        subscribe = {
            "type": "subscribe",
            "payload": {"query": SUBSCRIBE, "variables": {"id": job["id"]}},
        }
        # The same id twice while the first is live: 4409.
        async with graphql_socket(address, TRANSPORT_WS) as client:
            await client.send({"id": "a", **subscribe})
            assert (await client.receive())["type"] == "next"
            assert isinstance(_watchers(app)[0], Watcher)
            await client.send({"id": "a", **subscribe})
            assert await _close_code(client.socket) == 4409
        # Subscribing before connection_init: 4401.
        async with websockets.connect(url, subprotocols=[TRANSPORT_WS]) as raw:  # type: ignore[list-item]
            await raw.send(json.dumps({"id": "b", **subscribe}))
            assert await _close_code(raw) == 4401
        # No connection_init in time: 4408.
        view = app.state.graphql_view
        waited = view.connection_init_wait_timeout
        view.connection_init_wait_timeout = timedelta(seconds=0.3)
        try:
            async with websockets.connect(url, subprotocols=[TRANSPORT_WS]) as raw:  # type: ignore[list-item]
                assert await _close_code(raw) == 4408
        finally:
            view.connection_init_wait_timeout = waited
        # connection_init twice: 4429.
        async with graphql_socket(address, TRANSPORT_WS) as client:
            await client.send({"type": "connection_init", "payload": {}})
            assert await _close_code(client.socket) == 4429
        # A message of no known type: 4400.
        async with graphql_socket(address, TRANSPORT_WS) as client:
            await client.send({"id": "c", "type": "gimme"})
            assert await _close_code(client.socket) == 4400
        # complete stops the watcher, and the id may be used again at once.
        async with graphql_socket(address, TRANSPORT_WS) as client:
            await client.send({"id": "d", **subscribe})
            assert (await client.receive())["type"] == "next"
            await client.stop("d")
            await client.send({"id": "d", **subscribe})
            assert (await client.receive())["type"] == "next"
            assert len(_watchers(app)) == 1
        async with asyncio.timeout(5):
            while _watchers(app):
                await asyncio.sleep(0.02)


@sqlite
async def test_legacy_graphql_ws_stop_restart_and_refusals(
    settings: Settings, redis: aioredis.Redis
) -> None:
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        start = {"type": "start", "payload": {"query": SUBSCRIBE, "variables": {"id": job["id"]}}}
        async with graphql_socket(address, LEGACY_WS) as client:
            await client.send({"id": "1", **start})
            assert (await client.receive())["type"] == "data"
            assert isinstance(_watchers(app)[0], Watcher)
            # stop: the server says complete, and lets the watcher go.
            await client.stop("1")
            assert await client.receive() == {"type": "complete", "id": "1"}
            assert _watchers(app) == []
            # A reused id replaces its operation (Strawberry's rule): complete, then the new one.
            await client.send({"id": "2", **start})
            assert (await client.receive())["type"] == "data"
            await client.send({"id": "2", **start})
            assert await client.receive() == {"type": "complete", "id": "2"}
            assert (await client.receive())["type"] == "data"
            assert len(_watchers(app)) == 1
            # Another owner's or an unknown job: Strawberry's own error, not a watcher.
            payloads = await collect(client, str(uuid.uuid4()))
            assert payloads[0]["errors"][0]["message"] == "job not found"
        async with websockets.connect(f"ws://{address}/graphql", subprotocols=[LEGACY_WS]) as raw:  # type: ignore[list-item]
            await raw.send(json.dumps({"id": "3", **start}))
            assert await _close_code(raw) == 4401


FRAGMENT_SUBSCRIBE = """
subscription Follow($id: ID!) { ...Progress }
fragment Progress on Subscription { jobProgress(jobId: $id) { sequence status } }
"""


@sqlite
@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_root_fragment_is_served_by_a_watcher_too(
    settings: Settings, engine: AsyncEngine, redis: aioredis.Redis, protocol: str
) -> None:
    """jobProgress has one delivery path: however the document spells it, the watcher."""
    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        job_id = job["id"]
        async with graphql_socket(address, protocol) as client:
            op = await client.subscribe(FRAGMENT_SUBSCRIBE, {"id": job_id})
            stream = client.results(op)
            first = (await anext(stream))["data"]["jobProgress"]
            assert [isinstance(w, Watcher) for w in _watchers(app)] == [True]
            assert _operation_tasks() == 0
            await _finish(engine, job_id, 2)
            for sequence in (1, 2):
                await redis.publish(channel_for(job_id), _event(job_id, sequence, 2).to_json())
            rest = [p["data"]["jobProgress"] async for p in stream]
    assert first == {"sequence": 0, "status": "PENDING"}
    assert rest == [
        {"sequence": 1, "status": "PROCESSING"},
        {"sequence": 2, "status": "COMPLETED"},
    ]


async def _close_code(socket: Any) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert message["type"] in ("ka", "ping", "pong"), message
    return closed.value.rcvd.code if closed.value.rcvd else None


# --- run_eagerly ---------------------------------------------------------------------------


async def test_a_write_that_need_not_wait_runs_to_its_end_at_once() -> None:
    ran: list[str] = []

    async def write() -> None:
        ran.append("written")

    assert run_eagerly(write()) is None
    assert ran == ["written"]  # before this coroutine ever yielded to the loop


async def test_a_write_that_must_wait_carries_on_as_a_task() -> None:
    ready = asyncio.Event()
    ran: list[str] = []

    async def write() -> None:
        ran.append("started")
        await ready.wait()
        await asyncio.sleep(0)
        ran.append("finished")

    task = run_eagerly(write())
    assert task is not None and ran == ["started"]
    ready.set()
    await asyncio.wait_for(task, 5)
    assert ran == ["started", "finished"]


async def test_a_waiting_write_can_be_cancelled_and_a_failing_one_raises_at_once() -> None:
    cleaned: list[str] = []

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("finally")

    task = run_eagerly(stuck())
    assert task is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["finally"]

    async def broken() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        run_eagerly(broken())


@sqlite
@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_watcher_that_cannot_start_is_told_so_instead_of_hanging(
    settings: Settings, redis: aioredis.Redis, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_watcher: Watcher) -> bool:
        raise RuntimeError("a bug")

    async with live_server(settings) as (address, app):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            job = await create_job(http)
        monkeypatch.setattr(Watcher, "start", broken)
        async with graphql_socket(address, protocol) as client:
            payloads = await asyncio.wait_for(collect(client, job["id"]), 10)
            # An error to act on (subscribe again), not an empty stream that looks finished;
            # no internals in it. And the connection serves on:
            [failed] = payloads
            errors = failed["errors"]
            message = (errors[0] if isinstance(errors, list) else errors)["message"]
            assert "subscribe again" in message and "a bug" not in message
            monkeypatch.undo()
            again = await asyncio.wait_for(anext(_results(client, job["id"])), 10)
    assert again["data"]["jobProgress"]["status"] == "PENDING"
    assert _watchers(app) == []


def _results(client: GraphQLSocket, job_id: str) -> Any:
    async def stream() -> Any:
        op = await client.subscribe(SUBSCRIBE, {"id": job_id})
        async for payload in client.results(op):
            yield payload

    return stream()
