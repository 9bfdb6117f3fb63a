"""video_gen, offline provider: the drawn stills and the plan that moves them are the video
(pipeline.video.drawing); compositing moves and encodes them in one ffmpeg graph."""

from __future__ import annotations

from domain.outputs import Completed
from domain.providers import OFFLINE_VIDEO
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.video.drawing import draw_video

PROVIDER = OFFLINE_VIDEO


async def generate_video(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """video_gen stage: stills and plan under work_dir/video/. Re-running overwrites them."""
    return StageResult(output=await draw_video(spec, completed, progress), provider=PROVIDER)
