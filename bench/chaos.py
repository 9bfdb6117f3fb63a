"""Chaos run: jobs through a real stack while worker process groups are SIGKILLed at random.

    make bench-chaos   (or: .venv-bench/bin/python -m bench.chaos [--jobs 20] [--seconds 60]
                        [--workers 2] [--ad-seconds 8] [--database-url postgresql+asyncpg://…])

Submits the jobs over HTTP, kills a random worker (and its children) every 1.5-3.5 s for
`--seconds`, starting a fresh one each time, then waits for every job to finish and prints what
the database recorded: job outcomes, attempts per stage by outcome, overlapping attempts (must be
none), and the recovery time of each crash (from the kill to the start of the stage's next
attempt, on another or a new worker). The baseline row is the same jobs with no kills.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from db.engine import create_engine
from devserver.chaos import Kill, Report, kill_workers, report
from devserver.embedded_redis import EmbeddedRedis, free_port
from devserver.stack import Stack, drop_everything
from settings import Settings

CREATE = """
mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } errors { message } } }
"""
STATUS = "query($id: ID!) { job(id: $id) { status } }"


async def run(
    args: argparse.Namespace, kill_seconds: float, redis_url: str
) -> tuple[Report, float]:
    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database_url or f"sqlite+aiosqlite:///{scratch}/chaos.db"
        if args.database_url:
            await drop_everything(database_url)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            redis_url=redis_url,
            media_dir=Path(scratch) / "media",
        )
        env = {
            "AD_SECONDS": str(args.ad_seconds),
            "WORKER_LEASE_SECONDS": "2",
            "WORKER_SWEEP_INTERVAL_SECONDS": "0.5",
            "WORKER_MAX_JOBS": "1",
            "JOB_MAX_TRIES": "100",
            "API_KEYS": "",
        }
        stack = Stack(
            settings,
            port=free_port(),
            workers=args.workers,
            env=env,
            quiet=True,
            worker_groups=True,
        )
        await asyncio.to_thread(stack.start)
        engine = create_engine(database_url)
        try:
            started = time.monotonic()
            async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
                ids = []
                for n in range(args.jobs):
                    variables = {
                        "input": {
                            "productName": f"Chaos Kit {n}",
                            "style": ["LUXURY", "ENERGETIC", "MINIMAL", "BOLD"][n % 4],
                            "ctaText": "Shop now",
                        }
                    }
                    body = (
                        await client.post(
                            "/graphql", json={"query": CREATE, "variables": variables}
                        )
                    ).json()
                    ids.append(body["data"]["createJob"]["job"]["id"])
                kills: list[Kill] = []
                if kill_seconds:
                    kills = await kill_workers(stack, kill_seconds, random.Random(args.seed))
                while True:
                    states = [
                        (
                            await client.post(
                                "/graphql", json={"query": STATUS, "variables": {"id": i}}
                            )
                        ).json()["data"]["job"]["status"]
                        for i in ids
                    ]
                    if all(s in ("COMPLETED", "FAILED", "CANCELLED") for s in states):
                        break
                    await asyncio.sleep(0.5)
            elapsed = time.monotonic() - started
            return await report(engine, [uuid.UUID(i) for i in ids], kills), elapsed
        finally:
            await engine.dispose()
            await asyncio.to_thread(stack.stop)


def _row(name: str, result: Report, elapsed: float) -> list[str]:
    completed = sum(1 for j in result.jobs if j.status.value == "completed")
    crashed = sum(n for (_, o), n in result.outcomes.items() if o == "crashed")
    recoveries = sorted(result.recoveries)
    p50 = f"{statistics.median(recoveries):.2f}" if recoveries else "-"
    worst = f"{recoveries[-1]:.2f}" if recoveries else "-"
    return [
        name,
        f"{completed}/{len(result.jobs)}",
        str(len(result.kills)),
        str(len(result.attempts)),
        str(crashed),
        str(len(result.overlaps)),
        p50,
        worst,
        f"{elapsed:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.chaos")
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ad-seconds", type=float, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    redis = EmbeddedRedis().start()
    try:
        baseline, base_time = asyncio.run(run(args, 0, redis.url))
        chaos, chaos_time = asyncio.run(run(args, args.seconds, redis.url))
    finally:
        redis.close()
    header = ["run", "completed", "kills", "attempts", "crashed", "overlaps",
              "recovery p50 s", "recovery max s", "makespan s"]  # fmt: skip
    rows = [header, _row("no kills", baseline, base_time), _row("chaos", chaos, chaos_time)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    print(f"\nmakespan with kills / without: {chaos_time / base_time:.2f}x")
    print("\nattempts by stage and outcome (chaos run):")
    for (stage, outcome), count in sorted(chaos.outcomes.items()):
        print(f"  {stage:12} {outcome:12} {count}")


if __name__ == "__main__":
    main()
