"""A reconnect storm, small: 300 watchers of three rendering jobs, and the API process is restarted
under them (a deploy). Every watcher comes back on its own, is put back on its job's current
state by its new snapshot, and ends with the job's terminal status; nothing it is shown after
coming back is older than what it had, or repeated."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from devserver.embedded_redis import free_port
from devserver.stack import ROOT, Stack
from tests.conftest import make_settings
from tests.factories import create_job

JOBS = 3
PER_JOB = 100


@pytest.mark.slow(seconds=20)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["deploy", "crash"])
async def test_every_watcher_comes_back_after_the_api_restarts(
    redis_url: str, redis: object, tmp_path: Path, sig: signal.Signals
) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'storm.db'}", redis_url, tmp_path)
    stack = Stack(settings, port=free_port(), workers=1, env={"AD_SECONDS": "8"}, quiet=True)
    await asyncio.to_thread(stack.start)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            job_ids = [(await create_job(client))["id"] for _ in range(JOBS)]
            address = stack.url.removeprefix("http://")
            watchers = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "devserver.watchers", address),
                *("--jobs", ",".join(job_ids), "--per-job", str(PER_JOB)),
                *("--timeout", "120", "--reconnect", "--receipts", "--in-flight", "100"),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                limit=2**24,
            )
            assert watchers.stdout is not None
            ready = await asyncio.wait_for(watchers.stdout.readline(), 60)
            assert ready.startswith(b"READY"), ready
            await asyncio.to_thread(stack.restart_api, sig)
            report = json.loads((await watchers.communicate())[0].splitlines()[-1])
            statuses = [
                (
                    await client.post(
                        "/graphql", json={"query": f'{{ job(id: "{i}") {{ status }} }}'}
                    )
                ).json()["data"]["job"]["status"]
                for i in job_ids
            ]
    finally:
        await asyncio.to_thread(stack.stop)
    assert statuses == ["COMPLETED"] * JOBS
    assert report["waiting"] == 0, report["outcomes"]
    assert Counter(report["outcomes"]) == {"terminal": JOBS * PER_JOB}
    # Every one of them really was cut off and came back.
    assert report["connects"] >= 2 * JOBS * PER_JOB
    for _job, receipts in report["receipts"]:
        sequences = [r[1] for r in receipts]
        assert sequences == sorted(set(sequences))
        assert receipts[-1][2] == "COMPLETED"
