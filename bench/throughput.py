"""Throughput: N offline 30 s ads submitted at once to a fleet of worker processes on this
machine, against the ideal the CPU allows.

    make bench-throughput   (or: .venv-bench/bin/python -m bench.throughput [--jobs 10]
                             [--configs 1x2,2x1,2x2] [--seconds 30] [--database URL])

A real stack (API process, `python -m worker` processes, Redis, SQLite or PostgreSQL) per
configuration `<worker processes>x<WORKER_MAX_JOBS>`. First one job runs alone: its CPU-seconds
(user + system of the API, the workers and every child they ran: Piper, ffmpeg) give the ideal
makespan, CPU-seconds x N / cores. Then N jobs are submitted at once and followed on the
jobProgress subscription; the makespan runs from the first createJob to the last COMPLETED.

Per-job counts for capacity planning are measured on the same batch: Redis commands (INFO
commandstats), PostgreSQL transactions and row writes (pg_stat_database, with --database on
PostgreSQL), and the bytes each job puts in the media store (its upload, the stage artefacts a
resuming worker needs, and the ad: exactly what MEDIA_STORAGE=s3 uploads).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import redis as redis_sync
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.service import CREATE, FOLLOW, stack_settings
from cli.client import Client
from devserver import sample
from devserver.embedded_redis import free_port
from devserver.stack import Stack, drop_everything
from domain import media
from worker import artefacts

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/adreel_bench"


@dataclass
class Batch:
    config: str
    jobs: int
    cpu_per_job: float
    single_wall: float
    makespan: float
    ideal: float
    redis_commands: float
    pg_transactions: float | None
    pg_row_writes: float | None
    store_bytes: float

    @property
    def ratio(self) -> float:
        return self.makespan / self.ideal

    @property
    def per_minute(self) -> float:
        return self.jobs / self.makespan * 60


def _cpu_seconds(pids: list[int]) -> float:
    """User + system of these processes, their live descendants and every child they waited
    for (ffmpeg, Piper)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    t = process.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
    return total


async def _job(client: Client, seconds_style: str) -> float:
    data = await client.execute(
        CREATE,
        {
            "input": {
                "productName": sample.NAME,
                "style": seconds_style,
                "ctaText": sample.CTA,
                "productImage": None,
                "productDescription": sample.DESCRIPTION,
                "keyBenefits": list(sample.BENEFITS),
            }
        },
        files={"input.productImage": sample.PHOTO},
    )
    return await follow(client, data["createJob"]["job"]["id"])


async def follow(client: Client, job_id: str) -> float:
    """Follow a job on the jobProgress subscription until it ends; when it completed."""
    last: dict[str, Any] = {}
    async for result in client.subscribe(FOLLOW, {"id": job_id}):
        last = result["jobProgress"]
    if last.get("status") != "COMPLETED":
        raise SystemExit(f"job ended {last.get('status')}: {last.get('errorMessage')}")
    return time.perf_counter()


async def _batch(url: str, jobs: int) -> float:
    async with Client(url, timeout=600) as client:
        started = time.perf_counter()
        ends = await asyncio.gather(*(_job(client, "LUXURY") for _ in range(jobs)))
    return max(ends) - started


async def _pg_counters(url: str) -> tuple[int, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            row = (
                await conn.execute(
                    text(
                        "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted "
                        "FROM pg_stat_database WHERE datname = current_database()"
                    )
                )
            ).one()
        return int(row[0]), int(row[1])
    finally:
        await engine.dispose()


async def _prepare_pg(url: str) -> None:
    admin = create_async_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    await drop_everything(url)


def _store_bytes(media_root: Path) -> int:
    """What MEDIA_STORAGE=s3 would have uploaded: every upload, and each job's stage files."""
    files = [p for p in (media_root / media.UPLOADS_DIR).glob("*") if p.is_file()]
    for job in (media_root / media.JOBS_DIR).glob("*"):
        for where in filter(None, media.STAGE_FILES.values()):
            files += artefacts.local_files(job / where)
    return sum(p.stat().st_size for p in files if not p.name.startswith("."))


def run_config(config: str, jobs: int, seconds: float, database: str | None) -> Batch:
    processes, max_jobs = (int(n) for n in config.split("x"))
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        root = Path(tmp)
        if database:
            asyncio.run(_prepare_pg(database))
        settings = stack_settings(root, database)
        url = settings.database_url
        env = {"WORKER_MAX_JOBS": str(max_jobs), "AD_SECONDS": str(seconds), "API_KEYS": ""}
        with Stack(settings, port=free_port(), workers=processes, env=env, quiet=True) as stack:
            assert stack.api is not None
            pids = [stack.api.pid, *(w.pid for w in stack.workers)]
            # Warm-up (narrators loaded, caches filled), then one job alone for its CPU cost.
            asyncio.run(_batch(stack.url, processes))
            before = _cpu_seconds(pids)
            single = asyncio.run(_batch(stack.url, 1))
            cpu_per_job = _cpu_seconds(pids) - before

            client = redis_sync.Redis.from_url(stack.redis_url)
            calls_before = _redis_calls(client)
            pg_before = asyncio.run(_pg_counters(url)) if database else None
            media_before = _store_bytes(settings.media_root)
            makespan = asyncio.run(_batch(stack.url, jobs))
            calls = _redis_calls(client) - calls_before
            time.sleep(1.5)  # PostgreSQL's statistics are flushed about every second
            pg_after = asyncio.run(_pg_counters(url)) if database else None
            store = _store_bytes(settings.media_root) - media_before
            client.close()
    cores = os.cpu_count() or 1
    pg = (
        ((pg_after[0] - pg_before[0]) / jobs, (pg_after[1] - pg_before[1]) / jobs)
        if pg_before and pg_after
        else (None, None)
    )
    return Batch(
        config=config,
        jobs=jobs,
        cpu_per_job=cpu_per_job,
        single_wall=single,
        makespan=makespan,
        ideal=cpu_per_job * jobs / cores,
        redis_commands=calls / jobs,
        pg_transactions=pg[0],
        pg_row_writes=pg[1],
        store_bytes=store / jobs,
    )


def _redis_calls(client: redis_sync.Redis) -> int:
    stats: dict[str, dict[str, int]] = client.info("commandstats")  # type: ignore[assignment]
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


def _pg_reachable(url: str) -> bool:
    async def check() -> bool:
        engine = create_async_engine(url.rsplit("/", 1)[0] + "/postgres")
        try:
            async with asyncio.timeout(3), engine.connect():
                return True
        except Exception:
            return False
        finally:
            await engine.dispose()

    return asyncio.run(check())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--configs", default="1x1,1x2,2x1,2x2")
    parser.add_argument("--seconds", type=float, default=30.0, help="ad length")
    parser.add_argument(
        "--database",
        default=None,
        help=f"PostgreSQL URL (default {PG_DEFAULT} when reachable, else SQLite)",
    )
    args = parser.parse_args()
    database = args.database or (PG_DEFAULT if _pg_reachable(PG_DEFAULT) else None)
    cores = os.cpu_count() or 1
    print(f"{args.jobs} offline {args.seconds:g} s ads at once, {cores} cores, "
          f"{'PostgreSQL' if database else 'SQLite'}")  # fmt: skip
    batches = []
    for config in args.configs.split(","):
        print(f"  {config} (worker processes x WORKER_MAX_JOBS)…", flush=True)
        batches.append(run_config(config, args.jobs, args.seconds, database))
    print()
    print(f"{'workers x jobs':<16}{'1 job CPU s':>12}{'1 job wall s':>13}{'makespan s':>12}"
          f"{'ideal s':>9}{'vs ideal':>10}{'jobs/min':>10}")  # fmt: skip
    for b in batches:
        print(f"{b.config:<16}{b.cpu_per_job:>12.1f}{b.single_wall:>13.1f}{b.makespan:>12.1f}"
              f"{b.ideal:>9.1f}{b.ratio:>9.2f}x{b.per_minute:>10.1f}")  # fmt: skip
    best = min(batches, key=lambda b: b.ratio)
    base = batches[0]
    print(f"closest to ideal: {best.config} at {best.ratio:.2f}x (target <= 1.15x); "
          f"{best.per_minute / base.per_minute:.2f}x the throughput of {base.config}")  # fmt: skip
    print()
    print("per job (mean over the batch):")
    print(f"  Redis commands          {statistics.mean(b.redis_commands for b in batches):>10.0f}")
    pg = [b for b in batches if b.pg_transactions is not None]
    if pg:
        tx = statistics.mean(b.pg_transactions or 0 for b in pg)
        rows = statistics.mean(b.pg_row_writes or 0 for b in pg)
        print(f"  PostgreSQL commits      {tx:>10.0f}")
        print(f"  PostgreSQL row writes   {rows:>10.0f}")
    mb = statistics.mean(b.store_bytes for b in batches) / 2**20
    print(f"  media store bytes (MB)  {mb:>10.1f}   (upload + stage artefacts + the ad)")


if __name__ == "__main__":
    main()
