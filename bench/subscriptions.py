"""Live progress at scale, measured against the goals: fan-out, connecting, a reconnect storm, and
watchers of a job that renders on the same machine.

    make bench-subscriptions   (or: .venv-bench/bin/python -m bench.subscriptions
                                [--postgres URL | --no-postgres] [--scale 1.0])

Every scenario runs a fresh stack (devserver.stack: a real uvicorn API process, an embedded
Redis, and the database) and its watchers in client processes of their own (devserver.watchers:
graphql-transport-ws, as a browser or the CLI talks). All of it runs on SQLite, then on
PostgreSQL (TEST_DATABASE_URL or the local `test` database; it is emptied first). Latency is
measured on the one machine clock: an event's `at` (set when it is published) to the moment a
watcher has parsed it.

- fan-out: N watchers (all of one job, or 10 per job); bursts of one event per job, far enough
  apart that each burst is measured on its own; p50/p99 of publish-to-receive.
- connect: from the first watcher's handshake to the last one's snapshot.
- RSS per watcher: the API process's RSS with the watchers connected, minus before, over N.
- storm: 5,000 watchers (10 per job); the API process is restarted (SIGTERM, a deploy); each job
  moves on while it is down; the time until every watcher has its job's new state, then the jobs
  finish and every watcher must end with COMPLETED.
- render: 1,000 watchers of one real 30 s ad rendered by a worker on the same 2 cores (as
  `make serve` runs it): p99 lateness of live events, and the last watcher's COMPLETED after the
  job's.

The baseline is one watcher of one job in the same run: its p99 against the fan-out's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from bench.crowds import (
    Crowd,
    make_jobs,
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
from devserver.stack import Stack, drop_everything
from domain.enums import JobStatus

BURSTS = 5


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


def _stack(settings: Any, **kwargs: Any) -> Stack:
    return Stack(settings, port=free_port(), quiet=not os.environ.get("BENCH_VERBOSE"), **kwargs)


def fanout(database_url: str, root: Path, watchers: int, per_job: int) -> dict[str, Any]:
    settings = stack_settings(root, database_url)
    with _stack(settings, workers=0) as stack:
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
    late = [r[3] for w in receipts(reports) for r in w if not r[4] and r[2] == "PROCESSING"]
    return {
        "delivered": len(late),
        "expected": watchers * BURSTS,
        "p50_ms": 1000 * percentile(late, 0.5),
        "p99_ms": 1000 * percentile(late, 0.99),
        "connect_s": connect,
        "kb_per_watcher": (after - before) / 1024 / watchers,
        **summary(reports),
    }


def storm(database_url: str, root: Path, watchers: int, per_job: int = 10) -> dict[str, Any]:
    settings = stack_settings(root, database_url)
    with _stack(settings, workers=0) as stack:
        job_ids = asyncio.run(
            make_jobs(settings.database_url, watchers // per_job, JobStatus.PROCESSING, 1)
        )
        address = stack.url.removeprefix("http://")
        with Crowd(address, job_ids, per_job, reconnect=True, in_flight=200, timeout=240) as crowd:
            crowd.wait_ready()
            restarted = time.time()
            assert stack.api is not None
            stack.stop_process(stack.api, signal.SIGTERM)
            # The jobs move on while the API is away: only a snapshot can tell the watchers.
            asyncio.run(_commit(settings.database_url, job_ids, 2, JobStatus.PROCESSING))
            asyncio.run(publish(stack.redis_url, job_ids, 2, JobStatus.PROCESSING))
            stack.start_api()
            # Not /health with its 1 s time-out: the new process answers HTTP only between the
            # thousands of handshakes it is taking.
            back = wait_until(lambda: _subscriptions(stack.url) >= watchers, timeout=120)
            time.sleep(1.0)
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
        "resubscribed": back,
        "saw_new_state": got_new_state,
        **summary(reports),
    }


def _subscriptions(url: str) -> float:
    try:
        text = httpx.get(f"{url}/metrics", timeout=10).text
    except httpx.HTTPError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("adreel_active_subscriptions "):
            return float(line.split()[1])
    return 0.0


def render(database_url: str, root: Path, watchers: int) -> dict[str, Any]:
    settings = stack_settings(root, database_url)
    with _stack(settings, workers=1, env={"AD_SECONDS": "30"}) as stack:
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


def run(database_url: str | None, scale: float) -> list[tuple[str, str, str, bool]]:
    """The goal rows for one database: (figure, measured, goal, met)."""

    def n(count: int) -> int:
        return max(10, int(count * scale))

    rows: list[tuple[str, str, str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="bench-subs-") as tmp:

        def fresh(name: str) -> tuple[str, Path]:
            root = Path(tmp) / name
            root.mkdir()
            if database_url is None:
                return f"sqlite+aiosqlite:///{root / 'bench.db'}", root
            asyncio.run(drop_everything(database_url))
            return database_url, root

        base = fanout(*fresh("baseline"), 1, 1)
        one = fanout(*fresh("one-job"), n(1000), n(1000))
        many = fanout(*fresh("many-jobs"), n(10_000), 10)
        for label, row in (("1 watcher (baseline)", base), (f"{n(1000)} on one job", one)):
            print(f"  {label}: {row}", flush=True)
        print(f"  {n(10_000)}, 10 per job: {many}", flush=True)
        rows += [
            (f"{n(1000)} watchers of one job, one event: p99", _ms(one),
             "<= 100 ms", one["p99_ms"] <= 100 and one["delivered"] == one["expected"]),
            (f"{n(10_000)} watchers (10 per job), one event per job: p99", _ms(many),
             "<= 1000 ms", many["p99_ms"] <= 1000 and many["delivered"] == many["expected"]),
            (f"{n(10_000)} subscriptions connected (handshake + snapshot)",
             f"{many['connect_s']:.1f} s", "<= 15 s", many["connect_s"] <= 15),
            ("API RSS per watcher", f"{many['kb_per_watcher']:.1f} KB", "<= 64 KB",
             many["kb_per_watcher"] <= 64),
            ("baseline: 1 watcher, one event: p99 (fan-out ratio)",
             f"{base['p99_ms']:.1f} ms ({one['p99_ms'] / base['p99_ms']:.0f}x)", "", True),
        ]  # fmt: skip
        gust = storm(*fresh("storm"), n(5000))
        print(f"  storm: {gust}", flush=True)
        clean = gust["waiting"] == 0 and gust["other"] == 0
        rows.append((
            f"storm: API restarted under {n(5000)}: all back on the current state",
            f"{gust['all_back_s']:.1f} s, {gust['waiting']} hung, {gust['other']} not terminal",
            "<= 20 s, 0, 0", gust["all_back_s"] <= 20 and clean,
        ))  # fmt: skip
        busy = render(*fresh("render"), n(1000))
        print(f"  render: {busy}", flush=True)
        rows += [
            (f"{n(1000)} watchers of a 30 s job rendering here: live events p99 late",
             _ms(busy), "<= 250 ms", busy["p99_ms"] <= 250),
            ("  and the last watcher's COMPLETED after the job's",
             f"{busy['last_done_s']:.2f} s ({busy['terminal']}/{n(1000)} ended)", "<= 1 s",
             busy["last_done_s"] <= 1 and busy["terminal"] == n(1000)),
        ]  # fmt: skip
    return rows


def _ms(row: dict[str, Any]) -> str:
    return f"{row['p99_ms']:.0f} ms (p50 {row['p50_ms']:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
        help="an expendable PostgreSQL database (it is emptied and migrated)",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0, help="watcher counts times this")
    args = parser.parse_args()
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if not args.no_postgres:
        databases.append(("PostgreSQL", args.postgres))
    tables = []
    for name, url in databases:
        print(f"{name}…", flush=True)
        tables.append((name, run(url, args.scale)))
    print(
        f"\njobProgress at scale: one API process, {os.cpu_count()} cores, clients in 4 processes"
    )
    if args.scale != 1.0:
        print(f"(watchers scaled by {args.scale}: the goals are for the full counts)")
    for name, rows in tables:
        print(f"\n{name}")
        print(f"  {'figure':<66} {'measured':<34} {'goal':<14} met")
        for figure, measured, goal, met in rows:
            print(f"  {figure:<66} {measured:<34} {goal:<14} {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
