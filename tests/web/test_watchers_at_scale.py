"""3,000 watchers of one job, subscribing while it renders on the same 2-core machine (API and
worker side by side, as `make serve` runs them) and after it ends: every one of them ends with
the job's terminal status. This is the scale at which, before snapshot reads were shared and the
render yielded the CPU, hundreds never got their snapshot and others got pool time-outs."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from devserver.embedded_redis import free_port
from devserver.stack import ROOT, Stack
from tests.conftest import STACK_ENV, make_settings
from tests.factories import create_job

WATCHERS = 3000
CLIENT_PROCESSES = 4


@pytest.mark.slow(seconds=23)
async def test_three_thousand_watchers_all_see_the_end(
    redis_url: str, redis: object, tmp_path: Path
) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'watch.db'}", redis_url, tmp_path)
    # The worker niced as `make serve` runs it; a 12 s draft still renders while the 3,000
    # arrive (their connecting takes longer than its render on 2 cores).
    env = {**STACK_ENV, "WORKER_NICE": "10", "AD_SECONDS": "12", "API_KEYS": ""}
    stack = Stack(settings, port=free_port(), workers=1, env=env, quiet=True)
    await asyncio.to_thread(stack.start)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
            job_id = (await create_job(client))["id"]
            address = stack.url.removeprefix("http://")
            per_process = str(WATCHERS // CLIENT_PROCESSES)
            command = [
                *("-m", "devserver.watchers", address, "--jobs", job_id),
                *("--per-job", per_process, "--timeout", "150"),
            ]
            clients = [
                await asyncio.create_subprocess_exec(
                    sys.executable, *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE
                )
                for _ in range(CLIENT_PROCESSES)
            ]
            reports = [json.loads((await c.communicate())[0].splitlines()[-1]) for c in clients]
            body = await client.post(
                "/graphql", json={"query": f'{{ job(id: "{job_id}") {{ status }} }}'}
            )
    finally:
        await asyncio.to_thread(stack.stop)
    outcomes: Counter[str] = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    assert body.json()["data"]["job"]["status"] == "COMPLETED"
    assert sum(r["waiting"] for r in reports) == 0, reports
    assert outcomes == {"terminal": WATCHERS}, outcomes
