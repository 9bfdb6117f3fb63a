"""A real uvicorn server on a loopback port, and websocket clients for both GraphQL protocols."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import socket
import struct
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
import websockets
from starlette.applications import Starlette

from devserver.embedded_redis import free_port
from server import create_app
from settings import Settings

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"

SUBSCRIBE = """
subscription($id: ID!) {
  jobProgress(jobId: $id) {
    jobId sequence status progress stage stageStatus stageProgress message videoUrl
    errorMessage at
  }
}"""


@contextlib.asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[tuple[str, Starlette]]:
    """Serve the app with uvicorn in this event loop; yields (host:port, app)."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await task


class GraphQLSocket:
    """A minimal client for either protocol, as Apollo's graphql-ws or subscriptions-transport-ws
    would speak it."""

    def __init__(self, socket: websockets.ClientConnection, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self._ids = itertools.count(1)
        self._pending: dict[str, list[dict[str, Any]]] = {}  # messages of other operations

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 30) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), timeout)
            message: dict[str, Any] = json.loads(raw)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
            elif message["type"] != "ka":
                return message

    async def subscribe(self, query: str, variables: dict[str, Any]) -> str:
        op_id = str(next(self._ids))
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send(
            {"id": op_id, "type": kind, "payload": {"query": query, "variables": variables}}
        )
        return op_id

    async def stop(self, op_id: str) -> None:
        kind = "complete" if self.protocol == TRANSPORT_WS else "stop"
        await self.send({"id": op_id, "type": kind})

    async def results(self, op_id: str, timeout: float = 60) -> AsyncIterator[dict[str, Any]]:
        """Each result payload of one operation until the server completes it."""
        data_type = "next" if self.protocol == TRANSPORT_WS else "data"
        while True:
            pending = self._pending.get(op_id)
            message = pending.pop(0) if pending else await self.receive(timeout)
            if message.get("id") != op_id:
                self._pending.setdefault(message.get("id", ""), []).append(message)
                continue
            if message["type"] == "complete":
                return
            if message["type"] == data_type:
                yield message["payload"]
            elif message["type"] == "error":
                yield {"errors": message["payload"]}
                return


@contextlib.asynccontextmanager
async def graphql_socket(
    address: str, protocol: str, payload: dict[str, Any] | None = None
) -> AsyncIterator[GraphQLSocket]:
    async with websockets.connect(f"ws://{address}/graphql", subprotocols=[protocol]) as raw:  # type: ignore[list-item]
        client = GraphQLSocket(raw, protocol)
        ack = await client.init(payload)
        assert ack["type"] == "connection_ack", ack
        yield client


def _client_frame(text: str) -> bytes:
    """One masked text frame, as a browser would send it (RFC 6455 5.2)."""
    payload = text.encode()
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes([0x81, 0x80 | length])
    elif length < 1 << 16:
        header = bytes([0x81, 0x80 | 126]) + struct.pack("!H", length)
    else:
        header = bytes([0x81, 0x80 | 127]) + struct.pack("!Q", length)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@contextlib.asynccontextmanager
async def stalled_subscriber(
    address: str, query: str, variables: dict[str, Any]
) -> AsyncIterator[None]:
    """A client that subscribes and then never reads its socket again, with a tiny receive
    buffer: the server's writes to it back up almost at once."""
    host, port = address.split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /graphql HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {TRANSPORT_WS}\r\n\r\n"
        ).encode()
    )
    await reader.readuntil(b"\r\n\r\n")
    writer.write(_client_frame(json.dumps({"type": "connection_init", "payload": {}})))
    await reader.read(64)  # connection_ack
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": query, "variables": variables},
    }
    writer.write(_client_frame(json.dumps(subscribe)))
    await writer.drain()
    try:
        yield
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def collect(client: Any, job_id: str) -> list[dict[str, Any]]:
    op = await client.subscribe(SUBSCRIBE, {"id": job_id})
    return [payload async for payload in client.results(op)]
