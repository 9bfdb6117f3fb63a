"""The one way the pipeline runs ffmpeg: async, with progress, killable, with a readable error.

ffmpeg comes from the imageio-ffmpeg wheel (libx264, xfade, loudnorm), so no system package is
needed. `-progress pipe:1` makes ffmpeg print `out_time_us=` lines on stdout, which become the
stage's progress; stderr is kept to its last lines so a failure message shows what ffmpeg said.
"""

from __future__ import annotations

import functools
import signal
from collections.abc import Sequence

import imageio_ffmpeg

from pipeline.errors import StageError, TransientStageError
from pipeline.shared.child import run_child
from pipeline.spec import ProgressFn

# ffmpeg dying of one of these is a crash of ffmpeg itself, not a verdict on the inputs: the same
# command succeeds when run again (seen with this build's xfade, a few runs in a hundred).
CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL})


class FfmpegError(StageError):
    """ffmpeg exited non-zero; `stderr_tail` holds its last lines of output."""

    def __init__(self, message: str, stderr_tail: list[str]) -> None:
        self.stderr_tail = stderr_tail
        tail = "\n".join(stderr_tail) if stderr_tail else "(no output)"
        super().__init__(f"{message}\n{tail}")


class FfmpegCrash(FfmpegError, TransientStageError):
    """ffmpeg crashed (a signal it did not get from us): worth running again."""


@functools.cache
def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


async def run_ffmpeg(
    args: Sequence[str], *, progress: ProgressFn | None, duration: float | None
) -> None:
    """Run ffmpeg with `args` (everything after the program name).

    Progress is reported 0..100 from `out_time_us` against `duration` (seconds of output), and
    100 at the end. On cancellation the process is killed and reaped before CancelledError goes on.
    """
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
        *args,
    ]
    last = -1

    async def on_line(line: str) -> None:
        nonlocal last
        if progress is None or not duration or not line.startswith("out_time_us="):
            return
        value = line.partition("=")[2]
        if not value.isdigit():
            return
        percent = max(0, min(99, int(int(value) / 1e6 / duration * 100)))
        if percent != last:
            last = percent
            await progress(percent)

    result = await run_child(cmd, on_stdout_line=on_line, keep_stdout=50)
    if result.returncode < 0 and -result.returncode in CRASH_SIGNALS:
        name = signal.Signals(-result.returncode).name
        raise FfmpegCrash(f"ffmpeg crashed ({name})", result.stderr_tail)
    if result.returncode != 0:
        raise FfmpegError(f"ffmpeg failed with exit code {result.returncode}", result.stderr_tail)
    if progress is not None:
        await progress(100)
