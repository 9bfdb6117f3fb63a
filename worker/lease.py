"""A per-job lease in Redis: proof that a live worker is running the job.

arq marks a running job with an in-progress key that lives as long as the job's timeout, so a
worker killed with SIGKILL would leave its job untouchable for up to that long. Our lease is
short and renewed while the job runs; when it lapses, the sweep knows the job lost its worker
and clears arq's marker so another worker takes it at once. Taking the lease with SET NX also
stops two workers from running one job at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis

LEASE_PREFIX = "adreel:lease:"

# Renew while we hold it; take it back if it vanished (Redis restarted without persistence);
# never take it from another worker (one may have taken over after a long stall).
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif not holder then
  return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def lease_key(job_id: str) -> str:
    return f"{LEASE_PREFIX}{job_id}"


class LeaseTaken(Exception):
    """Another live worker holds this job."""


@contextlib.asynccontextmanager
async def hold_lease(redis: Redis, job_id: str, owner: str, seconds: float) -> AsyncIterator[None]:
    key = lease_key(job_id)
    ttl_ms = int(seconds * 1000)
    taken = await redis.set(key, owner, px=ttl_ms, nx=True)
    if not taken and (await redis.get(key)) not in (owner, owner.encode()):
        raise LeaseTaken(job_id)
    renew = redis.register_script(_RENEW)

    async def keep_alive() -> None:
        while True:
            await asyncio.sleep(seconds / 3)
            with contextlib.suppress(Exception):  # a blip is fine: the next renewal retries
                await renew(keys=[key], args=[owner, ttl_ms])

    task = asyncio.create_task(keep_alive())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await redis.register_script(_RELEASE)(keys=[key], args=[owner])


async def lease_alive(redis: Redis, job_id: str) -> bool:
    return bool(await redis.exists(lease_key(job_id)))
