"""Subscription benchmark: N websocket subscribers on ONE API process, events fanned out to them.

    make bench-subscriptions   (or: .venv-bench/bin/python -m bench.subscriptions
                                [--tiers 1000,5000,10000] [--per-job 10] [--bursts 5])

For each tier: a fresh API process (uvicorn, one process) with an embedded Redis and SQLite;
N/per-job jobs in the database; N subscribers (graphql-transport-ws, `jobProgress`) spread over
client processes (so the clients do not share the server's cores' event loop); then `bursts`
bursts in which one event per job is published to Redis as fast as possible, each carrying its
publish time. Reported: publish-to-receive latency p50/p99 (same machine clock), events delivered
per second, the API process's RSS per subscriber (RSS with subscribers minus RSS before, / N),
and the Redis connections the API process holds, from CLIENT LIST (by client name).

The baseline is the same burst delivered to a single subscriber (1 job, 1 watcher) in the same
run: the ratio says what fan-out costs over the floor of one hop through Redis and the API.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psutil
import redis.asyncio as aioredis
import websockets

from db.engine import create_engine, create_session_factory
from db.models import Job
from db.types import utcnow
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from domain.enums import JobStatus
from events.format import JobEvent, channel_for
from events.hub import CLIENT_NAME
from settings import Settings

SUBSCRIBE = "subscription($id: ID!) { jobProgress(jobId: $id) { sequence message } }"
CLIENT_PROCESSES = 4
HANDSHAKES_IN_FLIGHT = 25  # per client process


# --- client side (a child process) -------------------------------------------------------------


class Done:
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.event = asyncio.Event()

    def check(self, received: int) -> None:
        if received >= self.expected:
            self.event.set()


async def _subscriber(
    address: str,
    job_id: str,
    ready: asyncio.Queue[bool],
    out: list[float],
    done: Done,
    gate: asyncio.Semaphore,
) -> None:
    async with gate:  # a bounded number of handshakes in flight, as real clients arrive
        socket = await _open(address, job_id)
    if socket is None:
        ready.put_nowait(False)
        return
    ready.put_nowait(True)
    async with socket:
        async for raw in socket:
            message = json.loads(raw)
            if message.get("type") == "next":
                sent = float(message["payload"]["data"]["jobProgress"]["message"])
                out.append(time.time() - sent)
                done.check(len(out))


async def _open(address: str, job_id: str) -> websockets.ClientConnection | None:
    """Connect, subscribe and wait for the snapshot; None if the server refused."""
    socket = await websockets.connect(
        f"ws://{address}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        open_timeout=120,
        ping_interval=None,
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    await socket.recv()
    payload = {"query": SUBSCRIBE, "variables": {"id": job_id}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    snapshot = json.loads(await socket.recv())
    if snapshot.get("type") != "next" or snapshot["payload"].get("errors"):
        await socket.close()
        return None
    return socket


async def _client_main(address: str, job_ids: list[str], per_job: int, expected: int) -> None:
    ready: asyncio.Queue[bool] = asyncio.Queue()
    latencies: list[float] = []
    done = Done(expected)
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    tasks = [
        asyncio.create_task(_subscriber(address, job_id, ready, latencies, done, gate))
        for job_id in job_ids
        for _ in range(per_job)
    ]
    refused = 0
    for _ in tasks:
        refused += not await ready.get()
    done.expected -= refused * (expected // max(1, len(tasks)))
    print(f"READY {refused}", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.event.wait(), 120)
    print(json.dumps({"latencies": latencies, "last": time.time()}), flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# --- server side (the parent) ------------------------------------------------------------------


async def _make_jobs(database_url: str, count: int) -> list[str]:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    ids = [uuid.uuid4() for _ in range(count)]
    async with factory() as session, session.begin():
        for job_id in ids:
            session.add(
                Job.new(id=job_id, owner="local", product_name="Bench", style="bold", cta_text="Go")
            )
    await engine.dispose()
    return [str(i) for i in ids]


async def _publish(redis_url: str, job_ids: list[str], bursts: int) -> float:
    client = aioredis.Redis.from_url(redis_url)
    started = time.time()
    for sequence in range(1, bursts + 1):
        async with client.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                event = JobEvent(
                    job_id,
                    sequence,
                    JobStatus.PROCESSING,
                    50,
                    at=utcnow(),
                    message=repr(time.time()),
                )
                pipe.publish(channel_for(job_id), event.to_json())
            await pipe.execute()
        await asyncio.sleep(0.2)
    await client.aclose()
    return started


async def _redis_connections(redis_url: str) -> dict[str, int]:
    client = aioredis.Redis.from_url(redis_url)
    clients = await client.client_list()
    await client.aclose()
    names = [c.get("name", "") for c in clients]
    return {
        "pubsub": sum(1 for c in clients if c.get("name") == CLIENT_NAME),
        "api_total": sum(1 for n in names if n.startswith(("adreel-api", CLIENT_NAME))),
    }


def run_tier(
    subscribers: int, per_job: int, bursts: int, database_url: str | None = None
) -> dict[str, Any]:
    per_job = min(per_job, subscribers)
    jobs_count = max(1, subscribers // per_job)
    with tempfile.TemporaryDirectory(prefix="bench-subs-") as tmp:
        settings = Settings(
            _env_file=None,
            database_url=database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            media_dir=Path(tmp) / "media",
        )
        verbose = bool(os.environ.get("BENCH_VERBOSE"))
        with Stack(settings, port=free_port(), workers=0, quiet=not verbose) as stack:
            job_ids = asyncio.run(_make_jobs(settings.database_url, jobs_count))
            api = psutil.Process(stack.api.pid if stack.api else 0)
            rss_before = api.memory_info().rss
            address = stack.url.removeprefix("http://")
            processes = min(CLIENT_PROCESSES, jobs_count)
            chunks = [job_ids[i::processes] for i in range(processes)]
            clients = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bench.subscriptions",
                        "--client",
                        address,
                        "--jobs",
                        ",".join(chunk),
                        "--per-job",
                        str(per_job),
                        "--expected",
                        str(len(chunk) * per_job * bursts),
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for chunk in chunks
            ]
            connect_started = time.monotonic()
            refused = 0
            for client in clients:
                assert client.stdout is not None
                line = client.stdout.readline()
                if not line.startswith("READY"):
                    raise SystemExit(f"a client process failed before it was ready: {line!r}")
                refused += int(line.split()[1])
            connect_seconds = time.monotonic() - connect_started
            rss_after = api.memory_info().rss
            connections = asyncio.run(_redis_connections(stack.redis_url))
            published_at = asyncio.run(_publish(stack.redis_url, job_ids, bursts))
            latencies: list[float] = []
            last = published_at
            for client in clients:
                out, _ = client.communicate(timeout=300)
                result = json.loads(out.strip().splitlines()[-1])
                latencies += result["latencies"]
                last = max(last, result["last"])
    expected = subscribers * bursts
    latencies.sort()
    return {
        "subscribers": jobs_count * per_job,
        "delivered": len(latencies),
        "expected": expected,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
        # Deliveries per second from the first publish to the last receive (bursts included).
        "events_per_s": len(latencies) / max(1e-9, last - published_at),
        "kb_per_subscriber": (rss_after - rss_before) / 1024 / max(1, jobs_count * per_job),
        "connect_s": connect_seconds,
        "refused": refused,
        **connections,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tiers", default="1000,5000,10000")
    parser.add_argument("--per-job", type=int, default=10)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument(
        "--database-url",
        help="an empty database to use instead of a SQLite file (e.g. PostgreSQL); "
        "it is migrated and filled with the benchmark's jobs",
    )
    parser.add_argument("--client")
    parser.add_argument("--jobs")
    parser.add_argument("--expected", type=int, default=0)
    args = parser.parse_args()
    if args.client:
        asyncio.run(_client_main(args.client, args.jobs.split(","), args.per_job, args.expected))
        return
    rows = [("1 (baseline)", run_tier(1, 1, args.bursts, args.database_url))]
    for tier in (int(t) for t in args.tiers.split(",")):
        print(f"  {tier} subscribers…", file=sys.stderr, flush=True)
        rows.append((str(tier), run_tier(tier, args.per_job, args.bursts, args.database_url)))
        print(f"  {rows[-1][1]}", file=sys.stderr, flush=True)
    backend = (args.database_url or "sqlite").split(":")[0]
    print(
        f"\njobProgress fan-out on one API process ({backend}), {os.cpu_count()} cores, "
        f"{args.per_job} subscribers per job, {args.bursts} bursts of one event per job"
    )
    header = (
        f"{'subscribers':>12} {'delivered':>16} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'events/s':>10} {'KB/sub':>7} {'connect s':>9} {'refused':>7} {'pubsub conns':>12} "
        f"{'API conns':>9}"
    )
    print(header)
    for label, row in rows:
        print(
            f"{label:>12} {row['delivered']:>7}/{row['expected']:<8} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['events_per_s']:>10.0f} {row['kb_per_subscriber']:>7.1f} "
            f"{row['connect_s']:>9.1f} {row['refused']:>7} {row['pubsub']:>12} "
            f"{row['api_total']:>9}"
        )
    base = rows[0][1]["p99_ms"]
    for label, row in rows[1:]:
        print(f"p99 at {label} subscribers is {row['p99_ms'] / base:.1f}x the one-subscriber p99")
    print("targets: 10k held, p99 <= 100 ms for a burst to 1k subscribers, 1 pub/sub connection")


if __name__ == "__main__":
    main()
