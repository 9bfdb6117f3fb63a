"""The product path, measured: createJob over HTTP to COMPLETED, through a real API process, a
real arq worker process, an embedded Redis and SQLite, as `make demo` runs it.

Wall time runs from sending createJob to receiving the COMPLETED event on the jobProgress
subscription. Peak RSS is the worker's whole process tree (the worker with its Piper narrator,
its ffmpeg children), sampled every 20 ms with psutil. The worker loads the narrator when it
starts; the first job is measured like the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from cli.client import Client
from devserver import sample
from devserver.embedded_redis import free_port
from devserver.stack import Stack
from settings import Settings

CREATE = """
mutation($input: CreateJobInput!) { createJob(input: $input) { job { id } errors { message } } }
"""
FOLLOW = "subscription($id: ID!) { jobProgress(jobId: $id) { status errorMessage } }"


class TreeSampler:
    """Peak RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            with contextlib.suppress(psutil.NoSuchProcess):
                for member in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += member.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.02)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def one_job(client: Client, photo: Path, style: str) -> float:
    """The demo's brief (its photo, description and benefits), music AUTO."""
    started = time.perf_counter()
    data = await client.execute(
        CREATE,
        {
            "input": {
                "productName": sample.NAME,
                "style": style.upper(),
                "ctaText": sample.CTA,
                "productImage": None,
                "productDescription": sample.DESCRIPTION,
                "keyBenefits": list(sample.BENEFITS),
                "music": "AUTO",
            }
        },
        files={"input.productImage": photo},
    )
    job = data["createJob"]["job"]
    last: dict[str, Any] = {}
    async for result in client.subscribe(FOLLOW, {"id": job["id"]}):
        last = result["jobProgress"]
    if last.get("status") != "COMPLETED":
        raise SystemExit(f"job ended {last.get('status')}: {last.get('errorMessage')}")
    return time.perf_counter() - started


def stack_settings(root: Path, database_url: str | None = None) -> Settings:
    """A benchmark stack's settings: its own database (SQLite under `root` unless given), media
    directory and embedded Redis; nothing from the environment or .env."""
    return Settings(
        _env_file=None,
        database_url=database_url or f"sqlite+aiosqlite:///{root / 'bench.db'}",
        media_dir=root / "media",
        redis_url=None,
    )


def measure_service(runs: int, style: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        root = Path(tmp)
        settings = stack_settings(root)
        photo = sample.PHOTO
        with Stack(settings, port=free_port(), quiet=True) as stack:
            worker_pid = stack.workers[0].pid
            results = []
            for _ in range(runs):
                with TreeSampler(worker_pid) as sampler:
                    seconds = asyncio.run(_run(stack.url, photo, style))
                results.append({"seconds": seconds, "peak_mb": sampler.peak / 2**20})
    return {
        "median_s": statistics.median(r["seconds"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "all_s": [round(r["seconds"], 2) for r in results],
        "runs": runs,
    }


async def _run(url: str, photo: Path, style: str) -> float:
    async with Client(url) as client:
        return await one_job(client, photo, style)
