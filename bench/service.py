"""The product path, measured: createJob over HTTP to COMPLETED, through a real API process, a
real arq worker process, an embedded Redis and SQLite, as `make demo` runs it.

Wall time runs from sending createJob to receiving the COMPLETED event on the jobProgress
subscription. Peak RSS is the worker's whole process tree (the worker with its Piper narrator,
its ffmpeg children), sampled every 20 ms with psutil. The worker loads the narrator when it
starts; the first job is measured like the others.

With `languages` ("en", "es") the jobs alternate between the demo's brief and its Spanish one
(SPANISH: Kokoro's voice) in the same worker, so Piper and Kokoro are both loaded;
each job's CPU-seconds are the worker's own and its finished children's (ffmpeg), and the
worker's peak RSS is also read as the kernel keeps it (VmHWM, /proc/<pid>/status): the real
worker process's high-water mark, children apart.
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

# The demo's brief in Spanish (written for it): a price and a quantity the narrator says in words.
SPANISH = (
    "Pide tu primera bolsa",
    "Café de especialidad tostado en pequeños lotes, con notas de chocolate y caramelo.",
    ("Molido al momento", "Solo 24,90 € la bolsa de 500 g"),
)

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


def brief(language: str) -> tuple[str, str, tuple[str, ...]]:
    """The demo's call-to-action, description and benefits, in English or Spanish."""
    if language == "es":
        cta, description, benefits = SPANISH
        return cta, description, tuple(benefits)
    return sample.CTA, sample.DESCRIPTION, tuple(sample.BENEFITS)


async def one_job(client: Client, photo: Path, style: str, language: str = "en") -> float:
    """The demo's brief (its photo, description and benefits), music AUTO."""
    started = time.perf_counter()
    cta, description, benefits = brief(language)
    data = await client.execute(
        CREATE,
        {
            "input": {
                "productName": sample.NAME,
                "style": style.upper(),
                "ctaText": cta,
                "productImage": None,
                "productDescription": description,
                "keyBenefits": list(benefits),
                "music": "AUTO",
                "language": language,
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


def measure_service(runs: int, style: str, languages: tuple[str, ...] = ("en",)) -> dict[str, Any]:
    """`runs` jobs per language, the languages alternating, through one worker; per language
    the median wall and CPU seconds and the tree's peak, and the worker's VmHWM at the end."""
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        root = Path(tmp)
        settings = stack_settings(root)
        photo = sample.PHOTO
        with Stack(settings, port=free_port(), quiet=True) as stack:
            worker = worker_process(stack.workers[0].pid)
            results: dict[str, list[dict[str, float]]] = {language: [] for language in languages}
            for _ in range(runs):
                for language in languages:
                    before = cpu_seconds(worker)
                    with TreeSampler(stack.workers[0].pid) as sampler:
                        seconds = asyncio.run(_run(stack.url, photo, style, language))
                    results[language].append(
                        {
                            "seconds": seconds,
                            "cpu_s": cpu_seconds(worker) - before,
                            "peak_mb": sampler.peak / 2**20,
                        }
                    )
            hwm_mb = vm_hwm(worker.pid) / 2**10
    return {
        language: {
            "median_s": statistics.median(r["seconds"] for r in rows),
            "cpu_s": statistics.median(r["cpu_s"] for r in rows),
            "peak_mb": max(r["peak_mb"] for r in rows),
            "all_s": [round(r["seconds"], 2) for r in rows],
            "runs": runs,
            "worker_hwm_mb": hwm_mb,
        }
        for language, rows in results.items()
    }


def worker_process(pid: int) -> psutil.Process:
    """The `python -m worker` process itself (the spawned one, or under a parent-death shim)."""
    root = psutil.Process(pid)
    for member in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            if "worker" in member.cmdline():
                return member
    return root


def cpu_seconds(process: psutil.Process) -> float:
    """The process's CPU time and that of its children it has waited for (ffmpeg)."""
    times = process.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def vm_hwm(pid: int) -> int:
    """The process's peak resident set in kB, as the kernel kept it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def _run(url: str, photo: Path, style: str, language: str = "en") -> float:
    async with Client(url) as client:
        return await one_job(client, photo, style, language)
