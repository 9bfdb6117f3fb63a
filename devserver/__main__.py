"""`python -m devserver serve|demo` (behind `make serve` and `make demo`).

serve: Redis (embedded when REDIS_URL is unset), migrations, the API (API_PROCESSES processes
       on one port) and one worker, until Ctrl-C.
demo:  the same stack, then one real job through the GraphQL API with a sample product photo,
       followed to COMPLETED; prints the MP4's path and URL, shuts everything down, exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time

from rich.console import Console

from cli.client import Client, GraphQLError
from cli.commands import CliError, JobInput, create_job, watch_job
from devserver import sample
from devserver.stack import Stack
from settings import Settings


def banner(stack: Stack, settings: Settings) -> str:
    """What a person needs once the stack answers: where everything is, and in which mode."""
    mode = (
        "local mode: no API keys, every job is yours"
        if settings.local_mode
        else "API keys on: send Authorization: Bearer <key>"
    )
    rows = [("web page", f"{stack.url}/")]
    if settings.graphiql_enabled:
        rows.append(("GraphiQL", f"{stack.url}/graphql"))
    rows += [
        ("GraphQL", f"{stack.url}/graphql (POST, websockets)"),
        ("health", f"{stack.url}/health"),
        ("metrics", f"{stack.url}/metrics"),
        ("API", api_processes(stack.api_processes)),
        ("Redis", stack.redis_url + ("" if settings.redis_url else " (embedded)")),
        ("database", settings.database_url),
        ("media", str(settings.media_root)),
    ]
    lines = [f"adreel is ready ({mode})", *(f"  {name:<9} {value}" for name, value in rows)]
    return "\n".join([*lines, "Ctrl-C stops it."])


def api_processes(count: int) -> str:
    if count == 1:
        return "1 process (API_PROCESSES)"
    return f"{count} processes on one port, each answering /metrics for itself (API_PROCESSES)"


def serve(settings: Settings, host: str, port: int) -> int:
    with Stack(settings, host=host, port=port) as stack:
        print(banner(stack, settings), flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(p.poll() is None for p in [stack.api, *stack.workers] if p):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


async def _create_and_follow(stack: Stack, settings: Settings) -> int:
    """The CLI's own code path (`python -m cli create --watch`), against the demo stack."""
    async with Client(stack.url) as client:
        job = JobInput(
            sample.NAME,
            "LUXURY",
            sample.CTA,
            "PORTRAIT",
            (sample.PHOTO,),
            description=sample.DESCRIPTION,
            benefits=sample.BENEFITS,
        )
        job_id = await create_job(client, job)
        print(f"job {job_id} created; following it live (jobProgress subscription)", flush=True)
        started = time.monotonic()
        result = await watch_job(client, job_id, Console())
    video_url = result.video_url or ""
    key = video_url.removeprefix(stack.url).split("?", 1)[0].removeprefix("/media/")
    path = settings.media_root / key
    print(f"done in {time.monotonic() - started:.1f}s")
    print(f"MP4:  {path}")
    print(f"URL:  {stack.url}{video_url}  (served while the server runs: make serve)")
    return 0


def demo(settings: Settings, host: str, port: int, timeout: float) -> int:
    with Stack(settings, host=host, port=port, quiet=True) as stack:
        try:
            return asyncio.run(asyncio.wait_for(_create_and_follow(stack, settings), timeout))
        except TimeoutError:
            print(f"timed out after {timeout:.0f}s", file=sys.stderr)
            return 1
        except CliError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
        except GraphQLError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1


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
