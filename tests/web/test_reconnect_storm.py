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
from collections.abc import AsyncIterator

import httpx
import pytest

from devserver.embedded_redis import free_port
from devserver.stack import ROOT, Stack
from settings import Settings
from tests.conftest import STACK_ENV
from tests.factories import create_job

JOBS = 3
PER_JOB = 100


@pytest.fixture(scope="module")
async def storm_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """One stack (with a Redis of its own) for both storms: each restarts the API under its own
    jobs' watchers, and a restarted API is what the next one starts from, as in production."""
    directory = tmp_path_factory.mktemp("storm")
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{directory / 'storm.db'}",
        redis_url=None,  # the stack starts its own
        media_dir=directory / "media",
    )
    stack = Stack(
        settings, port=free_port(), workers=1, env={**STACK_ENV, "AD_SECONDS": "8"}, quiet=True
    )
    await asyncio.to_thread(stack.start)
    try:
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


@pytest.mark.slow(seconds=20)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["deploy", "crash"])
async def test_every_watcher_comes_back_after_the_api_restarts(
    storm_stack: Stack, sig: signal.Signals
) -> None:
    stack = storm_stack
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
                await client.post("/graphql", json={"query": f'{{ job(id: "{i}") {{ status }} }}'})
            ).json()["data"]["job"]["status"]
            for i in job_ids
        ]
    assert statuses == ["COMPLETED"] * JOBS
    assert report["waiting"] == 0, report["outcomes"]
    assert Counter(report["outcomes"]) == {"terminal": JOBS * PER_JOB}
    # Every one of them really was cut off and came back.
    assert report["connects"] >= 2 * JOBS * PER_JOB
    for _job, receipts in report["receipts"]:
        sequences = [r[1] for r in receipts]
        assert sequences == sorted(set(sequences))
        assert receipts[-1][2] == "COMPLETED"
