"""The local stack: Redis (embedded when REDIS_URL is unset), migrations, the API and workers,
each a real process, started and stopped together. Used by `make serve`, `make demo` and the
end-to-end tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, cast

import httpx
import redis
from alembic import command
from alembic.config import Config

from devserver import parent_death
from devserver.embedded_redis import EmbeddedRedis
from devserver.ports import check_free
from events.hub import CLIENT_NAME as HUB_CLIENT_NAME
from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# How the API is served, here as in the Dockerfile, docker compose and the README's production
# command, as `make bench-servers` measures with 3,000 watchers: uvicorn's sans-I/O websockets
# protocol (with its default, the legacy one, a subscription cost ~35% more CPU), the standard
# asyncio loop (with uvloop a subscription cost 50-80% more CPU; fan-out p99 was about the
# same), and no per-message compression (small JSON gains little; each socket would pay CPU and
# ~100 KB of zlib state).
API_SERVER_OPTIONS = (
    "--ws", "websockets-sansio", "--loop", "asyncio", "--ws-per-message-deflate", "false",
)  # fmt: skip


async def drop_everything(database_url: str) -> None:
    """An empty database, alembic's version table included: for tests and benchmarks that
    migrate from nothing (never pointed at a database that matters)."""
    from sqlalchemy import text

    from db.engine import create_engine
    from db.models import Base

    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


def migrate(database_url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


def _end_group(pgid: int, timeout: float = 5.0) -> None:
    """SIGKILL whatever is left of a process group (the API processes of a supervisor that was
    killed or did not stop in time), and wait until none of them runs: until then one may still
    hold the port. A member that is dead but not yet reaped (a zombie, waiting for init) holds
    nothing and does not count."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while group_running(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)


def group_running(pgid: int) -> bool:
    """Whether a process of the group `pgid` still runs (a zombie does not)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == pgid and state != "Z":
                return True
    return False


class Stack:
    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: int = 1,
        api_processes: int | None = None,
        env: dict[str, str] | None = None,
        quiet: bool = False,
        worker_groups: bool = False,
        log_dir: Path | None = None,
        die_with_parent: bool = False,
        stop_grace: float = 15.0,
    ) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.worker_count = workers
        # More than one: uvicorn's supervisor and that many API processes behind it, each with
        # its own event hub, taking connections from the one listening socket.
        self.api_processes = settings.api_processes if api_processes is None else api_processes
        self.extra_env = env or {}
        self.quiet = quiet
        # Quiet, but kept: each process's output goes to a file here (see log_tail).
        self.log_dir = log_dir
        # Each worker leads its own process group (with its ffmpeg and espeak children), so
        # kill_worker can take the whole group down at once, as a machine failure would.
        self.worker_groups = worker_groups
        # `make serve` and `make demo`: every process of the stack gets SIGKILL when this one
        # ends, however it ends (devserver/parent_death.py). Each is then spawned from the main
        # thread, and leads a process group of its own, so that Ctrl-C and a closing terminal
        # reach only this process, which stops the others in order (workers, API, Redis).
        # Off for the tests' stacks, started and stopped from executor threads.
        self.die_with_parent = die_with_parent
        # How long a stop waits for the workers and the API to end by themselves before
        # SIGKILL: make serve allows 0.5 s (a worker killed mid-job is resumed by the next one).
        self.stop_grace = stop_grace
        self.redis: EmbeddedRedis | None = None
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def redis_url(self) -> str:
        if self.settings.redis_url:
            return self.settings.redis_url
        assert self.redis is not None
        return self.redis.url

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "DATABASE_URL": self.settings.database_url,
            "MEDIA_DIR": str(self.settings.media_root),
            **self.extra_env,
        }
        env.pop("PYTHONSTARTUP", None)
        return env

    def _spawn(
        self, *args: str, group: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        output: int | IO[bytes] | None = subprocess.DEVNULL if self.quiet else None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"{args[1].rsplit('.', 1)[-1]}.log").open("ab")
        command = [sys.executable, *args]
        if self.die_with_parent:
            parent_death.spawned_from_main_thread()
            command = parent_death.tied(command)
        try:
            return subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env(), **(env or {})},
                stdout=output,
                stderr=output,
                start_new_session=group or self.die_with_parent,
            )
        finally:
            if not isinstance(output, int) and output is not None:
                output.close()  # the child has its own copy

    def log_tail(self, lines: int = 40) -> str:
        """The last lines each process wrote (with log_dir), for a failing test's message."""
        if self.log_dir is None:
            return ""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def start(self) -> Stack:
        """Everything, in order; first of all, a busy port is said (PortInUse) before anything
        starts."""
        check_free(self.host, self.port)
        if not self.settings.redis_url:
            self.redis = EmbeddedRedis(die_with_parent=self.die_with_parent).start()
        migrate(self.settings.database_url)
        self.start_api()
        for _ in range(self.worker_count):
            self.start_worker()
        self.wait_healthy()
        return self

    def start_api(self) -> None:
        """The API in a process group of its own: with several processes, uvicorn's supervisor
        and its children, which stop_api can then take down together. Run through
        devserver/api_process.py, which ties those children to the supervisor."""
        processes = ("--workers", str(self.api_processes)) if self.api_processes > 1 else ()
        self.api = self._spawn(
            "-m", "devserver.api_process", "server:create_app", "--factory",
            "--host", self.host, "--port", str(self.port), "--no-access-log",
            "--log-level", "warning", *processes, *API_SERVER_OPTIONS, group=True,
        )  # fmt: skip

    def stop_api(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a deploy; uvicorn's supervisor passes it on to every API process and waits
        for them to close their connections. SIGKILL: a crash of the machine, to the whole group
        at once. Either way nothing of the group outlives it, so the port is free again."""
        if self.api is None:
            return
        if sig == signal.SIGKILL:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.api.pid, signal.SIGKILL)
        self.stop_process(self.api, sig)
        _end_group(self.api.pid)
        self.api = None

    def restart_api(self, sig: int = signal.SIGTERM) -> None:
        """Stop the API (SIGTERM: a deploy; SIGKILL: a crash) and start it again on the same
        port, as a deploy or a failover does to every client connected to it."""
        self.stop_api(sig)
        self.start_api()
        self.wait_healthy()

    def start_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A worker process; `env` overrides the stack's (another machine's MEDIA_DIR, say)."""
        process = self._spawn("-m", "worker", group=self.worker_groups, env=env)
        self.workers.append(process)
        return process

    def kill_worker(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker (its whole process group when workers lead one) and forget it."""
        if self.worker_groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()
        self.workers.remove(process)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        # One client for every try: each new one loads the CA bundle (~0.1 CPU-s), ten a second.
        with httpx.Client(base_url=self.url, timeout=1) as client:
            while time.monotonic() < deadline:
                if self.api is not None and self.api.poll() is not None:
                    raise RuntimeError(
                        f"the API exited with code {self.api.returncode}\n{self.log_tail()}"
                    )
                try:
                    if (
                        client.get("/health").status_code == 200
                        and self._api_hubs() >= self.api_processes
                    ):
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(
            f"the API at {self.url} did not become healthy in {timeout}s\n{self.log_tail()}"
        )

    def _api_hubs(self) -> int:
        """How many API processes have their event hub connected (counted in Redis's CLIENT
        LIST): /health answers from whichever process took the connection, so with several it
        cannot say that all of them are up. One process needs no count."""
        if self.api_processes == 1:
            return 1
        client = redis.Redis.from_url(self.redis_url, socket_timeout=1)
        try:
            clients = cast("list[dict[str, str]]", client.client_list())  # untyped in redis-py
            return sum(1 for c in clients if c.get("name") == HUB_CLIENT_NAME)
        except redis.RedisError:
            return 0
        finally:
            client.close()

    @staticmethod
    def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            Stack._await_exit(process)

    @staticmethod
    def _await_exit(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
        try:
            process.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        """The workers and the API at once (neither needs the other to stop, and each takes a
        second or so: one after the other a clean stop of `make serve` took 2.3 s), then Redis,
        which both use until they are gone. (A second SIGTERM, from stop_api, only repeats the
        request to uvicorn.)"""
        deadline = time.monotonic() + self.stop_grace
        for process in [*self.workers, *([self.api] if self.api is not None else [])]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            self._await_exit(process, deadline - time.monotonic())
        self.workers.clear()
        if self.api is not None:
            self._await_exit(self.api, deadline - time.monotonic())
        self.stop_api()
        if self.redis is not None:
            self.redis.close(timeout=min(5.0, max(0.3, self.stop_grace)))
            self.redis = None

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
