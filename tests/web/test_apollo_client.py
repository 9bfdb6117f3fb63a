"""An unmodified Apollo Client (graphql-ws createClient) follows a job to its video URL against a
real server (uvicorn API + arq worker processes), as a frontend would."""

from __future__ import annotations

import asyncio
import json

import pytest

from devserver.stack import Stack
from tests.nodejs import JS, install_js, needs_node

pytestmark = needs_node


@pytest.mark.slow(seconds=7)
async def test_apollo_client_follows_a_job_to_its_video(local_stack: Stack) -> None:
    """Against the session's local-mode stack (no API keys, 3 s ads)."""
    await asyncio.to_thread(install_js)
    process = await asyncio.create_subprocess_exec(
        "node", "follow.mjs", f"{local_stack.url}/graphql",
        cwd=JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 150)
    assert process.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    job_id = lines[0]["created"]
    events = lines[1:-1]
    assert lines[-1] == {"complete": True}
    # The snapshot: the worker may already have started by the time the client subscribes.
    assert events[0]["jobId"] == job_id and events[0]["status"] in ("PENDING", "PROCESSING")
    assert events[-1]["status"] == "COMPLETED"
    assert events[-1]["videoUrl"].startswith(f"/media/jobs/{job_id}/ad.mp4?expires=")
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(set(sequences))
    # Live events, not just the snapshot: compositing is seen starting and finishing.
    compositing = [e["stageStatus"] for e in events[1:] if e["stage"] == "COMPOSITING"]
    assert compositing[0] == "PROCESSING" and compositing[-1] == "COMPLETED"
