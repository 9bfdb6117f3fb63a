"""Issue 28: two job slots cutting products out while renders start children never deadlock.

Each case runs tests/worker/blas_storm.py in a fresh interpreter (a deadlocked one cannot be
joined): two executor threads cut products out, as two job slots do in `decide_look`, while the
event loop starts child processes, as renders start ffmpeg. Before the fix the children were
started with fork() (a preexec_fn) and OpenBLAS's atfork handler tore down its pool under a
running matrix product: every run was stuck within about a second ("before" shows the harness
catches it). The worker's own set-up runs the longest; each half of the fix holds on its own.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.worker.blas_storm import STALL_SECONDS

ROOT_ARGS = [sys.executable, "-m", "tests.worker.blas_storm"]


def storm(mode: str, seconds: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ROOT_ARGS, mode, str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + STALL_SECONDS + 60,
        check=False,
    )


@pytest.mark.slow(seconds=20)
@pytest.mark.parametrize(("mode", "seconds"), [("worker", 10), ("spawn", 6), ("limits", 6)])
def test_cut_outs_in_two_slots_finish_while_children_start(mode: str, seconds: float) -> None:
    result = storm(mode, seconds)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-4000:]}"
    cutouts, children = map(int, result.stdout.split()[1:3])
    assert cutouts >= 4 and children >= 50, result.stdout  # the storm really ran


@pytest.mark.slow(seconds=17)
def test_the_harness_catches_the_deadlock_as_it_was() -> None:
    """fork() for every child, OpenBLAS at its default pool: stuck in the backdrop fit."""
    result = storm("before", 30)
    assert result.returncode == 3, result.stdout
    assert result.stdout.startswith("stuck:")
    assert "in fit_backdrop" in result.stderr
