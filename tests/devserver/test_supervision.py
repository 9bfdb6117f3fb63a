"""`python -m devserver serve` (make serve) as a supervisor or a closing terminal stops it: nothing
of it outlives it, and a busy port is named before anything starts.

Each test runs serve as a user does, on a free loopback port, with a mark in its environment
(inherited by every process it starts: Redis, uvicorn's supervisor and API processes, the worker)
by which /proc tells its processes from everyone else's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.embedded_redis import free_port
from devserver.stack import ROOT
from tests.conftest import STACK_ENV

MARK = "ADREEL_TEST_SERVE_MARK"
# What a supervisor or a test harness allows between a signal and a free port.
GONE_WITHIN = 2.0


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state, ppid, ...; start time is [19]),
    or None when the process is gone or a zombie (it holds no port and runs nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def marked(mark: str) -> dict[int, str]:
    """The running processes whose environment carries `mark`: pid to command line. (Not
    redis-server, which writes its title over its environment: see family.)"""
    found = {}
    needle = f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
        except OSError:  # not ours, or gone meanwhile
            continue
        if _stat(int(entry.name)) is not None:
            found[int(entry.name)] = _command(int(entry.name))
    return found


def family(root: int) -> dict[tuple[int, str], str]:
    """`root` and its running descendants, each named by pid and start time (a pid reused later
    is not the same process): to command line."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = (int(fields[1]), fields[19])
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        if pid in parents:
            found[(pid, parents[pid][1])] = _command(pid)
            frontier += [child for child, (parent, _) in parents.items() if parent == pid]
    return found


def still_running(processes: dict[tuple[int, str], str]) -> dict[tuple[int, str], str]:
    return {
        (pid, started): command
        for (pid, started), command in processes.items()
        if (fields := _stat(pid)) is not None and fields[19] == started
    }


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def serve_command(
    tmp_path: Path, port: int, mark: str, *, drain_errors: bool = True, **env: str
) -> subprocess.Popen[str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "MEDIA_DIR", "API_PROCESSES", "API_KEYS")
    }
    return subprocess.Popen(
        [sys.executable, "-m", "devserver", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={
            **inherited,
            **STACK_ENV,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'adreel.db'}",
            "MEDIA_DIR": str(tmp_path / "media"),
            MARK: mark,
            **env,
        },
        stdout=subprocess.PIPE,
        # A file, not a pipe that no one reads: a full pipe would stall the logging of the stop.
        stderr=(tmp_path / "serve.err").open("w") if drain_errors else subprocess.PIPE,
        text=True,
    )


def wait_ready(process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until serve prints its banner (its stdout read on a thread, so a hang cannot stall)."""
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("adreel is ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        process.kill()
        raise AssertionError(f"serve was not ready in {timeout}s (exit code {process.poll()})")


def until_gone(
    mark: str, processes: dict[tuple[int, str], str], port: int, timeout: float = 10
) -> float:
    """Seconds until none of `processes` and no process of the mark runs, and the port is free
    (or `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not marked(mark) and not still_running(processes) and port_free(port):
            break
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def mark() -> Iterator[str]:
    """A mark of the test's own; whatever still carries it at the end is killed."""
    mark = uuid.uuid4().hex
    yield mark
    for pid in marked(mark):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def leftovers() -> Iterator[dict[tuple[int, str], str]]:
    """Processes a test saw running (fill it in); those that outlive the test are killed."""
    processes: dict[tuple[int, str], str] = {}
    yield processes
    for pid, _ in still_running(processes):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow(seconds=12)
def test_serve_killed_with_sigkill_leaves_nothing_running(
    tmp_path: Path, mark: str, leftovers: dict[tuple[int, str], str]
) -> None:
    """As a supervisor's SIGKILL, or a crash: no cleanup code of serve's runs at all. Two API
    processes, so that uvicorn's own children are covered too."""
    port = free_port()
    serve = serve_command(tmp_path, port, mark, API_PROCESSES="2")
    wait_ready(serve)
    running = family(serve.pid)
    leftovers.update(running)
    commands = list(running.values())
    assert sum("spawn_main" in command for command in commands) == 2, commands
    assert any("redis-server" in command for command in commands), commands
    assert any(command.endswith("-m worker") for command in commands), commands

    serve.kill()
    serve.wait()
    took = until_gone(mark, running, port)

    assert still_running(running) == {}
    assert marked(mark) == {}
    assert port_free(port)
    assert took < GONE_WITHIN


@pytest.mark.slow(seconds=10)
def test_serve_stops_cleanly_on_sighup(
    tmp_path: Path, mark: str, leftovers: dict[tuple[int, str], str]
) -> None:
    """As when its terminal closes: the clean stop of Ctrl-C, everything gone, exit code 0."""
    port = free_port()
    serve = serve_command(tmp_path, port, mark)
    wait_ready(serve)
    running = family(serve.pid)
    leftovers.update(running)
    assert any("redis-server" in command for command in running.values()), running

    serve.send_signal(signal.SIGHUP)
    took = until_gone(mark, running, port)

    assert serve.wait(timeout=5) == 0
    assert still_running(running) == {}
    assert marked(mark) == {}
    assert port_free(port)
    assert took < GONE_WITHIN


@pytest.mark.slow(seconds=3)
def test_a_busy_port_is_named_and_nothing_starts(tmp_path: Path, mark: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        serve = serve_command(tmp_path, port, mark, drain_errors=False)
        _, err = serve.communicate(timeout=60)

    assert serve.returncode != 0
    me = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ")
    assert f"port {port} is in use (by pid {os.getpid()}: {me.decode()})" in err
    assert "Traceback" not in err
    assert marked(mark) == {}
    assert not (tmp_path / "adreel.db").exists()  # not even migrated
