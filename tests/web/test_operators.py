"""What operators rely on: /metrics with real numbers, and JSON log lines that carry context."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from devserver.embedded_redis import free_port
from events.hub import CLIENT_NAME
from lifecycle.workers import SlotStatus, WorkerStatus, publish
from logs import configure_logging
from settings import Settings
from tests.conftest import serve_app
from tests.factories import create_job
from tests.live import SUBSCRIBE, TRANSPORT_WS, graphql_socket, live_server
from tests.worker.conftest import run_worker

STAGES = ("script_gen", "voice_gen", "video_gen", "compositing")


def short(settings: Settings) -> Settings:
    return settings.model_copy(update={"ad_seconds": 3.0})


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: Iterator[Sample] = (
        sample
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    )
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}


def value(
    metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return metrics[(name, tuple(sorted(labels.items())))]


@pytest.mark.slow
async def test_metrics_count_jobs_stages_and_the_queue(
    settings: Settings, redis: aioredis.Redis
) -> None:
    settings = short(settings)
    async with serve_app(settings) as (client, _app):
        before = await scrape(client)
        assert value(before, "adreel_jobs", status="completed") == 0
        assert value(before, "adreel_metrics_source_up", source="database") == 1

        await create_job(client, productName="Metered Mug")
        queued = await scrape(client)
        assert value(queued, "adreel_jobs", status="pending") == 1
        assert value(queued, "adreel_queue_depth") == 1

        await run_worker(settings)
        after = await scrape(client)
        assert value(after, "adreel_jobs", status="completed") == 1
        assert value(after, "adreel_jobs", status="pending") == 0
        assert value(after, "adreel_queue_depth") == 0
        for stage in STAGES:
            assert value(after, "adreel_stage_duration_seconds_count", stage=stage) == 1
            assert value(after, "adreel_stage_duration_seconds_bucket", stage=stage, le="+Inf") == 1
            total = value(after, "adreel_stage_duration_seconds_sum", stage=stage)
            assert 0 < total < 120, (stage, total)
        # Compositing a 3 s ad takes some time; no stage took longer than the whole job.
        assert value(after, "adreel_stage_duration_seconds_sum", stage="compositing") > 0.05


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_metrics_show_live_subscriptions_and_hub_reconnects(
    settings: Settings, redis: aioredis.Redis
) -> None:
    async with (
        live_server(settings) as (address, _app),
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        job = await create_job(client)
        start = await scrape(client)
        assert value(start, "adreel_active_subscriptions") == 0
        assert value(start, "adreel_event_hub_reconnects_total") == 0
        assert value(start, "adreel_event_hub_connected") == 1

        async with graphql_socket(address, TRANSPORT_WS) as socket:
            op = await socket.subscribe(SUBSCRIBE, {"id": job["id"]})
            snapshot = await socket.receive()
            assert snapshot["id"] == op and snapshot["type"] == "next"
            assert value(await scrape(client), "adreel_active_subscriptions") == 1

            # Redis drops the hub's pub/sub connection: the hub reconnects and says so.
            for entry in await redis.client_list():
                if entry.get("name") == CLIENT_NAME:
                    await redis.client_kill_filter(_id=entry["id"])
            async with asyncio.timeout(15):
                while True:
                    metrics = await scrape(client)
                    reconnected = value(metrics, "adreel_event_hub_reconnects_total") == 1
                    if reconnected and value(metrics, "adreel_event_hub_connected") == 1:
                        break
                    await asyncio.sleep(0.05)
            await socket.stop(op)
        async with asyncio.timeout(5):
            while value(await scrape(client), "adreel_active_subscriptions") != 0:
                await asyncio.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_json_log_lines_carry_request_job_and_stage(
    settings: Settings, redis: aioredis.Redis
) -> None:
    settings = short(settings)
    async with serve_app(settings) as (client, _app):
        configure_logging(console=False)  # as `python -m worker` does with keys on: JSON lines
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        lines = io.StringIO()
        handler.setStream(lines)
        try:
            response = await client.post(
                "/graphql",
                json={"query": "{ styles { style } }"},
                headers={"X-Request-ID": "ops-check-1"},
            )
            assert response.status_code == 200
            job = await create_job(client)
            await run_worker(settings)
        finally:
            handler.setStream(sys.stderr)
    records = [json.loads(line) for line in lines.getvalue().splitlines() if line.startswith("{")]
    access = [
        r for r in records if r["event"] == "http.request" and r.get("request_id") == "ops-check-1"
    ]
    assert access and access[0]["path"] == "/graphql" and access[0]["status"] == 200
    started = {r["stage"]: r for r in records if r["event"] == "job.stage.started" and "stage" in r}
    assert set(started) == set(STAGES), records
    for record in started.values():
        assert record["job_id"] == job["id"]
        assert record["level"] == "info" and record["logger"] == "worker" and record["timestamp"]
    completed = [r for r in records if r["event"] == "job.completed"]
    assert completed and completed[0]["job_id"] == job["id"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_scrape_with_redis_down_still_answers_and_says_what_is_missing(
    settings: Settings,
) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    async with serve_app(down) as (client, _app):
        metrics = await scrape(client)
    assert value(metrics, "adreel_metrics_source_up", source="redis") == 0
    assert value(metrics, "adreel_metrics_source_up", source="database") == 1
    assert value(metrics, "adreel_jobs", status="pending") == 0
    assert value(metrics, "adreel_event_hub_connected") == 0
    assert ("adreel_queue_depth", ()) not in metrics


async def test_a_stuck_worker_slot_shows_in_health_and_metrics(
    settings: Settings, redis: aioredis.Redis
) -> None:
    """Each worker reports its slots (worker/status.py); the API shows them fleet-wide."""
    busy = SlotStatus(job_id="job-a", stage="voice_gen", quiet_seconds=1.0)
    stuck = SlotStatus(job_id="job-b", stage="video_gen", quiet_seconds=95.0)
    await publish(redis, WorkerStatus(worker="host/1/a", slots=2, busy=[busy, stuck],
                                      stuck=[stuck], recycling=True))  # fmt: skip
    await publish(redis, WorkerStatus(worker="host/2/b", slots=2, busy=[], stuck=[],
                                      recycling=False))  # fmt: skip
    async with serve_app(settings) as (client, _app):
        health = (await client.get("/health")).json()
        metrics = await scrape(client)
    assert health["status"] == "ok"  # the API serves; the watchdog ends the stuck stage
    assert health["workers"] == {
        "live": 2,
        "slots": 4,
        "busy": 2,
        "stuck": [{"worker": "host/1/a", "job_id": "job-b", "stage": "video_gen",
                   "quiet_seconds": 95.0, "recycling": True}],
    }  # fmt: skip
    assert value(metrics, "adreel_workers") == 2
    assert value(metrics, "adreel_worker_slots", state="stuck") == 1
    assert value(metrics, "adreel_worker_slots", state="busy") == 2
    assert value(metrics, "adreel_worker_slots", state="total") == 4
    assert value(metrics, "adreel_workers_recycling") == 1
