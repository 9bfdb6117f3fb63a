"""What each worker says of its job slots, kept in Redis for /health and /metrics.

Every worker writes its status every REPORT_SECONDS under `adreel:worker:<worker id>`, to lapse
after three reports: a worker that died stops being counted a few seconds later. A slot is
"stuck" when its stage has been quiet past STAGE_STALL_SECONDS, or when the watchdog gave up on
a thread it could not stop (the worker is then "recycling": it takes no new job and restarts).
"""

from __future__ import annotations

from pydantic import BaseModel
from redis.asyncio import Redis

STATUS_PREFIX = "adreel:worker:"
REPORT_SECONDS = 5.0
STATUS_TTL_SECONDS = 3 * REPORT_SECONDS


class SlotStatus(BaseModel):
    job_id: str
    stage: str
    quiet_seconds: float  # since the stage's last progress report or heartbeat


class WorkerStatus(BaseModel):
    worker: str
    slots: int  # WORKER_MAX_JOBS
    busy: list[SlotStatus]
    stuck: list[SlotStatus]
    recycling: bool


async def publish(redis: Redis, status: WorkerStatus) -> None:
    await redis.set(
        STATUS_PREFIX + status.worker,
        status.model_dump_json(),
        px=int(STATUS_TTL_SECONDS * 1000),
    )


async def read_all(redis: Redis) -> list[WorkerStatus]:
    """Every live worker's last report (a key that lapsed between SCAN and MGET is skipped)."""
    keys = [key async for key in redis.scan_iter(match=STATUS_PREFIX + "*", count=100)]
    if not keys:
        return []
    values = await redis.mget(keys)
    return [WorkerStatus.model_validate_json(value) for value in values if value is not None]
