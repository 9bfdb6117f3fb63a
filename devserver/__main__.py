"""`python -m devserver serve|demo` (behind `make serve` and `make demo`).

serve: Redis (embedded when REDIS_URL is unset), migrations, the API (API_PROCESSES processes
       on one port) and one worker, until Ctrl-C, SIGTERM or SIGHUP (each a clean stop). However
       it ends, SIGKILL included, its processes end with it (devserver/parent_death.py). A worker
       that exits asking to be recycled (worker/exit_codes.py) is replaced; any other exit of a
       worker or the API ends it.
demo:  the same stack, then one real job through the GraphQL API with a sample product photo,
       followed to COMPLETED; prints the MP4's path and URL, shuts everything down, exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time

from rich.console import Console

from cli.client import Client, GraphQLError
from cli.commands import CliError, JobInput, create_job, watch_job
from devserver import sample
from devserver.ports import PortInUse
from devserver.stack import Stack
from settings import Settings
from worker.exit_codes import RECYCLE_EXIT_CODE

RECYCLING = "worker exited asking to be recycled; starting a new one"
# However serve is stopped, everything of it ends within 2 s: 0.5 s for the worker and the API
# to end by themselves (a worker stopped mid-job is resumed by the next), then SIGKILL.
STOP_GRACE = 0.5


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


def supervise(stack: Stack, interval: float = 0.5) -> str:
    """Watch the stack's processes until the API or a worker exits, and say which. A worker
    that exits with RECYCLE_EXIT_CODE is replaced by a new one instead."""
    while True:
        if stack.api is None or stack.api.poll() is not None:
            code = stack.api.returncode if stack.api else None
            return f"the API exited with code {code}"
        for worker in list(stack.workers):
            code = worker.poll()
            if code == RECYCLE_EXIT_CODE:
                print(RECYCLING, flush=True)
                stack.workers.remove(worker)
                stack.start_worker()
            elif code is not None:
                return f"the worker exited with code {code}"
        time.sleep(interval)


class _Stop(Exception):
    """A signal asking serve to stop: the `with Stack` block stops everything in order."""


def _stop_cleanly(*_: object) -> None:
    raise _Stop


def serve(settings: Settings, host: str, port: int) -> int:
    # SIGTERM from a supervisor and SIGHUP from a closing terminal stop it as Ctrl-C does.
    signal.signal(signal.SIGTERM, _stop_cleanly)
    signal.signal(signal.SIGHUP, _stop_cleanly)
    try:
        with Stack(
            settings, host=host, port=port, die_with_parent=True, stop_grace=STOP_GRACE
        ) as stack:
            print(banner(stack, settings), flush=True)
            with contextlib.suppress(KeyboardInterrupt, _Stop):  # Ctrl-C, SIGTERM, SIGHUP
                print(f"{supervise(stack)}; stopping", file=sys.stderr, flush=True)
    except PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except _Stop:  # asked to stop while starting: what had started is stopped
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
    try:
        with Stack(settings, host=host, port=port, quiet=True, die_with_parent=True) as stack:
            return _run_demo(stack, settings, timeout)
    except PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run_demo(stack: Stack, settings: Settings, timeout: float) -> int:
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
        code = serve(settings, host, port)
        # Everything it started has been stopped and reaped: skip the interpreter's teardown of
        # its modules (half a CPU-second, several seconds on a busy machine), so a stopped
        # serve is gone as soon as its processes are.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return demo(settings, host, port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
