"""run_ffmpeg failures and cancellation: readable errors, no orphan, no half-written file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from domain.enums import STAGE_ORDER
from domain.outputs import Completed
from pipeline.compositing.compose import composite
from pipeline.shared.ffmpeg import FfmpegError, run_ffmpeg
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES
from tests.pipeline.conftest import make_spec
from tests.probe import child_processes, temp_files


async def test_failing_ffmpeg_raises_with_stderr_tail(tmp_path: Path) -> None:
    with pytest.raises(FfmpegError) as caught:
        await run_ffmpeg(
            ["-i", str(tmp_path / "missing.png"), "-f", "null", "-"], progress=None, duration=None
        )
    assert caught.value.stderr_tail
    assert "missing.png" in str(caught.value)
    assert len(caught.value.stderr_tail) <= 20


async def test_progress_is_reported_from_out_time(tmp_path: Path) -> None:
    seen: list[int] = []

    async def progress(value: int) -> None:
        seen.append(value)

    args = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=3", "-f", "null", "-"]
    await run_ffmpeg(args, progress=progress, duration=3.0)
    assert seen[-1] == 100
    assert seen == sorted(seen)
    assert all(0 <= v <= 100 for v in seen)


async def _wait_for_child(name: str, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not child_processes(name):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no {name} child started")
        await asyncio.sleep(0.02)


async def test_cancel_kills_ffmpeg(tmp_path: Path) -> None:
    args = ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-f", "null", "-"]
    task = asyncio.create_task(run_ffmpeg(args, progress=None, duration=None))
    await _wait_for_child("ffmpeg")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert child_processes("ffmpeg") == []  # killed and reaped: not even a zombie


@pytest.mark.slow
async def test_cancelling_compositing_leaves_no_process_or_partial_file(tmp_path: Path) -> None:
    # Long enough that the soundtrack and the picture are still being made 0.3 s in.
    spec = make_spec(tmp_path / "job", total_seconds=12.0)
    completed = Completed()
    for name in STAGE_ORDER[:3]:
        completed.add(name, (await OFFLINE_STAGES[name](spec, completed, no_progress)).output)
    task = asyncio.create_task(composite(spec, completed, no_progress))
    await _wait_for_child("ffmpeg")
    await asyncio.sleep(0.3)  # let the encoder write part of the file
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert child_processes("ffmpeg") == []
    assert temp_files(spec.work_dir) == []
    assert not (spec.work_dir / "ad.mp4").exists()
    assert completed.compositing is None
