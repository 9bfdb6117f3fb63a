"""Fixtures and probes for the pipeline tests: real espeak-ng, real ffmpeg, PyAV for probing."""

from __future__ import annotations

import array
import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES, JobSpec
from pipeline.templates import STAGE_ORDER, AspectRatio, Style

RunPipeline = Callable[[JobSpec], Coroutine[Any, Any, dict[str, dict[str, Any]]]]


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
    }
    fields.update(overrides)
    return JobSpec(**fields)


async def run_pipeline(spec: JobSpec) -> dict[str, dict[str, Any]]:
    completed: dict[str, dict[str, Any]] = {}
    for name in STAGE_ORDER:
        result = await OFFLINE_STAGES[name](spec, completed, no_progress)
        completed[name.value] = result.outputs
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


@dataclass
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    pix_fmt: str
    audio_codec: str
    audio_rms: float
    frames: dict[float, Image.Image]


def probe(path: Path, sample_times: tuple[float, ...] = ()) -> Probe:
    """Container facts, audio RMS (0..1) and frames at the requested times."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        duration = float(container.duration or 0) / av.time_base
        facts = (video.width, video.height, video.codec_context.name, video.format.name)
        audio_codec = audio.codec_context.name
        frames: dict[float, Image.Image] = {}
        wanted = sorted(sample_times)
        for frame in container.decode(video=0):
            if not wanted:
                break
            if frame.time is not None and frame.time >= wanted[0]:
                frames[wanted.pop(0)] = frame.to_image()
    squares = 0.0
    count = 0
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            samples = array.array("f", bytes(frame.planes[0])[: frame.samples * 4])
            squares += sum(s * s for s in samples)
            count += len(samples)
    rms = (squares / count) ** 0.5 if count else 0.0
    return Probe(duration, *facts, audio_codec, rms, frames)


def frame_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255."""
    stat = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
    return sum(stat.mean) / 3


def temp_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.startswith(".tmp-")]


def child_processes(name: str) -> list[tuple[int, str]]:
    """Children of this process whose command mentions `name`, with their state (Z = zombie)."""
    found = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == me and (
            name in cmdline or name in fields.get("Name", "")
        ):
            found.append((int(entry.name), fields.get("State", "?").strip()[:1]))
    return found
