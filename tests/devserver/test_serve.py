"""serve's watch over its processes: a worker asking to be recycled is replaced, any other exit
ends serve. Real processes stand in for the worker and the API (small Pythons that exit as told),
so that no stack is needed."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devserver.__main__ import RECYCLING, supervise
from devserver.stack import Stack
from settings import Settings
from worker.exit_codes import RECYCLE_EXIT_CODE


def python(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code])


SLEEPS = "import time; time.sleep(60)"


class FakeWorkers(Stack):
    """A stack whose new workers sleep instead of running jobs."""

    def start_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        process = python(SLEEPS)
        self.workers.append(process)
        return process


@pytest.fixture
def stack(tmp_path: Path) -> FakeWorkers:
    settings = Settings(
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", redis_url=None
    )
    return FakeWorkers(settings)


def watch(stack: Stack) -> list[str]:
    """supervise() on a thread; the list gets what it returns."""
    said: list[str] = []
    threading.Thread(target=lambda: said.append(supervise(stack, interval=0.02))).start()
    return said


def test_a_worker_asking_to_be_recycled_is_replaced(
    stack: FakeWorkers, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.api = python(SLEEPS)
    recycled = python(f"raise SystemExit({RECYCLE_EXIT_CODE})")
    stack.workers = [recycled]
    said = watch(stack)
    try:
        deadline = time.monotonic() + 10
        while recycled in stack.workers or not stack.workers:
            assert time.monotonic() < deadline, "the worker was not replaced"
            time.sleep(0.02)
        (replacement,) = stack.workers
        assert replacement.poll() is None
        assert said == []  # still watching
        assert RECYCLING in capsys.readouterr().out
    finally:
        stack.api.kill()
        for worker in stack.workers:
            worker.kill()
    deadline = time.monotonic() + 5
    while not said and time.monotonic() < deadline:
        time.sleep(0.02)
    assert said == ["the API exited with code -9"]


def test_any_other_exit_of_a_worker_ends_serve(stack: FakeWorkers) -> None:
    stack.api = python(SLEEPS)
    stack.workers = [python("raise SystemExit(1)")]
    try:
        assert supervise(stack, interval=0.02) == "the worker exited with code 1"
    finally:
        stack.api.kill()
