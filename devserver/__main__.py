"""`python -m devserver serve|demo` (behind `make serve` and `make demo`).

serve: Redis (embedded when REDIS_URL is unset), migrations, the API and one worker, until
       Ctrl-C.
demo:  the same stack, then one real job through the GraphQL API with a sample product photo,
       followed to COMPLETED; prints the MP4's path and URL, shuts everything down, exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from typing import Any

import httpx

from devserver.sample import sample_product_png
from devserver.stack import Stack
from settings import Settings

CREATE = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) { job { id status } errors { field code message } }
}"""
STATUS = """
query Status($id: ID!) {
  job(id: $id) { status progress videoUrl errorMessage stages { name status progress provider } }
}"""


def serve(settings: Settings, host: str, port: int) -> int:
    with Stack(settings, host=host, port=port) as stack:
        print(f"adreel is up: GraphQL at {stack.url}/graphql  (Ctrl-C stops it)", flush=True)
        if not settings.redis_url:
            print(f"embedded Redis at {stack.redis_url}", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(p.poll() is None for p in [stack.api, *stack.workers] if p):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"][0]["message"])
    data: dict[str, Any] = body["data"]
    return data


def demo(settings: Settings, host: str, port: int, timeout: float) -> int:
    with (
        Stack(settings, host=host, port=port, quiet=True) as stack,
        httpx.Client(base_url=stack.url, timeout=30) as client,
    ):
        operations = {
            "query": CREATE,
            "variables": {
                "input": {
                    "productName": "Aurora Cold Brew",
                    "style": "LUXURY",
                    "ctaText": "Order yours today",
                    "aspectRatio": "PORTRAIT",
                    "productImage": None,
                }
            },
        }
        response = client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.input.productImage"]}),
            },
            files={"0": ("aurora.png", sample_product_png(), "image/png")},
            headers={"Apollo-Require-Preflight": "true"},
        )
        response.raise_for_status()
        payload = response.json()["data"]["createJob"]
        if payload["errors"]:
            print(f"createJob refused: {payload['errors']}", file=sys.stderr)
            return 1
        job_id = payload["job"]["id"]
        print(f"job {job_id} created; following it…", flush=True)
        started = time.monotonic()
        last = ""
        while True:
            job = _post(client, STATUS, {"id": job_id})["job"]
            line = "  ".join(f"{s['name'].lower()} {s['progress']:>3}%" for s in job["stages"])
            if line != last:
                print(f"  [{job['status'].lower():>10}] {line}", flush=True)
                last = line
            if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                break
            if time.monotonic() - started > timeout:
                print(f"timed out after {timeout:.0f}s", file=sys.stderr)
                return 1
            time.sleep(0.25)
        if job["status"] != "COMPLETED":
            print(f"job {job['status']}: {job['errorMessage']}", file=sys.stderr)
            return 1
        path = settings.media_root / job["videoUrl"].removeprefix("/media/")
        print(f"done in {time.monotonic() - started:.1f}s")
        print(f"MP4:  {path}")
        print(f"URL:  {stack.url}{job['videoUrl']}  (while the server runs: make serve)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="devserver")
    parser.add_argument("command", choices=["serve", "demo"])
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.command == "serve":
        return serve(settings, host, port)
    return demo(settings, host, port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
