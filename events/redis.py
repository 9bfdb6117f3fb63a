"""Redis clients with the timeouts a service needs: fail fast when Redis is away, never hang."""

from __future__ import annotations

from arq.connections import ArqRedis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0


def arq_redis(url: str, client_name: str = "adreel") -> ArqRedis:
    """A client for enqueueing and publishing. It connects lazily, so a process can start
    (and report itself unhealthy) while Redis is down."""
    client: ArqRedis = ArqRedis.from_url(
        url,
        client_name=client_name,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        health_check_interval=30,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2),
    )
    return client
