"""Live progress at scale, measured against the goals on one and on two API processes sharing one
port: fan-out, connecting, a reconnect storm, and watchers of a job that renders on the same
machine.

    make bench-subscriptions   (or: .venv-bench/bin/python -m bench.subscriptions
                                [--postgres URL | --no-postgres] [--scale 1.0] [--quick])

Every scenario (bench.subscription_scenarios) runs on a fresh stack and its watchers in client
processes of their own (devserver.watchers: graphql-transport-ws, as a browser or the CLI
talks), once per design: 1 and 2 API processes (uvicorn --workers, as `API_PROCESSES` runs
them), back to back so that the two compare like with like. All of it runs on SQLite, then on
PostgreSQL (TEST_DATABASE_URL or the local `test` database; it is emptied first). Latency is
measured on the one machine clock: an event's `at` (set when it is published) to the moment a
watcher has parsed it.

- fan-out: N watchers (all of one job, or 10 per job); bursts of one event per job, far enough
  apart that each burst is measured on its own; p50/p99 of publish-to-receive.
- connect: from the first watcher's handshake to the last one's snapshot.
- RSS per watcher: the API processes' RSS with the watchers connected, minus before, over N.
- storm: 5,000 watchers (10 per job); the API is restarted (SIGTERM, a deploy); each job moves
  on while it is down; the time until every watcher has its job's new state, then the jobs
  finish and every watcher must end with COMPLETED.
- render: 1,000 watchers of one real 30 s ad rendered by a worker on the same 2 cores (as
  `make serve` runs it): p99 lateness of live events, and the last watcher's COMPLETED after the
  job's.
- crowd: 3,000 watchers arriving as a real ad starts rendering beside them: from the first
  connect to the last watcher's terminal status.

The baseline is one watcher of one job in the same run (its p99 against the fan-out's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import subscription_scenarios as scenarios
from bench.subscription_scenarios import Design
from devserver.stack import drop_everything

PROCESSES = (1, 2)
Results = dict[str, dict[str, Any]]  # scenario -> its figures, for one design


@dataclass(frozen=True)
class Row:
    """One goal row: its text, and how one design's results show and meet it."""

    figure: str
    goal: str
    shown: Callable[[Results], str]
    met: Callable[[Results], bool]


def _ms(row: dict[str, Any]) -> str:
    return f"{row['p99_ms']:.0f} ms (p50 {row['p50_ms']:.0f})"


def rows(n: Callable[[int], int], ad_seconds: float) -> list[Row]:
    def complete(row: dict[str, Any]) -> bool:
        return bool(row["delivered"] == row["expected"])

    def all_ended(row: dict[str, Any]) -> bool:
        return bool(row["terminal"] == row["watchers"] and row["waiting"] == 0)

    return [
        Row(f"{n(1000)} watchers of one job, one event: p99", "<= 100 ms",
            lambda r: _ms(r["one"]),
            lambda r: r["one"]["p99_ms"] <= 100 and complete(r["one"])),
        Row(f"{n(10_000)} watchers (10 per job), one event per job: p99", "<= 1000 ms",
            lambda r: _ms(r["many"]),
            lambda r: r["many"]["p99_ms"] <= 1000 and complete(r["many"])),
        Row(f"{n(10_000)} subscriptions connected (handshake + snapshot)", "<= 15 s",
            lambda r: f"{r['many']['connect_s']:.1f} s",
            lambda r: r["many"]["connect_s"] <= 15),
        Row("API RSS per watcher (all its processes)", "<= 64 KB",
            lambda r: f"{r['many']['kb_per_watcher']:.1f} KB",
            lambda r: r["many"]["kb_per_watcher"] <= 64),
        Row("baseline: 1 watcher, one event: p99 (fan-out ratio)", "",
            lambda r: f"{r['base']['p99_ms']:.1f} ms "
                      f"({r['one']['p99_ms'] / r['base']['p99_ms']:.0f}x)",
            lambda r: True),
        Row(f"storm: API restarted under {n(5000)}: all back on the current state",
            "<= 20 s, 0, 0",
            lambda r: f"{r['storm']['all_back_s']:.1f} s, {r['storm']['waiting']} hung, "
                      f"{r['storm']['other']} not terminal",
            lambda r: r["storm"]["all_back_s"] <= 20
            and r["storm"]["waiting"] == r["storm"]["other"] == 0),
        Row(f"{n(1000)} watchers of a {ad_seconds:g} s job rendering here: live events p99 late",
            "<= 250 ms",
            lambda r: _ms(r["render"]),
            lambda r: r["render"]["p99_ms"] <= 250),
        Row("  and the last watcher's COMPLETED after the job's", "<= 1 s",
            lambda r: f"{r['render']['last_done_s']:.2f} s "
                      f"({r['render']['terminal']}/{r['render']['watchers']} ended)",
            lambda r: r["render"]["last_done_s"] <= 1 and all_ended(r["render"])),
        Row(f"{n(3000)} watchers connect, subscribe and see a rendering job end",
            "<= 12 s",
            lambda r: f"{r['crowd']['wall_s']:.1f} s ({r['crowd']['terminal']}/"
                      f"{r['crowd']['watchers']} ended; job {r['crowd']['job_s']:.1f} s)",
            lambda r: r["crowd"]["wall_s"] <= 12 and all_ended(r["crowd"])),
    ]  # fmt: skip


def run(
    database_url: str | None, n: Callable[[int], int], designs: list[Design], ad_seconds: float
) -> dict[Design, Results]:
    """Every scenario on every design, one database: the designs of a scenario back to back."""
    plan: list[tuple[str, Callable[[str, Path, Design], dict[str, Any]]]] = [
        ("base", lambda url, root, d: scenarios.fanout(url, root, d, 1, 1)),
        ("one", lambda url, root, d: scenarios.fanout(url, root, d, n(1000), n(1000))),
        ("many", lambda url, root, d: scenarios.fanout(url, root, d, n(10_000), 10)),
        ("storm", lambda url, root, d: scenarios.storm(url, root, d, n(5000))),
        ("render", lambda url, root, d: scenarios.render(url, root, d, n(1000), ad_seconds)),
        ("crowd", lambda url, root, d: scenarios.crowd(url, root, d, n(3000), ad_seconds)),
    ]
    results: dict[Design, Results] = {design: {} for design in designs}
    with tempfile.TemporaryDirectory(prefix="bench-subs-") as tmp:
        for name, scenario in plan:
            for design in designs:
                root = Path(tmp) / f"{name}-{design.processes}"
                root.mkdir()
                if database_url is None:
                    url = f"sqlite+aiosqlite:///{root / 'bench.db'}"
                else:
                    asyncio.run(drop_everything(database_url))
                    url = database_url
                began = time.monotonic()
                results[design][name] = scenario(url, root, design)
                took = time.monotonic() - began
                print(
                    f"  {name}, {design.label} ({took:.0f} s): {results[design][name]}", flush=True
                )
    return results


def table(name: str, results: dict[Design, Results], goal_rows: list[Row]) -> None:
    designs = [Design(p) for p in PROCESSES]
    heads = [f"{p} API process{'es' if p > 1 else ''}" for p in PROCESSES]
    print(f"\n{name}")
    print(f"  {'figure':<64} {heads[0]:<32} {heads[1]:<32} {'goal':<14} met")
    for row in goal_rows:
        shown = [row.shown(results[d]) for d in designs]
        met = "/".join("yes" if row.met(results[d]) else "NO" for d in designs)
        print(f"  {row.figure:<64} {shown[0]:<32} {shown[1]:<32} {row.goal:<14} {met}")


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
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--scale", type=float, default=1.0, help="watcher counts times this")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a check that it all works: --scale 0.05 and 8 s ads (with --no-postgres, minutes)",
    )
    args = parser.parse_args()
    scale = 0.05 if args.quick and args.scale == 1.0 else args.scale
    ad_seconds = 8.0 if args.quick else 30.0

    def n(count: int) -> int:
        return max(10, int(count * scale))

    designs = [Design(p) for p in PROCESSES]
    databases: list[tuple[str, str | None]] = [] if args.no_sqlite else [("SQLite", None)]
    if not args.no_postgres:
        databases.append(("PostgreSQL", args.postgres))
    started = time.monotonic()
    tables = []
    for name, url in databases:
        print(f"{name}…", flush=True)
        tables.append((name, run(url, n, designs, ad_seconds)))
    print(
        f"\njobProgress at scale: 1 and 2 API processes on one port, {os.cpu_count()} cores, "
        f"clients in 4 processes; {time.monotonic() - started:.0f} s in all"
    )
    if scale != 1.0:
        print(f"(watchers scaled by {scale}: the goals are for the full counts)")
    for name, results in tables:
        table(name, results, rows(n, ad_seconds))


if __name__ == "__main__":
    main()
