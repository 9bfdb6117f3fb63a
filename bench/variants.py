"""Variants against fresh jobs: what reuse saves.

    make bench-variants   (or: .venv-bench/bin/python -m bench.variants [--seconds 30])

A real stack (API, one worker with WORKER_MAX_JOBS=1 so the batches do not overlap, embedded
Redis, SQLite). One demo job is made first (the source). Then, each batch measured alone, in
wall time (first request to last COMPLETED) and CPU-seconds (API, worker and every child):
3 CTA variants of the source; 3 fresh jobs with the same three calls-to-action (the baseline);
3 MUSIC variants.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.service import stack_settings
from bench.throughput import _cpu_seconds, _job, follow
from cli.client import Client
from devserver.embedded_redis import free_port
from devserver.stack import Stack

VARIANTS = """mutation($input: CreateVariantsInput!) { createVariants(input: $input) {
  jobs { id ctaText } errors { message } } }"""
CREATE = """mutation($input: CreateJobInput!) { createJob(input: $input) { job { id }
  errors { message } } }"""


async def _wait(client: Client, job_ids: list[str]) -> float:
    return max(await asyncio.gather(*(follow(client, i) for i in job_ids)))


async def _variants(url: str, source: str, axis: str) -> tuple[float, list[str]]:
    async with Client(url, timeout=600) as client:
        started = time.perf_counter()
        data = await client.execute(
            VARIANTS, {"input": {"jobId": source, "count": 3, "vary": [axis]}}
        )
        jobs = data["createVariants"]["jobs"]
        ended = await _wait(client, [j["id"] for j in jobs])
    return ended - started, [j["ctaText"] for j in jobs]


async def _fresh(url: str, ctas: list[str]) -> float:
    from devserver import sample

    async with Client(url, timeout=600) as client:
        started = time.perf_counter()
        ids = []
        for cta in ctas:
            data = await client.execute(
                CREATE,
                {
                    "input": {
                        "productName": sample.NAME,
                        "style": "LUXURY",
                        "ctaText": cta,
                        "productImage": None,
                        "productDescription": sample.DESCRIPTION,
                        "keyBenefits": list(sample.BENEFITS),
                    }
                },
                files={"input.productImage": sample.PHOTO},
            )
            ids.append(data["createJob"]["job"]["id"])
        ended = await _wait(client, ids)
    return ended - started


async def _source(url: str) -> str:
    async with Client(url, timeout=600) as client:
        jobs = await client.execute("query { jobs(first: 1) { edges { node { id } } } }")
        job_id: str = jobs["jobs"]["edges"][0]["node"]["id"]
        return job_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="ad length")
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-variants-") as tmp:
        root = Path(tmp)
        settings = stack_settings(root)
        env = {"WORKER_MAX_JOBS": "1", "AD_SECONDS": str(args.seconds), "API_KEYS": ""}
        with Stack(settings, port=free_port(), workers=1, env=env, quiet=True) as stack:
            assert stack.api is not None
            pids = [stack.api.pid, stack.workers[0].pid]

            async def first() -> None:
                async with Client(stack.url, timeout=600) as client:
                    await _job(client, "LUXURY")

            asyncio.run(first())
            source = asyncio.run(_source(stack.url))

            before = _cpu_seconds(pids)
            wall, ctas = asyncio.run(_variants(stack.url, source, "CTA"))
            rows.append(("3 CTA variants", wall, _cpu_seconds(pids) - before))

            before = _cpu_seconds(pids)
            wall = asyncio.run(_fresh(stack.url, ctas))
            rows.append(("3 fresh jobs, same CTAs", wall, _cpu_seconds(pids) - before))

            before = _cpu_seconds(pids)
            wall, _ = asyncio.run(_variants(stack.url, source, "MUSIC"))
            rows.append(("3 MUSIC variants", wall, _cpu_seconds(pids) - before))
    fresh_wall, fresh_cpu = rows[1][1], rows[1][2]
    print(f"{args.seconds:g} s PORTRAIT ads, one worker (WORKER_MAX_JOBS=1)")
    print(f"{'batch':<26}{'wall s':>9}{'CPU s':>9}{'wall vs fresh':>15}{'CPU vs fresh':>14}")
    for name, wall, cpu in rows:
        print(f"{name:<26}{wall:>9.1f}{cpu:>9.1f}{wall / fresh_wall:>14.2f}x"
              f"{cpu / fresh_cpu:>13.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
