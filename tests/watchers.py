"""A crowd of jobProgress watchers in one process (run as `python -m tests.watchers`), so the
test's clients do not share the server's event loop or cores' scheduling with it.

    python -m tests.watchers HOST:PORT JOB_ID COUNT TIMEOUT

Each watcher: graphql-transport-ws handshake, subscribe, then read until `complete`. Prints one
JSON line: how each watcher ended ("terminal": a terminal status then complete), and how many
were still waiting when TIMEOUT ran out.
"""

from __future__ import annotations

import asyncio
import collections
import json
import sys

import websockets

SUBSCRIBE = "subscription($id: ID!) { jobProgress(jobId: $id) { sequence status } }"
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}
HANDSHAKES_IN_FLIGHT = 25


async def watch(address: str, job_id: str, gate: asyncio.Semaphore) -> str:
    async with gate:
        socket = await websockets.connect(
            f"ws://{address}/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            open_timeout=120,
            ping_interval=None,
            max_queue=None,
        )
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        await socket.recv()
        payload = {"query": SUBSCRIBE, "variables": {"id": job_id}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    sequences: list[int] = []
    status = None
    async with socket:
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "next":
                if message["payload"].get("errors"):
                    return f"error: {message['payload']['errors'][0]['message']}"
                event = message["payload"]["data"]["jobProgress"]
                sequences.append(event["sequence"])
                status = event["status"]
            elif message["type"] == "complete":
                break
            else:
                return f"unexpected {message['type']}"
    if sequences != sorted(set(sequences)):
        return "out of order or repeated"
    return "terminal" if status in TERMINAL else f"complete after {status}"


async def main(address: str, job_id: str, count: int, timeout: float) -> None:
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    tasks = [asyncio.create_task(watch(address, job_id, gate)) for _ in range(count)]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    outcomes = collections.Counter(
        t.result() if t.exception() is None else f"raised {type(t.exception()).__name__}"
        for t in done
    )
    print(json.dumps({"outcomes": outcomes, "waiting": len(pending)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
