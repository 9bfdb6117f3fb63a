"""Two API processes on one port (uvicorn --workers 2, as `API_PROCESSES=2 make serve` runs
them): the kernel hands each new websocket to either process, each process has its own event
hub, and every watcher, on whichever process it landed, sees its job end. Stopping the stack
leaves none of them behind."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from db.engine import create_engine, create_session_factory
from devserver.embedded_redis import free_port
from devserver.stack import ROOT, Stack, group_running
from domain.enums import JobStatus, StageName, StageStatus
from events.format import channel_for
from events.hub import CLIENT_NAME
from lifecycle.change import change_job
from settings import Settings
from tests.factories import create_job

WATCHERS = 40


@pytest.mark.slow(seconds=12)
async def test_watchers_spread_over_two_api_processes_all_see_the_end(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'adreel.db'}",
        redis_url=None,  # its own embedded Redis: CLIENT LIST shows this stack's hubs alone
        media_dir=tmp_path / "media",
    )
    stack = Stack(
        settings, port=free_port(), workers=0, api_processes=2, quiet=True, log_dir=tmp_path
    )
    await asyncio.to_thread(stack.start)
    assert stack.api is not None
    group = stack.api.pid
    redis = aioredis.Redis.from_url(stack.redis_url)
    engine = create_engine(settings.database_url)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            job_id = (await create_job(client))["id"]
            watchers = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "devserver.watchers", stack.url.removeprefix("http://")),
                *("--jobs", job_id, "--per-job", str(WATCHERS), "--in-flight", "5"),
                *("--timeout", "60", "--receipts"),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            assert watchers.stdout is not None
            ready = await asyncio.wait_for(watchers.stdout.readline(), 60)
            assert ready.startswith(b"READY"), stack.log_tail()
            hubs = [c for c in await redis.client_list() if c.get("name") == CLIENT_NAME]
            # Both processes took watchers: each one's hub (one connection each) is subscribed to
            # the job's channel.
            assert len(hubs) == 2, hubs
            assert await redis.pubsub_numsub(channel_for(job_id)) == [
                (channel_for(job_id).encode(), 2)
            ]

            # The job moves as a worker moves it: each change committed, then published.
            factory = create_session_factory(engine)
            job = uuid.UUID(job_id)
            async with change_job(factory, redis, job, expect=[JobStatus.PENDING]) as change:
                change.job.status = JobStatus.PROCESSING
                change.stage = change.stage_named(StageName.SCRIPT_GEN)
                change.stage.status = StageStatus.PROCESSING
            async with change_job(factory, redis, job, expect=[JobStatus.PROCESSING]) as change:
                change.job.status = JobStatus.COMPLETED
                for stage in change.stages:
                    stage.status, stage.progress = StageStatus.COMPLETED, 100
            report = json.loads((await watchers.communicate())[0].splitlines()[-1])
            health = [(await client.get("/health")).json() for _ in range(4)]
    finally:
        await redis.aclose()
        await engine.dispose()
        await asyncio.to_thread(stack.stop)
    assert report["waiting"] == 0, report
    assert Counter(report["outcomes"]) == {"terminal": WATCHERS}
    for _job, receipts in report["receipts"]:
        assert [r[2] for r in receipts][-1] == "COMPLETED"
    assert all(h["status"] == "ok" and h["events"] == "ok" for h in health), health
    assert not group_running(group), "an API process outlived the stack"
