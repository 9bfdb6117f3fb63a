"""GET /metrics: Prometheus text format, for operators.

Jobs by status and stage durations are computed from the database at scrape time (two GROUP BY
statements), so every API process reports the same fleet-wide numbers however many API and
worker processes there are, and nothing is lost when a process restarts. The queue depth is
read from Redis (ZCARD of the arq queue), and so are the workers' job slots (busy, stuck: each
worker's own report, lifecycle/workers.py). Active subscriptions and event-hub reconnects belong
to the process that answers the scrape: scrape each API process (or sum them) for the total.

Each scrape builds a fresh registry holding one collector with the values just read, so the
process-global prometheus_client registry (and its multiprocess caveats) is never involved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import structlog
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from db.models import Job, StageAttempt
from domain.enums import STAGE_ORDER, AttemptOutcome, JobStatus
from lifecycle.queue import QUEUE_NAME
from lifecycle.workers import WorkerStatus, read_all
from resolvers.services import Services

log = structlog.get_logger("http")

# Seconds. Offline stages take from well under a second (script) to tens of seconds
# (compositing a 30 s ad); hosted video models can take minutes.
DURATION_BUCKETS: tuple[float, ...] = (0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)
SOURCE_TIMEOUT = 2.0
# The classic text format, which every Prometheus version (and most other scrapers) reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class StageDurations:
    count: int = 0
    total: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(DURATION_BUCKETS))


@dataclass
class Snapshot:
    jobs_by_status: dict[str, int] | None = None
    durations: dict[str, StageDurations] | None = None
    attempts: dict[tuple[str, str], int] | None = None
    queue_depth: int | None = None
    workers: list[WorkerStatus] | None = None
    subscriptions: int | None = None
    hub_reconnects: int | None = None
    hub_connected: bool | None = None


def _duration(session: AsyncSession) -> ColumnElement[float]:
    """ended_at - started_at of an attempt in seconds, on either backend."""
    ended, started = StageAttempt.ended_at, StageAttempt.started_at
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", ended - started), Float)
    return (func.julianday(ended) - func.julianday(started)) * 86400.0


async def _read_database(
    session: AsyncSession,
) -> tuple[dict[str, int], dict[str, StageDurations], dict[tuple[str, str], int]]:
    counts = {status.value: 0 for status in JobStatus}
    rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
    for status, count in rows:
        counts[JobStatus(status).value] = int(count)

    seconds = _duration(session)
    columns = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in DURATION_BUCKETS]
    # Durations are those of the attempts that completed: a crashed or retried attempt's time is
    # not the stage's (adreel_stage_attempts counts those).
    stmt = (
        select(
            StageAttempt.stage_name,
            func.count(),
            func.coalesce(func.sum(seconds), 0.0),
            *columns,
        )
        .where(StageAttempt.outcome == AttemptOutcome.COMPLETED)
        .group_by(StageAttempt.stage_name)
    )
    durations = {name.value: StageDurations() for name in STAGE_ORDER}
    for name, count, total, *buckets in await session.execute(stmt):
        durations[str(getattr(name, "value", name))] = StageDurations(
            count=int(count), total=float(total), buckets=[int(b or 0) for b in buckets]
        )
    attempts: dict[tuple[str, str], int] = {}
    by_outcome = await session.execute(
        select(StageAttempt.stage_name, StageAttempt.outcome, func.count()).group_by(
            StageAttempt.stage_name, StageAttempt.outcome
        )
    )
    for name, outcome, count in by_outcome:
        attempts[(str(name), str(outcome))] = int(count)
    return counts, durations, attempts


async def snapshot(services: Services) -> Snapshot:
    """Everything /metrics reports, read now. A source that is down is left out (and its
    `adreel_metrics_source_up` is 0) rather than failing the whole scrape."""
    result = Snapshot()

    async def database() -> None:
        try:
            async with asyncio.timeout(SOURCE_TIMEOUT), services.session_factory() as session:
                (
                    result.jobs_by_status,
                    result.durations,
                    result.attempts,
                ) = await _read_database(session)
        except Exception as exc:
            log.warning("metrics.database_down", error=type(exc).__name__)

    async def queue() -> None:
        try:
            async with asyncio.timeout(SOURCE_TIMEOUT):
                result.queue_depth = int(await services.redis.zcard(QUEUE_NAME))
                result.workers = await read_all(services.redis)
        except Exception as exc:
            log.warning("metrics.redis_down", error=type(exc).__name__)

    await asyncio.gather(database(), queue())
    if services.hub is not None:
        result.subscriptions = services.hub.subscriber_count
        result.hub_reconnects = services.hub.reconnects
        result.hub_connected = services.hub.connected
    return result


class SnapshotCollector(Collector):
    def __init__(self, data: Snapshot) -> None:
        self.data = data

    def collect(self) -> Iterator[Metric]:
        data = self.data
        up = GaugeMetricFamily(
            "adreel_metrics_source_up",
            "Whether this scrape could read the source (1) or not (0).",
            labels=["source"],
        )
        up.add_metric(["database"], 1 if data.jobs_by_status is not None else 0)
        up.add_metric(["redis"], 1 if data.queue_depth is not None else 0)
        yield up
        if data.jobs_by_status is not None:
            jobs = GaugeMetricFamily(
                "adreel_jobs", "Jobs in the database, by status.", labels=["status"]
            )
            for status, count in data.jobs_by_status.items():
                jobs.add_metric([status], count)
            yield jobs
        if data.durations is not None:
            yield _histogram(data.durations)
        if data.attempts is not None:
            attempts = CounterMetricFamily(
                "adreel_stage_attempts",
                "Stage attempts by how they ended (running, completed, failed, crashed, "
                "cancelled, interrupted, superseded).",
                labels=["stage", "outcome"],
            )
            for (stage, outcome), count in sorted(data.attempts.items()):
                attempts.add_metric([stage, outcome], count)
            yield attempts
        if data.queue_depth is not None:
            yield GaugeMetricFamily(
                "adreel_queue_depth",
                "Jobs waiting in the arq queue (queued or deferred, not yet picked up).",
                value=data.queue_depth,
            )
        if data.workers is not None:
            yield from _worker_slots(data.workers)
        if data.subscriptions is not None:
            yield GaugeMetricFamily(
                "adreel_active_subscriptions",
                "jobProgress subscriptions open on this API process.",
                value=data.subscriptions,
            )
        if data.hub_reconnects is not None:
            yield CounterMetricFamily(
                "adreel_event_hub_reconnects",
                "Times this API process's event hub lost its Redis pub/sub connection.",
                value=data.hub_reconnects,
            )
        if data.hub_connected is not None:
            yield GaugeMetricFamily(
                "adreel_event_hub_connected",
                "Whether this API process's event hub is connected to Redis.",
                value=1 if data.hub_connected else 0,
            )


def _worker_slots(workers: list[WorkerStatus]) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "adreel_workers", "Workers that reported in the last 15 s.", value=len(workers)
    )
    slots = GaugeMetricFamily(
        "adreel_worker_slots",
        "Job slots of the live workers: busy (a stage running), stuck (a stage quiet past "
        "STAGE_STALL_SECONDS, or a thread the watchdog could not stop), total.",
        labels=["state"],
    )
    slots.add_metric(["busy"], sum(len(w.busy) for w in workers))
    slots.add_metric(["stuck"], sum(len(w.stuck) for w in workers))
    slots.add_metric(["total"], sum(w.slots for w in workers))
    yield slots
    yield GaugeMetricFamily(
        "adreel_workers_recycling",
        "Workers ending to be restarted (a stage's thread could not be stopped).",
        value=sum(1 for w in workers if w.recycling),
    )


def _histogram(durations: dict[str, StageDurations]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(
        "adreel_stage_duration_seconds",
        "How long stages took, from the start to the end of the attempt that completed them.",
        labels=["stage"],
    )
    for stage, values in durations.items():
        pairs = zip(DURATION_BUCKETS, values.buckets, strict=True)
        buckets: Sequence[tuple[str, float]] = [
            *((str(float(bound)), count) for bound, count in pairs),
            ("+Inf", values.count),
        ]
        family.add_metric([stage], buckets=list(buckets), sum_value=values.total)
    return family


def render(data: Snapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(data))
    return generate_latest(registry)


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    body = render(await snapshot(services))
    return Response(body, media_type=CONTENT_TYPE)
