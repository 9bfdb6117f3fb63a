"""Running a child process from a stage so that cancelling the stage really stops the work.

Both heavy tools (ffmpeg, the espeak-ng synthesiser) run as children of the worker. When the
awaiting task is cancelled, or fails, the child is killed and reaped before the exception goes on:
no orphan keeps burning CPU and no zombie is left in the process table.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

LineFn = Callable[[str], Awaitable[None]]
STDERR_TAIL_LINES = 20


@functools.cache
def die_with_parent() -> tuple[str, ...]:
    """The words that start a child so that it gets SIGKILL when the worker dies, even by
    SIGKILL (which no cleanup code sees): a killed worker then leaves no ffmpeg rendering for
    nobody. On Linux, util-linux's `setpriv --pdeathsig KILL --`, which sets the parent-death
    signal and then execs the command itself; elsewhere, or without setpriv, nothing.

    Never a `preexec_fn`: with one, subprocess must fork() rather than vfork(), and fork() runs
    every library's atfork handlers in the worker. OpenBLAS's tears its thread pool down while
    another thread's matrix product has handed it work, and that thread then waits forever,
    holding the lock every other product needs (issue 28: two job slots stuck in video_gen).
    """
    if not sys.platform.startswith("linux"):
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    probe = [setpriv, "--pdeathsig", "KILL", "--", "true"]
    try:  # util-linux before 2.33 has no --pdeathsig
        ok = subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (setpriv, "--pdeathsig", "KILL", "--") if ok else ()


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    stdout_lines: list[str]
    stderr_tail: list[str]


async def _read_lines(
    stream: asyncio.StreamReader, on_line: LineFn | None, keep: deque[str]
) -> None:
    while True:
        raw = await stream.readline()
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        keep.append(line)
        if on_line is not None:
            await on_line(line)


async def kill_and_reap(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the child (if still running) and wait for it, shielded from a second cancel."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    await asyncio.shield(proc.wait())


async def run_child(
    args: Sequence[str],
    *,
    stdin_data: bytes | None = None,
    on_stdout_line: LineFn | None = None,
    env: dict[str, str] | None = None,
    keep_stdout: int = 10_000,
    keep_stderr: int = STDERR_TAIL_LINES,
) -> ChildResult:
    """Run `args` to completion, streaming stdout lines to `on_stdout_line`.

    Returns the exit code with stdout and the last `keep_stderr` lines of stderr; raising is left
    to the caller, which knows how to word the failure.
    """
    proc = await asyncio.create_subprocess_exec(
        *die_with_parent(),
        *args,
        stdin=asyncio.subprocess.PIPE if stdin_data is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env} if env else None,
    )
    out: deque[str] = deque(maxlen=keep_stdout)
    err: deque[str] = deque(maxlen=keep_stderr)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        if stdin_data is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin_data)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.drain()
            proc.stdin.close()
        await asyncio.gather(
            _read_lines(proc.stdout, on_stdout_line, out),
            _read_lines(proc.stderr, None, err),
        )
        returncode = await proc.wait()
    except BaseException:
        await kill_and_reap(proc)
        raise
    return ChildResult(returncode=returncode, stdout_lines=list(out), stderr_tail=list(err))
