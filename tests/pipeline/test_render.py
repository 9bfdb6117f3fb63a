"""The whole offline pipeline through OFFLINE_STAGES, probed with PyAV."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from domain.enums import AspectRatio, Style
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.probe import frame_difference, probe, temp_files


@pytest.mark.slow
async def test_full_30_second_portrait_ad(tmp_path: Path, product_photo: Path) -> None:
    spec = make_spec(
        tmp_path / "job", style=Style.BOLD, total_seconds=30.0, product_image=product_photo
    )
    outputs = await run_pipeline(spec)
    final = outputs.compositing
    assert final is not None and final.path == "ad.mp4"
    assert (final.width, final.height) == (1080, 1920)
    # One frame inside each scene (bold: 7/8/8/7 s), clear of the transitions.
    times = (3.0, 11.0, 19.0, 27.0)
    result = probe(spec.work_dir / "ad.mp4", times)
    assert result.duration == pytest.approx(30.0, abs=0.1)
    assert (result.width, result.height) == (1080, 1920)
    assert (result.video_codec, result.pix_fmt, result.audio_codec) == ("h264", "yuv420p", "aac")
    assert result.audio_rms > 0.01
    frames = [result.frames[t] for t in times]
    for a, b in itertools.pairwise(frames):
        assert frame_difference(a, b) > 2.0
    assert temp_files(spec.work_dir) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("style", "aspect", "image"),
    [
        (Style.LUXURY, AspectRatio.PORTRAIT, "photo"),
        (Style.ENERGETIC, AspectRatio.SQUARE, None),
        (Style.MINIMAL, AspectRatio.LANDSCAPE, "cutout"),
        (Style.BOLD, AspectRatio.LANDSCAPE, None),
    ],
)
async def test_short_render_matrix(
    tmp_path: Path,
    product_photo: Path,
    cutout_png: Path,
    style: Style,
    aspect: AspectRatio,
    image: str | None,
) -> None:
    picture = {"photo": product_photo, "cutout": cutout_png, None: None}[image]
    spec = make_spec(
        tmp_path / "job", style=style, aspect_ratio=aspect, total_seconds=6.0, product_image=picture
    )
    await run_pipeline(spec)
    result = probe(spec.work_dir / "ad.mp4", (0.5, 5.5))
    assert result.duration == pytest.approx(6.0, abs=0.1)
    assert (result.width, result.height) == aspect.size
    assert (result.video_codec, result.pix_fmt, result.audio_codec) == ("h264", "yuv420p", "aac")
    assert result.audio_rms > 0.01
    assert frame_difference(result.frames[0.5], result.frames[5.5]) > 2.0
