"""Soak: many jobs from product pages, created one after another, through one worker with two
job slots, as a new user on `make serve` would make them. Every job must end; none may sit in a
stage. Issue 28 was found this way (two slots deadlocked in OpenBLAS, three runs out of four).

    make bench-soak   (or: .venv-bench/bin/python -m bench.soak [--jobs 50] [--seconds 30])

A real stack (API process, one `python -m worker` with WORKER_MAX_JOBS=2, embedded Redis,
SQLite), 360p drafts. A shop on 127.0.0.1 serves one product page per job (JSON-LD: name,
description, price, two photos); its photos are product photos of ../shared/corpus/photos when
that folder is there (else drawn products on lit backdrops), each job's with one pixel changed,
so every job cuts its products out afresh (the worker keeps cut-outs by content). While the jobs
run, /health's `workers` is read every second for any slot reported stuck (worker/status.py).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bench.service import stack_settings
from cli.client import Client
from devserver.embedded_redis import free_port
from devserver.stack import Stack

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "photos"
CREATE = """
mutation($input: CreateJobInput!) {
  createJob(input: $input) { job { id } errors { field message } }
}"""
STATUS = """
query($id: ID!) { job(id: $id) { status errorMessage createdAt updatedAt
  stages { name attempts { outcome error } } } }"""
STYLES = ("LUXURY", "ENERGETIC", "MINIMAL", "BOLD")


def _drawn(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    h, w = 900, 700
    yy, xx = np.mgrid[0:h, 0:w]
    base = 225 + 20 * (xx / w) - 15 * (yy / h)
    image = np.dstack([base, base - 4, base - 9])
    inside = ((yy - h / 2) / (h * 0.3)) ** 2 + ((xx - w / 2) / (w * 0.25)) ** 2 < 1
    image[inside] = rng.integers(20, 200, 3)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def _photos() -> list[Image.Image]:
    """Photos with a backdrop to fit (JPEGs), where the cut-out does its matrix work."""
    if CORPUS.is_dir():
        found = [Image.open(p).convert("RGB") for p in sorted(CORPUS.glob("*.jpg"))]
        if found:
            return found
    return [_drawn(seed) for seed in range(4)]


def _jpeg(image: Image.Image, job: int) -> bytes:
    changed = image.copy()
    changed.putpixel((0, 0), (job % 256, (job * 7) % 256, 3))
    out = io.BytesIO()
    changed.save(out, "JPEG", quality=90)
    return out.getvalue()


class Shop:
    """One product page per job, at /p/<n>, with its two photos at /img/<n>-<k>.jpg."""

    def __init__(self, jobs: int) -> None:
        photos = _photos()
        self.origin = ""
        self.images = {
            f"/img/{n}-{k}.jpg": _jpeg(photos[(n + k) % len(photos)], n)
            for n in range(jobs)
            for k in range(2)
        }

    def page(self, n: int) -> str:
        product = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": f"Trail Kit {n}",
            "description": "Light, tough and ready for the weekend: packs small, sets up fast.",
            "image": [f"{self.origin}/img/{n}-{k}.jpg" for k in range(2)],
            "offers": {"@type": "Offer", "price": f"{19 + n}.90", "priceCurrency": "USD"},
        }
        return (
            f"<html><head><title>Trail Kit {n}</title><script type='application/ld+json'>"
            f"{json.dumps(product)}</script></head><body><h1>Trail Kit {n}</h1></body></html>"
        )

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/p/"):
            return HTMLResponse(self.page(int(path.removeprefix("/p/"))))
        if path in self.images:
            return Response(self.images[path], media_type="image/jpeg")
        return Response("Not Found", 404)


async def _serve_shop(shop: Shop) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    port = free_port()
    shop.origin = f"http://127.0.0.1:{port}"
    app = Starlette(routes=[Route("/{path:path}", shop.handle)])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  # uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    return server, task


async def soak(url: str, shop: Shop, jobs: int, deadline: float) -> dict[str, Any]:
    stuck_seen = 0
    async with Client(url, timeout=120) as client, httpx.AsyncClient(base_url=url) as http:
        started = time.perf_counter()
        ids = []
        for n in range(jobs):
            data = await client.execute(CREATE, {"input": {
                "productUrl": f"{shop.origin}/p/{n}", "style": STYLES[n % 4],
                "ctaText": "Shop now"}})  # fmt: skip
            payload = data["createJob"]
            if payload["errors"]:
                raise SystemExit(f"job {n}: {payload['errors']}")
            ids.append(payload["job"]["id"])
        rows: dict[str, Any] = {}
        while time.perf_counter() - started < deadline:
            health = (await http.get("/health")).json()
            for slot in health.get("workers", {}).get("stuck", []):
                stuck_seen += 1
                print(f"  stuck: {slot}", flush=True)
            for job_id in ids:
                if job_id not in rows:
                    job = (await client.execute(STATUS, {"id": job_id}))["job"]
                    if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                        rows[job_id] = job
            if len(rows) == len(ids):
                break
            await asyncio.sleep(1.0)
        wall = time.perf_counter() - started
    return {"ids": ids, "rows": rows, "wall": wall, "stuck": stuck_seen}


def _seconds(job: dict[str, Any]) -> float:
    start = datetime.fromisoformat(job["createdAt"])
    end = datetime.fromisoformat(job["updatedAt"])
    return (end - start).total_seconds()


async def run(jobs: int, seconds: float, deadline: float) -> None:
    shop = Shop(jobs)
    server, task = await _serve_shop(shop)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
            settings = stack_settings(Path(tmp), None)
            env = {
                "WORKER_MAX_JOBS": "2",
                "AD_SECONDS": str(seconds),
                "AD_RESOLUTION": "360",
                "API_KEYS": "",
                "PRODUCT_PAGE_ALLOW_PRIVATE_NETWORKS": "true",
            }
            stack = Stack(settings, port=free_port(), workers=1, env=env, quiet=True)
            await asyncio.to_thread(stack.start)
            try:
                result = await soak(stack.url, shop, jobs, deadline)
            finally:
                await asyncio.to_thread(stack.stop)
    finally:
        server.should_exit = True
        await task
    report(result, jobs, seconds)


def report(result: dict[str, Any], jobs: int, seconds: float) -> None:
    rows = result["rows"]
    done = [r for r in rows.values() if r["status"] == "COMPLETED"]
    failed = [r for r in rows.values() if r["status"] != "COMPLETED"]
    attempts = [a for r in rows.values() for s in r["stages"] for a in s["attempts"]]
    stalled = [a for a in attempts if "made no progress" in (a["error"] or "")]
    retried = sum(1 for a in attempts if a["outcome"] != "completed")
    unfinished = len(result["ids"]) - len(rows)
    times = sorted(_seconds(r) for r in done) or [0.0]
    print()
    print(f"{jobs} jobs from product pages, one worker x 2 slots, {seconds:g} s 360p drafts")
    print(f"{'jobs':>6}{'completed':>11}{'failed':>8}{'unfinished':>12}{'stalled':>9}"
          f"{'retried':>9}{'stuck seen':>12}{'wall s':>9}{'p50 s':>8}{'max s':>8}")  # fmt: skip
    print(f"{jobs:>6}{len(done):>11}{len(failed):>8}{unfinished:>12}{len(stalled):>9}"
          f"{retried:>9}{result['stuck']:>12}{result['wall']:>9.1f}"
          f"{statistics.median(times):>8.1f}{times[-1]:>8.1f}")  # fmt: skip
    for row in failed:
        print(f"  failed: {row['errorMessage']}")
    if failed or unfinished or stalled or result["stuck"]:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="ad length")
    parser.add_argument("--deadline", type=float, default=1800.0, help="give up after (s)")
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.seconds, args.deadline))


if __name__ == "__main__":
    main()
