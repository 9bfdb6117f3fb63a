"""Redis clients with the timeouts a service needs: fail fast when Redis is away, never hang,
and never lose a cancellation.

redis-py 5.x bounds each write to the socket with `asyncio.wait_for(..., socket_timeout)`. On
Python 3.11, `wait_for` returns the inner result when the awaiting task is cancelled just as the
write completes, and the cancellation is gone (CPython gh-86296, fixed by 3.12's rewrite of
wait_for). A write ends almost at once, so the window is most of a loop iteration: here 33 of 80
cancels of a `PING` were lost (tests/events/test_redis_cancel.py). A lost cancel kept a job's
lease renewal running forever, and with it the job (CI: a worker test that never ended). The
connection below bounds the write with `asyncio.timeout` instead, which passes a cancellation on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from arq.connections import ArqRedis
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0


class _CancelSafeWrites:
    """Writes bounded by asyncio.timeout (see the module's docstring). The parent's write is run
    with no socket_timeout of its own (so it does not call wait_for); reads keep theirs. A
    connection serves one command at a time, so the brief change is seen by nobody else."""

    socket_timeout: float | None

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        limit = self.socket_timeout
        if not limit:
            await super().send_packed_command(command, check_health)  # type: ignore[misc]
            return
        if not self.is_connected:  # type: ignore[attr-defined]
            await self.connect()  # type: ignore[attr-defined]  # with its own connect timeout
        elif check_health:
            await self.check_health()  # type: ignore[attr-defined]  # a PING, read with the limit
        try:
            async with asyncio.timeout(limit):
                self.socket_timeout = None
                try:
                    await super().send_packed_command(command, False)  # type: ignore[misc]
                finally:
                    self.socket_timeout = limit
        except TimeoutError:
            await self.disconnect(nowait=True)  # type: ignore[attr-defined]
            raise RedisTimeoutError("Timeout writing to socket") from None


class CancelSafeConnection(_CancelSafeWrites, Connection):
    pass


class CancelSafeSSLConnection(_CancelSafeWrites, SSLConnection):
    pass


class CancelSafeUnixConnection(_CancelSafeWrites, UnixDomainSocketConnection):
    pass


def connection_class(url: str) -> type[Connection] | type[UnixDomainSocketConnection]:
    """The cancel-safe kind of the connection redis-py would make for `url`."""
    scheme = urlsplit(url).scheme
    if scheme == "rediss":
        return CancelSafeSSLConnection
    if scheme == "unix":
        return CancelSafeUnixConnection
    return CancelSafeConnection


def arq_redis(url: str, client_name: str = "adreel") -> ArqRedis:
    """A client for enqueueing and publishing. It connects lazily, so a process can start
    (and report itself unhealthy) while Redis is down."""
    options: dict[str, Any] = {"connection_class": connection_class(url)}
    client: ArqRedis = ArqRedis.from_url(
        url,
        client_name=client_name,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        health_check_interval=30,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2),
        **options,
    )
    return client
