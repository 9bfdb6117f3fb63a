"""Watcher crowds for the subscription benchmark: devserver.watchers client processes, started
together, their READY lines and reports gathered, and the figures taken from their receipts."""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import time
import uuid
from typing import Any

import psutil
import redis.asyncio as aioredis

from db.engine import create_engine, create_session_factory
from db.models import Job
from db.types import utcnow
from devserver.stack import ROOT
from domain.enums import JobStatus, StageName
from events.format import JobEvent, channel_for

PROCESSES = 4
STAGES = list(StageName)


class Crowd:
    """`per_job` watchers of each job, spread over PROCESSES client processes."""

    def __init__(
        self,
        address: str,
        job_ids: list[str],
        per_job: int,
        *,
        reconnect: bool = False,
        in_flight: int = 25,
        timeout: float = 240,
    ) -> None:
        processes = min(PROCESSES, len(job_ids) * per_job)
        if len(job_ids) >= processes:  # whole jobs per process
            chunks = [(job_ids[i::processes], per_job) for i in range(processes)]
        else:  # one job's watchers split between processes
            chunks = [(job_ids, math.ceil(per_job / processes))] * processes
        self.clients = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "devserver.watchers", address),
                    *("--jobs", ",".join(jobs), "--per-job", str(count), "--receipts"),
                    *("--in-flight", str(in_flight), "--timeout", str(timeout)),
                    *(["--reconnect"] if reconnect else []),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for jobs, count in chunks
        ]
        self.started = math.inf  # see wait_ready

    def wait_ready(self) -> float:
        """Seconds from the first watcher starting to connect to the last one's snapshot; the
        wall time of that first start is kept in `started`."""
        started, ready = math.inf, 0.0
        for client in self.clients:
            assert client.stdout is not None
            line = client.stdout.readline().split()
            if not line or line[0] != "READY":
                raise SystemExit(f"a watcher process failed before it was ready: {line}")
            started, ready = min(started, float(line[1])), max(ready, float(line[2]))
        self.started = started
        return ready - started

    def reports(self) -> list[dict[str, Any]]:
        return [json.loads(c.communicate(timeout=600)[0].splitlines()[-1]) for c in self.clients]

    def __enter__(self) -> Crowd:
        return self

    def __exit__(self, *_exc: object) -> None:
        """However the scenario ended: no watcher process is left behind to load the next one."""
        for client in self.clients:
            if client.poll() is None:
                client.kill()
                client.wait()


def receipts(reports: list[dict[str, Any]]) -> list[list[list[Any]]]:
    """Every watcher's receipts: [received, sequence, status, lateness, snapshot]."""
    return [watcher[1] for report in reports for watcher in report["receipts"]]


def summary(reports: list[dict[str, Any]]) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for report in reports:
        for outcome, count in report["outcomes"].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
    return {
        "terminal": outcomes.get("terminal", 0),
        "other": sum(n for o, n in outcomes.items() if o != "terminal"),
        "waiting": sum(r["waiting"] for r in reports),
        "connects": sum(r["connects"] for r in reports),
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def api_tree(pid: int) -> list[psutil.Process]:
    """The API's processes: the one uvicorn process, or its supervisor and every child."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def rss(pid: int) -> int:
    """The RSS of a process and its children (an API's supervisor and its processes)."""
    total = 0
    for process in api_tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


def open_sockets(pid: int, port: int) -> int:
    """Connections the API processes have accepted on `port` and still hold: with several
    processes /metrics speaks only for the one that answers, this counts them all."""
    total = 0
    for process in api_tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(
                1
                for c in process.net_connections(kind="tcp")
                if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED
            )
    return total


async def make_jobs(
    database_url: str, count: int, status: JobStatus = JobStatus.PENDING, sequence: int = 0
) -> list[str]:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    ids = [uuid.uuid4() for _ in range(count)]
    async with factory() as session, session.begin():
        for job_id in ids:
            job = Job.new(
                id=job_id, owner="local", product_name="Bench", style="bold", cta_text="Go"
            )
            job.status, job.event_sequence = status, sequence
            session.add(job)
    await engine.dispose()
    return [str(i) for i in ids]


async def publish(redis_url: str, job_ids: list[str], sequence: int, status: JobStatus) -> None:
    """One event per job, pipelined, stamped with its publish time. Each sequence names another
    stage, so no mailbox conflates one burst into the next: every event is a delivery."""
    client = aioredis.Redis.from_url(redis_url)
    async with client.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            stage = STAGES[sequence % len(STAGES)]
            event = JobEvent(job_id, sequence, status, 50, at=utcnow(), stage=stage)
            pipe.publish(channel_for(job_id), event.to_json())
        await pipe.execute()
    await client.aclose()


def wait_until(check: Any, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
