"""Children that end when the process that started them ends, however it ends (Linux's
parent-death signal, PR_SET_PDEATHSIG).

`make serve` may be stopped by anything: Ctrl-C, SIGTERM from a supervisor, SIGHUP when its
terminal closes, SIGKILL, a crash. Only the first three run its cleanup; after the others the
API, the worker and Redis would live on as orphans, the API holding the port and answering 503.
So each child is started with a parent-death signal of SIGKILL, which the kernel sends it when
its parent goes, and which survives the exec of the real program:

- through util-linux's `setpriv --pdeathsig KILL -- <command>` where it exists;
- else through `python -m devserver.parent_death <parent pid> -- <command>`, which sets the
  signal itself, checks that its parent is still the one expected (closing the race with a
  parent that died before the signal was set) and execs the command.

Never through subprocess's `preexec_fn`: that forks the parent for real, and in a process that
has imported numpy the fork runs OpenBLAS's pthread_atfork handler, which can deadlock BLAS calls
in other threads.

The kernel sends the signal when the *thread* that spawned the child ends, not the process: a
child tied this way must be spawned from the main thread (`spawned_from_main_thread` says so).
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading

_PR_SET_PDEATHSIG = 1


@functools.cache
def _setpriv() -> str | None:
    """The path of a setpriv that knows --pdeathsig (util-linux 2.33 and later), if any."""
    path = shutil.which("setpriv")
    if path is None:
        return None
    try:
        usage = subprocess.run(
            [path, "--help"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "--pdeathsig" in usage else None


def supported() -> bool:
    return sys.platform.startswith("linux")


def tied(command: list[str]) -> list[str]:
    """`command`, run so that it gets SIGKILL when this process's spawning thread ends. Off
    Linux there is no such signal: the command as it is (the clean stop still ends it)."""
    if not supported():
        return command
    setpriv = _setpriv()
    if setpriv is not None:
        return [setpriv, "--pdeathsig", "KILL", "--", *command]
    return [sys.executable, "-m", "devserver.parent_death", str(os.getpid()), "--", *command]


def spawned_from_main_thread() -> None:
    """Refuse to tie a child to a thread that may end before the process (an executor's)."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("a child tied to its parent must be spawned from the main thread")


def die_with_parent(expected_parent: int) -> None:
    """Ask for SIGKILL when the parent ends; if it ended already (this process was re-parented
    before the request), end now: the signal would never come."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if os.getppid() != expected_parent:
        os._exit(1)


def main(argv: list[str]) -> None:
    """`python -m devserver.parent_death <parent pid> -- <command...>`: the fallback for setpriv."""
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m devserver.parent_death <parent pid> -- <command...>")
    die_with_parent(int(argv[0]))
    os.execvp(argv[2], argv[2:])  # noqa: S606  # the devserver's own command, no shell wanted


if __name__ == "__main__":
    main(sys.argv[1:])
