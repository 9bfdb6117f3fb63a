"""The scenarios of `make bench-subscriptions`, each on a fresh stack (devserver.stack: uvicorn
with one or more API processes on one port, an embedded Redis, the database) and its watchers in
client processes of their own (bench.crowds). Each returns its figures as a dict.

A Design is what the API runs as: how many processes on one port.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bench.crowds import (
    Crowd,
    make_jobs,
    open_sockets,
    percentile,
    publish,
    receipts,
    rss,
    summary,
    wait_until,
)
from bench.service import CREATE, stack_settings
from cli.client import Client
from db.engine import create_engine
from db.models import Job
from devserver import sample
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from devserver.watchers import TERMINAL
from domain.enums import JobStatus

BURSTS = 5


@dataclass(frozen=True)
class Design:
    processes: int

    @property
    def label(self) -> str:
        return f"{self.processes} API process{'es' if self.processes > 1 else ''}"


def _stack(
    settings: Any, design: Design, *, env: dict[str, str] | None = None, **kwargs: Any
) -> Stack:
    verbose = bool(os.environ.get("BENCH_VERBOSE"))
    return Stack(
        settings,
        port=free_port(),
        api_processes=design.processes,
        env=env or {},
        quiet=not verbose,
        # Quiet, but kept: a stack that fails to start says why (Stack.log_tail).
        log_dir=None if verbose else settings.media_root.parent / "logs",
        **kwargs,
    )


async def _commit(database_url: str, job_ids: list[str], sequence: int, status: JobStatus) -> None:
    """What workers do before they publish: the jobs' new state, committed."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            update(Job)
            .where(Job.id.in_([uuid.UUID(i) for i in job_ids]))
            .values(status=status, event_sequence=sequence)
        )
    await engine.dispose()


def fanout(
    database_url: str, root: Path, design: Design, watchers: int, per_job: int
) -> dict[str, Any]:
    """N watchers (all of one job, or `per_job` per job); bursts of one event per job, far
    enough apart that each is measured on its own: publish-to-receive p50/p99, the connect time
    and the API's RSS per watcher (all its processes)."""
    settings = stack_settings(root, database_url)
    with _stack(settings, design, workers=0) as stack:
        job_ids = asyncio.run(make_jobs(settings.database_url, max(1, watchers // per_job)))
        assert stack.api is not None
        before = rss(stack.api.pid)
        with Crowd(stack.url.removeprefix("http://"), job_ids, per_job, timeout=300) as crowd:
            connect = crowd.wait_ready()
            after = rss(stack.api.pid)
            gap = max(0.3, watchers * 300e-6)  # a burst has drained well before the next
            for sequence in range(1, BURSTS + 1):
                asyncio.run(publish(stack.redis_url, job_ids, sequence, JobStatus.PROCESSING))
                time.sleep(gap)
            asyncio.run(publish(stack.redis_url, job_ids, BURSTS + 1, JobStatus.COMPLETED))
            reports = crowd.reports()
    everyone = receipts(reports)  # a job's watchers are split evenly: a few more than asked
    late = [r[3] for w in everyone for r in w if not r[4] and r[2] == "PROCESSING"]
    return {
        "delivered": len(late),
        "expected": len(everyone) * BURSTS,
        "p50_ms": 1000 * percentile(late, 0.5),
        "p99_ms": 1000 * percentile(late, 0.99),
        "connect_s": connect,
        "kb_per_watcher": (after - before) / 1024 / len(everyone),
        **summary(reports),
    }


def storm(
    database_url: str, root: Path, design: Design, watchers: int, per_job: int = 10
) -> dict[str, Any]:
    """The API restarted (SIGTERM to every process, a deploy) under the watchers; their jobs
    move on while it is down, then finish once they are back."""
    settings = stack_settings(root, database_url)
    with _stack(settings, design, workers=0) as stack:
        job_ids = asyncio.run(
            make_jobs(settings.database_url, watchers // per_job, JobStatus.PROCESSING, 1)
        )
        address = stack.url.removeprefix("http://")
        with Crowd(address, job_ids, per_job, reconnect=True, in_flight=200, timeout=240) as crowd:
            crowd.wait_ready()
            restarted = time.time()
            stack.stop_api()
            # The jobs move on while the API is away: only a snapshot can tell the watchers.
            asyncio.run(_commit(settings.database_url, job_ids, 2, JobStatus.PROCESSING))
            asyncio.run(publish(stack.redis_url, job_ids, 2, JobStatus.PROCESSING))
            stack.start_api()

            # Not /health with its 1 s time-out: the new processes answer HTTP only between
            # the thousands of handshakes they are taking.
            def reconnected() -> bool:
                assert stack.api is not None
                return open_sockets(stack.api.pid, stack.port) >= watchers

            back = wait_until(reconnected, timeout=120, every=0.5)
            time.sleep(1.0)  # connected is not yet subscribed
            asyncio.run(_commit(settings.database_url, job_ids, 3, JobStatus.COMPLETED))
            asyncio.run(publish(stack.redis_url, job_ids, 3, JobStatus.COMPLETED))
            reports = crowd.reports()
    got_new_state = sum(1 for w in receipts(reports) if any(r[1] == 2 for r in w))
    returned = [
        min((r[0] for r in w if r[1] >= 2), default=float("inf")) - restarted
        for w in receipts(reports)
    ]
    return {
        "all_back_s": max(returned),
        "half_back_s": percentile(returned, 0.5),
        "p99_back_s": percentile(returned, 0.99),
        "reconnected": back,
        "saw_new_state": got_new_state,
        **summary(reports),
    }


def render(
    database_url: str, root: Path, design: Design, watchers: int, ad_seconds: float
) -> dict[str, Any]:
    """Watchers of one real ad rendered by a worker on the same cores (as `make serve` runs
    it), subscribing as it starts: live events' lateness, and the last watcher's COMPLETED
    after the job's."""
    settings = stack_settings(root, database_url)
    env = {"AD_SECONDS": f"{ad_seconds:g}"}
    with _stack(settings, design, workers=1, env=env) as stack:
        job_id = asyncio.run(_create_job(stack.url))
        with Crowd(stack.url.removeprefix("http://"), [job_id], watchers, timeout=300) as crowd:
            reports = crowd.reports()
    everything = receipts(reports)
    live = [r[3] for w in everything for r in w if not r[4]]
    done = [r[3] for w in everything for r in w if r[2] == "COMPLETED"]
    return {
        "events": len(live),
        "p50_ms": 1000 * percentile(live, 0.5),
        "p99_ms": 1000 * percentile(live, 0.99),
        "last_done_s": max(done, default=float("nan")),
        "watchers": len(everything),
        **summary(reports),
    }


def crowd(
    database_url: str, root: Path, design: Design, watchers: int, ad_seconds: float
) -> dict[str, Any]:
    """A crowd arriving at a job as it renders on the same cores: from the first watcher's
    connect to the last one's terminal status (every handshake, subscription and snapshot,
    every live event, the end), beside how long the job itself took."""
    settings = stack_settings(root, database_url)
    env = {"AD_SECONDS": f"{ad_seconds:g}"}
    with _stack(settings, design, workers=1, env=env) as stack:
        created = time.time()
        job_id = asyncio.run(_create_job(stack.url))
        address = stack.url.removeprefix("http://")
        with Crowd(address, [job_id], watchers, timeout=300) as watching:
            connect = watching.wait_ready()
            reports = watching.reports()
    everything = receipts(reports)
    ended = [max((r[0] for r in w if r[2] in TERMINAL), default=float("inf")) for w in everything]
    job_end = min((r[0] - r[3] for w in everything for r in w if r[2] in TERMINAL), default=0.0)
    return {
        "wall_s": max(ended, default=float("inf")) - watching.started,
        "connect_s": connect,
        "job_s": job_end - created,
        "watchers": len(everything),
        **summary(reports),
    }


async def _create_job(url: str) -> str:
    async with Client(url) as client:
        data = await client.execute(
            CREATE,
            {
                "input": {
                    "productName": sample.NAME,
                    "style": "LUXURY",
                    "ctaText": sample.CTA,
                    "productImage": None,
                    "productDescription": sample.DESCRIPTION,
                    "keyBenefits": list(sample.BENEFITS),
                }
            },
            files={"input.productImage": sample.PHOTO},
        )
    return str(data["createJob"]["job"]["id"])
