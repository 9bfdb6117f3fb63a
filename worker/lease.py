"""A per-job lease in Redis: proof that a live run is working on the job.

arq marks a running job with an in-progress key that lives as long as the job's timeout, so a
worker killed with SIGKILL would leave its job untouchable for up to that long. Our lease is
short and renewed while the job runs; when it lapses, the sweep knows the job lost its worker
and clears arq's marker so another worker takes it at once.

The lease belongs to one run (a fresh token per `run_job` call), not to a worker: taking it with
SET NX refuses a second run of the same job while the first lives, whether that second run is in
another process or in the same one. The database's fencing token (`jobs.run_id`) backs it up: a
run that lost its lease anyway (Redis restarted without persistence, a stall longer than the
lease) is refused at its next write.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis

log = structlog.get_logger("worker.lease")

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
    """Hold the job's lease for the duration of the block; LeaseTaken if anyone holds it.

    `owner` must be unique per run: a run never accepts a lease it did not take itself.
    """
    key = lease_key(job_id)
    ttl_ms = int(seconds * 1000)
    if not await redis.set(key, owner, px=ttl_ms, nx=True):
        raise LeaseTaken(job_id)
    renew = redis.register_script(_RENEW)
    # Told to stop, besides being cancelled: a cancel that a library loses on its way (as
    # redis-py's timed writes did, events/redis.py) must not keep the lease, and the job, alive.
    stopped = asyncio.Event()

    async def keep_alive() -> None:
        while not stopped.is_set():
            await asyncio.sleep(seconds / 3)
            if stopped.is_set():
                return
            try:
                kept = await renew(keys=[key], args=[owner, ttl_ms])
            except Exception:  # noqa: S112  # a blip is fine: the next renewal retries
                continue
            if not kept:
                # Another run holds it now; the database refuses our next write (fencing).
                log.warning("lease.lost", job_id=job_id)

    task = asyncio.create_task(keep_alive())
    try:
        yield
    finally:
        stopped.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await redis.register_script(_RELEASE)(keys=[key], args=[owner])


async def lease_alive(redis: Redis, job_id: str) -> bool:
    return bool(await redis.exists(lease_key(job_id)))
