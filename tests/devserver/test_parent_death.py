"""The fallback for setpriv: `python -m devserver.parent_death <pid> -- <command>`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from devserver import parent_death
from devserver.stack import ROOT

pytestmark = pytest.mark.skipif(not parent_death.supported(), reason="Linux only")

# A parent that starts `sleep` through the fallback, says its pid, and waits to be killed.
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen(
    [sys.executable, "-m", "devserver.parent_death", str(os.getpid()), "--", "sleep", "60"]
)
print(child.pid, flush=True)
time.sleep(60)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_command_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0] != b"sleep":
        assert time.monotonic() < deadline, "the command was never exec'd"
        time.sleep(0.02)

    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 2
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.02)

    assert not running(child)


def test_a_parent_gone_before_the_signal_was_set_ends_the_command_at_once() -> None:
    """The race the check closes: the expected parent is not this process's parent any more."""
    done = subprocess.run(
        [sys.executable, "-m", "devserver.parent_death", "1", "--", "sleep", "60"],
        cwd=ROOT,
        timeout=10,
        check=False,
    )
    assert done.returncode == 1


def test_a_tied_command_keeps_its_arguments() -> None:
    assert parent_death.tied(["echo", "a b"])[-3:] == ["--", "echo", "a b"]
