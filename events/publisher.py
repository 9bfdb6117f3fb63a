"""Publishing progress events, after the change they describe is committed."""

from __future__ import annotations

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from events.format import JobEvent, channel_for

log = structlog.get_logger(__name__)


async def publish(redis: Redis, event: JobEvent) -> bool:
    """Publish one event; False (logged) when Redis is unreachable.

    The database already holds the state the event describes, so a lost publish costs a
    subscriber nothing it cannot recover: subscriptions re-read the job when the hub reconnects.
    """
    try:
        await redis.publish(channel_for(event.job_id), event.to_json())
    except (RedisError, OSError) as exc:
        log.warning("events.publish_failed", job_id=event.job_id, error=type(exc).__name__)
        return False
    return True
