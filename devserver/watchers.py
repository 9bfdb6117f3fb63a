"""Crowds of jobProgress watchers, each behaving as a real client does, in a process of their own
(so they share neither the server's event loop nor its scheduling): for the tests and benchmarks
that put thousands of them on one API process.

    python -m devserver.watchers HOST:PORT --jobs ID[,ID...] [--per-job N] [--timeout S]
                                 [--reconnect] [--receipts] [--in-flight N]

Each watcher: graphql-transport-ws handshake, subscribe, read until `complete`. With
--reconnect, a watcher whose connection ends before `complete` (an API restarted, a load
balancer failing over) connects again after a jittered exponential backoff, as graphql-ws
clients do, and subscribes again; the snapshot puts it back on the job's current state, and a
sequence it has already seen is dropped, which is what the sequence number is for.

It prints `READY <started> <now>` (wall clock) once every watcher has had its first event (the
snapshot), then one JSON line when all have finished or the timeout ran out: how each ended
("terminal": a terminal status, then `complete`), how many were still waiting and, with
--receipts, every event each watcher got as [wall time received, sequence, status, lateness in
seconds (received - the event's `at`), 1 for a snapshot (the first on a connection) else 0].
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvloop
import websockets

SUBSCRIBE = "subscription($id: ID!) { jobProgress(jobId: $id) { sequence status at } }"
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}
RETRY_BASE, RETRY_CAP = 0.5, 5.0

Receipt = tuple[float, int, str, float, int]


@dataclass
class Watcher:
    job_id: str
    reconnect: bool
    receipts: list[Receipt] = field(default_factory=list)
    connects: int = 0
    last: int = -1
    status: str | None = None

    async def run(self, address: str, gate: asyncio.Semaphore, first: asyncio.Event) -> str:
        attempt = 0
        while True:
            try:
                outcome = await self._connection(address, gate, first)
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                outcome = None if self.reconnect else f"raised {type(exc).__name__}"
            if outcome is not None:
                return outcome
            attempt += 1  # dropped before the end: back off, with jitter, and come back
            backoff = min(RETRY_CAP, RETRY_BASE * 2**attempt)
            await asyncio.sleep(random.uniform(0, backoff))  # noqa: S311  # jitter, not secrets

    async def _connection(
        self, address: str, gate: asyncio.Semaphore, first: asyncio.Event
    ) -> str | None:
        """One connection's worth: an outcome, or None when it ended before `complete`."""
        async with gate:
            socket = await websockets.connect(
                f"ws://{address}/graphql",
                subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
                open_timeout=120,
                ping_interval=None,
                max_queue=None,
            )
            self.connects += 1
            await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            await socket.recv()
            payload = {"query": SUBSCRIBE, "variables": {"id": self.job_id}}
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        snapshot = 1
        async with socket:
            async for raw in socket:
                message = json.loads(raw)
                if message["type"] == "next":
                    if message["payload"].get("errors"):
                        return f"error: {message['payload']['errors'][0]['message']}"
                    event = message["payload"]["data"]["jobProgress"]
                    outcome = self._event(event, snapshot)
                    first.set()
                    snapshot = 0
                    if outcome is not None:
                        return outcome
                elif message["type"] == "complete":
                    return (
                        "terminal" if self.status in TERMINAL else f"complete after {self.status}"
                    )
                else:
                    return f"unexpected {message['type']}"
        return None

    def _event(self, event: dict[str, Any], snapshot: int) -> str | None:
        received = time.time()
        sequence = event["sequence"]
        if sequence <= self.last:
            if snapshot:
                return None  # a reconnect's snapshot of what it already has
            return "out of order or repeated"
        self.last, self.status = sequence, event["status"]
        lateness = received - datetime.fromisoformat(event["at"]).timestamp()
        self.receipts.append((received, sequence, self.status, lateness, snapshot))
        return None


async def main(args: argparse.Namespace) -> None:
    gate = asyncio.Semaphore(args.in_flight)
    watchers = [
        Watcher(job_id, args.reconnect)
        for job_id in args.jobs.split(",")
        for _ in range(args.per_job)
    ]
    firsts = [asyncio.Event() for _ in watchers]
    tasks = [
        asyncio.create_task(w.run(args.address, gate, f))
        for w, f in zip(watchers, firsts, strict=True)
    ]
    started = time.time()

    async def announce() -> None:
        await asyncio.gather(*(f.wait() for f in firsts))
        print(f"READY {started:.3f} {time.time():.3f}", flush=True)

    announcing = asyncio.create_task(announce())
    done, pending = await asyncio.wait(tasks, timeout=args.timeout)
    announcing.cancel()
    for task in pending:
        task.cancel()
    outcomes = collections.Counter(
        t.result() if t.exception() is None else f"raised {type(t.exception()).__name__}"
        for t in done
    )
    report: dict[str, Any] = {
        "outcomes": outcomes,
        "waiting": len(pending),
        "connects": sum(w.connects for w in watchers),
    }
    if args.receipts:
        report["receipts"] = [[w.job_id, w.receipts] for w in watchers]
    print(json.dumps(report), flush=True)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("address")
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--per-job", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--reconnect", action="store_true")
    parser.add_argument("--receipts", action="store_true")
    parser.add_argument("--in-flight", type=int, default=25, help="handshakes at once")
    return parser.parse_args(argv)


if __name__ == "__main__":
    # uvloop (uvicorn's, installed with it): the crowd's own CPU is taken from the same cores as
    # the server it measures, so it should take as little as a client can.
    uvloop.run(main(parse()))
