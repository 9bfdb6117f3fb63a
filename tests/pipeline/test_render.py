"""Short renders of every style and aspect through OFFLINE_STAGES, probed with PyAV (the full
30 s ad is tests/pipeline/test_the_ad.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import AspectRatio, Style
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.probe import frame_difference, loudness, probe


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
    assert (result.width, result.height) == spec.frame_size == aspect.size_at(360)
    assert (result.video_codec, result.pix_fmt, result.audio_codec) == ("h264", "yuv420p", "aac")
    assert result.audio_rms > 0.01
    assert frame_difference(result.frames[0.5], result.frames[5.5]) > 2.0
    # A draft's sound is encoded with AAC's fast coder: the same level and headroom.
    lufs, true_peak = loudness(spec.work_dir / "ad.mp4")
    assert lufs == pytest.approx(-14.0, abs=1.5) and true_peak <= -1.0
