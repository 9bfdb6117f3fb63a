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
from typing import IO

import httpx
from alembic import command
from alembic.config import Config

from devserver.embedded_redis import EmbeddedRedis
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


class Stack:
    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: int = 1,
        env: dict[str, str] | None = None,
        quiet: bool = False,
        worker_groups: bool = False,
        log_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.worker_count = workers
        self.extra_env = env or {}
        self.quiet = quiet
        # Quiet, but kept: each process's output goes to a file here (see log_tail).
        self.log_dir = log_dir
        # Each worker leads its own process group (with its ffmpeg and espeak children), so
        # kill_worker can take the whole group down at once, as a machine failure would.
        self.worker_groups = worker_groups
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
            output = (self.log_dir / f"{args[1]}.log").open("ab")
        try:
            return subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env={**self.env(), **(env or {})},
                stdout=output,
                stderr=output,
                start_new_session=group,
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
        if not self.settings.redis_url:
            self.redis = EmbeddedRedis().start()
        migrate(self.settings.database_url)
        self.start_api()
        for _ in range(self.worker_count):
            self.start_worker()
        self.wait_healthy()
        return self

    def start_api(self) -> None:
        self.api = self._spawn(
            "-m", "uvicorn", "server:create_app", "--factory",
            "--host", self.host, "--port", str(self.port), "--no-access-log",
            "--log-level", "warning", *API_SERVER_OPTIONS,
        )  # fmt: skip

    def restart_api(self, sig: int = signal.SIGTERM) -> None:
        """Stop the API process (SIGTERM: a deploy; SIGKILL: a crash) and start a new one on
        the same port, as a deploy or a failover does to every client connected to it."""
        assert self.api is not None
        self.stop_process(self.api, sig)
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

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api is not None and self.api.poll() is not None:
                raise RuntimeError(
                    f"the API exited with code {self.api.returncode}\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API at {self.url} did not become healthy in {timeout}s")

    @staticmethod
    def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        for process in [*self.workers, *([self.api] if self.api else [])]:
            self.stop_process(process)
        self.workers.clear()
        self.api = None
        if self.redis is not None:
            self.redis.close()
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
