"""Webhooks, the shared half: checking a webhook URL, recording an event in the outbox when a
job's status changes, and queueing its delivery. Delivery itself is the worker's
(worker/webhooks.py).

Every status change is written to `webhook_events` in the same transaction as the change, so a
crash between the two cannot lose an event; delivery is queued after the commit, and the worker's
sweep queues it again for any event left undelivered (a lost enqueue costs seconds, not events).
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog
from arq.connections import ArqRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MAX_WEBHOOK_URL, Job, WebhookEvent
from domain.enums import JobStatus
from domain.webhooks import EVENT_TYPES, forbidden_address

log = structlog.get_logger("lifecycle.webhooks")

WEBHOOK_QUEUE = "adreel:webhooks"
DELIVER = "deliver_webhooks"


class WebhookUrlError(ValueError):
    """A webhook URL that may not be used; the message says why, without echoing secrets."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect (vetted addresses) and what to call the host."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def parse_webhook_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL, or WebhookUrlError."""
    if len(url) > MAX_WEBHOOK_URL:
        raise WebhookUrlError(f"is longer than {MAX_WEBHOOK_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlError("is not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlError("must be an http:// or https:// URL")
    if not parts.hostname:
        raise WebhookUrlError("has no host")
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlError("must not carry credentials (user:password@); the POST is signed")
    if parts.fragment:
        raise WebhookUrlError("must not have a #fragment")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_webhook_url(url: str, *, allow_private: bool) -> Target:
    """Parse the URL and resolve its host; refuse it when any address it resolves to is one a
    webhook may not reach (unless `allow_private`). The addresses returned are the ones to
    connect to, so a name cannot resolve to a public address here and a private one later."""
    scheme, host, port = parse_webhook_url(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlError(f"host {host!r} does not resolve") from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise WebhookUrlError(f"host {host!r} does not resolve")
    if not allow_private:
        for address in addresses:
            reason = forbidden_address(address)
            if reason:
                raise WebhookUrlError(
                    f"resolves to {address}, {reason}; webhooks go to public addresses only "
                    "(WEBHOOK_ALLOW_PRIVATE_NETWORKS lifts this)"
                )
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def snapshot(job: Job) -> dict[str, Any]:
    """The job as a webhook receiver sees it (camelCase, like the API); videoUrl is signed at
    delivery time from `videoPath`."""
    return {
        "id": str(job.id),
        "status": job.status.name,
        "productName": job.product_name,
        "style": job.style.name,
        "ctaText": job.cta_text,
        "aspectRatio": job.aspect_ratio.name,
        "errorMessage": job.error_message,
        "costUsd": float(job.cost_usd),
        "createdAt": job.created_at.isoformat(),
        "updatedAt": job.updated_at.isoformat(),
        "videoPath": job.video_path,
    }


def record_event(session: AsyncSession, job: Job, before: JobStatus, sequence: int) -> bool:
    """In the change's transaction: add the outbox row if this change is one a webhook hears
    about. True when one was added (the caller queues the delivery after the commit)."""
    event = EVENT_TYPES.get(job.status)
    if not job.webhook_url or event is None or job.status == before:
        return False
    session.add(
        WebhookEvent(
            id=uuid.uuid4(),
            job_id=job.id,
            sequence=sequence,
            event=event,
            payload=snapshot(job),
            attempts=0,
        )
    )
    return True


async def enqueue_delivery(redis: Redis, job_id: uuid.UUID | str) -> None:
    """Queue delivery of the job's pending events. One task per job at a time (the arq job id is
    the job's), which keeps its events in order; refused while one is queued or running, which
    is fine: that one delivers every pending event before it ends."""
    arq = redis if isinstance(redis, ArqRedis) else ArqRedis(connection_pool=redis.connection_pool)
    try:
        await arq.enqueue_job(
            DELIVER, str(job_id), _job_id=f"webhooks:{job_id}", _queue_name=WEBHOOK_QUEUE
        )
    except (RedisError, OSError) as exc:
        log.warning("webhook.enqueue_deferred", job_id=str(job_id), error=type(exc).__name__)
