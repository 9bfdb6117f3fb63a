"""Delivering webhook events: `deliver_webhooks(job_id)`, an arq task on its own queue.

One task per job at a time (its arq id is the job's), so a job's events go out in order: the
oldest undelivered event first, the next only once it is delivered or given up on. A POST that
fails (no answer within WEBHOOK_TIMEOUT_SECONDS, or an answer other than 2xx) is recorded and
tried again with exponential backoff (arq's Retry with a deferral) until WEBHOOK_RETRY_HOURS
after the event; then the event is given up on and the next one goes.

These tasks run in their own arq worker inside each worker process (`webhook_worker`), with
their own concurrency (WEBHOOK_CONCURRENCY), so a receiver that is slow or down never takes a
slot a render needs. Every POST re-checks the URL's addresses and connects to the address it
checked (the Host header and TLS server name stay the URL's host), so a name that resolves to a
private address by the time of delivery is refused too.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import structlog
from arq import Retry
from arq.worker import Worker, func

from db import queries
from db.models import Job, WebhookAttempt, WebhookEvent
from db.types import utcnow
from domain.backoff import backoff_seconds
from domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from lifecycle.webhooks import DELIVER, WEBHOOK_QUEUE, WebhookUrlError, check_webhook_url
from worker.context import WorkerState, state_of

log = structlog.get_logger("worker.webhooks")

MAX_TRIES = 10_000  # the time limit (WEBHOOK_RETRY_HOURS) ends retries, not a count
BACKOFF_CAP_SECONDS = 3600.0
USER_AGENT = "adreel-webhooks/1"
WEBHOOK_POLL_SECONDS = 0.5


def body_for(event: WebhookEvent, job_snapshot: dict[str, Any], video_url: str | None) -> bytes:
    job = {k: v for k, v in job_snapshot.items() if k != "videoPath"}
    job["videoUrl"] = video_url
    document = {
        "id": str(event.id),
        "type": event.event,
        "createdAt": event.created_at.isoformat(),
        "sequence": event.sequence,
        "job": job,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


async def post(
    state: WorkerState, client: httpx.AsyncClient, job: Job, event: WebhookEvent
) -> tuple[int | None, str | None]:
    """One POST of one event: (status code or None, error or None)."""
    settings = state.settings
    secret = settings.webhook_secret_by_owner.get(job.owner)
    if not secret:
        return None, "no WEBHOOK_SECRETS entry for this job's owner: not sent unsigned"
    if not job.webhook_url:
        return None, "the job has no webhook URL"
    try:
        target = await check_webhook_url(
            job.webhook_url, allow_private=settings.webhook_allow_private_networks
        )
    except WebhookUrlError as exc:
        return None, f"webhook URL {exc}"
    body = body_for(event, event.payload, state.store.url(event.payload.get("videoPath")))
    timestamp = int(time.time())
    address = target.addresses[0]
    url = httpx.URL(target.url).copy_with(host=address)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    headers = {
        "Host": host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: str(event.id),
        EVENT_HEADER: event.event,
    }
    try:
        response = await client.post(
            url,
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.host},
            timeout=settings.webhook_timeout_seconds,
        )
    except httpx.TimeoutException:
        return None, f"no answer within {settings.webhook_timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        return None, f"could not connect: {type(exc).__name__}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"answered HTTP {response.status_code}"


async def deliver_webhooks(ctx: dict[str, Any], job_id: str) -> None:
    state = state_of(ctx)
    client: httpx.AsyncClient = ctx["http"]
    uid = uuid.UUID(job_id)
    window = timedelta(hours=state.settings.webhook_retry_hours)
    while True:
        async with state.session_factory() as session:
            event = await queries.next_webhook_event(session, uid)
            job = await session.get(Job, uid) if event else None
        if event is None or job is None:
            return
        now = utcnow()
        if event.next_attempt_at > now:
            raise Retry(defer=(event.next_attempt_at - now).total_seconds())
        if now - event.created_at > window:
            await _give_up(state, event.id)
            continue
        started = time.perf_counter()
        status_code, error = await post(state, client, job, event)
        duration_ms = int((time.perf_counter() - started) * 1000)
        delivered = error is None
        defer = backoff_seconds(
            event.attempts,
            base=state.settings.webhook_retry_base_seconds,
            cap=BACKOFF_CAP_SECONDS,
            jitter=0.5,
        )
        async with state.session_factory() as session, session.begin():
            row = await session.get(WebhookEvent, event.id, with_for_update=True)
            if row is None:  # the job was deleted meanwhile
                return
            row.attempts += 1
            session.add(
                WebhookAttempt(
                    event_id=row.id,
                    job_id=row.job_id,
                    attempt=row.attempts,
                    at=now,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            if delivered:
                row.delivered_at = utcnow()
            elif utcnow() + timedelta(seconds=defer) - row.created_at > window:
                row.gave_up_at = utcnow()
            else:
                row.next_attempt_at = utcnow() + timedelta(seconds=defer)
        log.info(
            "webhook.attempt",
            job_id=job_id,
            delivery_id=str(event.id),
            webhook_event=event.event,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
        if not delivered:
            raise Retry(defer=defer)


async def _give_up(state: WorkerState, event_id: uuid.UUID) -> None:
    async with state.session_factory() as session, session.begin():
        row = await session.get(WebhookEvent, event_id, with_for_update=True)
        if row is not None and row.delivered_at is None:
            row.gave_up_at = utcnow()
    log.warning("webhook.gave_up", delivery_id=str(event_id))


@functools.cache
def _tls() -> ssl.SSLContext:
    """The process's TLS context: loading the CA bundle costs ~0.1 CPU-s, once is enough."""
    return httpx.create_ssl_context()


def webhook_client() -> httpx.AsyncClient:
    # Redirects are not followed: a 3xx could point anywhere, the guard's check included.
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, verify=_tls())


def webhook_worker(state: WorkerState, redis_settings: Any, http: httpx.AsyncClient) -> Worker:
    """The arq worker that delivers webhooks, run inside a worker process beside the one that
    renders (worker/process.py starts and stops it)."""
    return Worker(
        functions=[func(deliver_webhooks, name=DELIVER, max_tries=MAX_TRIES, keep_result=0)],
        queue_name=WEBHOOK_QUEUE,
        redis_settings=redis_settings,
        max_jobs=state.settings.webhook_concurrency,
        job_timeout=state.settings.webhook_timeout_seconds * 4 + 30,
        max_tries=MAX_TRIES,
        keep_result=0,
        # Deliveries need no 50 ms pick-up; polling less spares Redis across a large fleet.
        poll_delay=max(state.settings.worker_poll_delay, WEBHOOK_POLL_SECONDS),
        handle_signals=False,
        ctx={"state": state, "http": http},
    )
