"""uvicorn's websocket protocols and event loops compared for live progress: why the API is served
with devserver.stack.API_SERVER_OPTIONS.

    make bench-servers   (or: .venv-bench/bin/python -m bench.servers [--watchers 3000])

For each (websocket protocol, loop): a fresh stack on SQLite, `--watchers` watchers at 10 per job
connecting (the API process's CPU per subscription, from psutil, and the connect time), then
1,000 watchers of one job and five events to them (p50/p99 publish-to-receive). The first row is
the configuration in use, the baseline the others are compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.crowds import Crowd, make_jobs, percentile, publish, receipts
from bench.service import stack_settings
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from domain.enums import JobStatus

VARIANTS = [
    ("websockets-sansio", "asyncio"),
    ("websockets-sansio", "uvloop"),
    ("websockets", "uvloop"),
]


class _Served(Stack):
    """A stack whose API runs with the given protocol and loop."""

    def __init__(self, settings: Any, ws: str, loop: str) -> None:
        super().__init__(settings, port=free_port(), workers=0, quiet=True)
        self.options = ("--ws", ws, "--loop", loop, "--ws-per-message-deflate", "false")

    def start_api(self) -> None:
        self.api = self._spawn(
            "-m", "uvicorn", "server:create_app", "--factory", "--host", self.host,
            "--port", str(self.port), "--no-access-log", "--log-level", "warning", *self.options,
        )  # fmt: skip


def measure(ws: str, loop: str, watchers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as tmp:
        settings = stack_settings(Path(tmp))
        with _Served(settings, ws, loop) as stack:
            address = stack.url.removeprefix("http://")
            assert stack.api is not None
            api = psutil.Process(stack.api.pid)
            jobs = asyncio.run(make_jobs(settings.database_url, watchers // 10))
            before = sum(api.cpu_times()[:2])
            with Crowd(address, jobs, 10) as crowd:
                connect = crowd.wait_ready()
                cpu = sum(api.cpu_times()[:2]) - before
                asyncio.run(publish(stack.redis_url, jobs, 99, JobStatus.COMPLETED))
                crowd.reports()
            one = asyncio.run(make_jobs(settings.database_url, 1))
            with Crowd(address, one, 1000) as crowd:
                crowd.wait_ready()
                for sequence in range(1, 6):
                    asyncio.run(publish(stack.redis_url, one, sequence, JobStatus.PROCESSING))
                    time.sleep(0.4)
                asyncio.run(publish(stack.redis_url, one, 9, JobStatus.COMPLETED))
                late = [
                    r[3]
                    for w in receipts(crowd.reports())
                    for r in w
                    if not r[4] and r[2] == "PROCESSING"
                ]
    return {
        "cpu_ms": 1000 * cpu / watchers,
        "connect_s": connect,
        "p50_ms": 1000 * percentile(late, 0.5),
        "p99_ms": 1000 * percentile(late, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--watchers", type=int, default=3000)
    args = parser.parse_args()
    rows = [(ws, loop, measure(ws, loop, args.watchers)) for ws, loop in VARIANTS]
    base = rows[0][2]
    print(f"\n{args.watchers} watchers connecting (10 per job), then 1,000 on one job; SQLite")
    print(
        f"  {'websockets':<18} {'loop':<8} {'API CPU/sub':>12} {'connect':>9} {'p50':>7} {'p99':>7}"
    )
    for ws, loop, row in rows:
        print(
            f"  {ws:<18} {loop:<8} {row['cpu_ms']:>9.2f} ms {row['connect_s']:>7.1f} s "
            f"{row['p50_ms']:>4.0f} ms {row['p99_ms']:>4.0f} ms"
            f"  (CPU {row['cpu_ms'] / base['cpu_ms']:.2f}x,"
            f" p99 {row['p99_ms'] / base['p99_ms']:.2f}x)"
        )


if __name__ == "__main__":
    main()
