"""How much of a CTA variant's picture is its source's: decided once, by its video stage.

The worker says what a variant may take (pipeline.spec.Reuse, from its axes). A variant that
changes only its call-to-action may take its source's picture up to the end card's first frame,
when everything before it is the source's (the same scenes, hero and captions) and the source's
ad has an IDR frame there (compositing forces one). The video stage, having drawn its own plan,
finds that frame and stores it with its output (VideoOutput.source_until_frame); compositing
encodes the end card alone and takes the rest from the source without looking again.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from domain.media import AD_FILE, VIDEO_DIR
from pipeline.shared.ffmpeg import ffmpeg_exe
from pipeline.spec import JobSpec
from pipeline.video.plan import CAPTIONS_FILE, PLAN_FILE, RenderPlan


async def source_until_frame(spec: JobSpec, plan: RenderPlan) -> int | None:
    """The frame up to which this variant's picture is its source's (None: draw it all)."""
    reuse = spec.reuse
    if reuse is None or not reuse.end_card or not (reuse.files / AD_FILE).is_file():
        return None
    return await _end_card_frame(spec, reuse.files, plan)


async def _end_card_frame(spec: JobSpec, files: Path, plan: RenderPlan) -> int | None:
    source_plan = files / VIDEO_DIR / PLAN_FILE
    source_captions = files / VIDEO_DIR / CAPTIONS_FILE
    if not (source_plan.is_file() and source_captions.is_file()) or plan.captions is None:
        return None
    before = RenderPlan.model_validate_json(source_plan.read_text(encoding="utf-8"))
    frame = plan.scenes[-1].start_frame
    same = (
        (before.width, before.height, before.fps, before.total_frames)
        == (plan.width, plan.height, plan.fps, plan.total_frames)
        and before.scenes[:-1] == plan.scenes[:-1]
        and before.scenes[-1].start_frame == frame
        and before.hero == plan.hero
    )
    if not same:
        return None
    ours = (spec.work_dir / plan.captions).read_text(encoding="utf-8")
    theirs = source_captions.read_text(encoding="utf-8")
    if _events_before(ours, frame / plan.fps) != _events_before(theirs, frame / plan.fps):
        return None
    if not await _keyframe_at(files / AD_FILE, frame / plan.fps, plan.fps):
        return None
    return frame


def _events_before(ass: str, seconds: float) -> list[str]:
    """The caption events that start before `seconds` (ASS Dialogue lines)."""
    events = []
    for line in ass.splitlines():
        if line.startswith("Dialogue:"):
            start = line.split(",", 3)[1]
            h, m, s = start.split(":")
            if int(h) * 3600 + int(m) * 60 + float(s) < seconds:
                events.append(line)
    return events


async def _keyframe_at(path: Path, seconds: float, fps: int) -> bool:
    """Whether the MP4's picture has a keyframe at `seconds` (to within half a frame)."""
    process = await asyncio.create_subprocess_exec(
        ffmpeg_exe(), "-hide_banner", "-skip_frame", "nokey", "-i", str(path),
        "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    times = [float(t) for t in re.findall(rb"pts_time:([0-9.]+)", err)]
    return any(abs(t - seconds) < 0.5 / fps for t in times)
