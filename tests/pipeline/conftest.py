"""Fixtures and probes for the pipeline tests: real espeak-ng, real ffmpeg, PyAV for probing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.enums import STAGE_ORDER, AspectRatio, Style
from domain.outputs import Completed
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES, JobSpec
from pipeline.video.plan import RenderPlan
from tests.conftest import DRAFT_RESOLUTION

RunPipeline = Callable[[JobSpec], Coroutine[Any, Any, Completed]]


def make_spec(work_dir: Path, **overrides: Any) -> JobSpec:
    fields: dict[str, Any] = {
        "job_id": "test-job",
        "product_name": "Aurora Smart Bottle",
        "style": Style.ENERGETIC,
        "cta_text": "Shop now at aurora.com",
        "aspect_ratio": AspectRatio.PORTRAIT,
        "product_image": None,
        "work_dir": work_dir,
        "total_seconds": 6.0,
        "resolution": DRAFT_RESOLUTION,  # the full 1080p where a test looks at the product
    }
    fields.update(overrides)
    return JobSpec(**fields)


async def run_pipeline(spec: JobSpec) -> Completed:
    completed = Completed()
    for name in STAGE_ORDER:
        result = await OFFLINE_STAGES[name](spec, completed, no_progress)
        completed.add(name, result.output)
    return completed


@pytest.fixture
def product_photo(tmp_path: Path) -> Path:
    """An opaque JPEG 'photo' of a bottle, larger than any frame (exercises downscaling)."""
    image = Image.new("RGB", (1600, 2000), "#3a6ea5")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((600, 300, 1000, 1800), radius=120, fill="#e8e8e8")
    draw.rectangle((700, 150, 900, 320), fill="#222222")
    path = tmp_path / "photo.jpg"
    image.save(path, quality=90)
    return path


@pytest.fixture
def cutout_png(tmp_path: Path) -> Path:
    """A transparent PNG product cut-out."""
    image = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((100, 100, 700, 700), fill=(220, 60, 40, 255))
    path = tmp_path / "cutout.png"
    image.save(path)
    return path


def text_frames(spec: JobSpec, plan: RenderPlan, fps: int = 2) -> list[np.ndarray]:
    """The captions alone, as libass draws them (over black), `fps` frames a second: what the
    viewer reads, wherever it lands."""
    from pipeline.compositing.filtergraph import _escape_path
    from pipeline.shared.ffmpeg import ffmpeg_exe

    assert plan.captions is not None
    ass = _escape_path(spec.work_dir / plan.captions)
    fonts = _escape_path(spec.work_dir / "video" / "fonts")
    size = f"{plan.width}x{plan.height}"
    done = subprocess.run(
        [
            ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=black:s={size}:r={fps}:d={plan.duration_seconds}",
            "-vf",
            f"ass=filename='{ass}':fontsdir='{fonts}',format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    frames = np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width)
    return list(frames)


def drawn_box(frame: np.ndarray, threshold: int = 40) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of everything drawn in a frame, None if nothing."""
    ys, xs = np.nonzero(frame > threshold)
    if not len(xs):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
