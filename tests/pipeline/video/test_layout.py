"""On-screen text stays inside each platform's safe zone, for every aspect ratio."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from domain.enums import FULL_RESOLUTION, STAGE_ORDER, AspectRatio, Style
from domain.outputs import Completed
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES
from pipeline.video.layout import Box, layout_for
from pipeline.video.plan import RenderPlan
from tests.pipeline.conftest import drawn_box, make_spec, text_frames


@pytest.mark.parametrize("aspect", list(AspectRatio))
async def test_headlines_and_captions_stay_in_the_safe_zone(
    tmp_path: Path, aspect: AspectRatio
) -> None:
    spec = make_spec(
        tmp_path / "job",
        aspect_ratio=aspect,
        style=Style.BOLD,
        product_name="An Unusually Long Product Name For Wrapping",
        # Something to say in every scene (a bare name leaves the middle scenes wordless).
        description="A steel bottle that keeps drinks cold. It fits every cup holder.",
        total_seconds=15.0,
        resolution=FULL_RESOLUTION,  # the platforms' safe zones, in the product's pixels
    )
    completed = Completed()
    for name in STAGE_ORDER[:3]:  # the plan is complete after video_gen (voice times it)
        completed.add(name, (await OFFLINE_STAGES[name](spec, completed, no_progress)).output)
    assert completed.video is not None
    plan_path = spec.work_dir / completed.video.plan
    plan = RenderPlan.model_validate_json(plan_path.read_text())
    safe = layout_for(aspect).safe
    placed = [step for s in plan.scenes for step in s.headline]
    assert placed, "no headline was placed"
    for item in placed:  # every step of every headline's animation
        with Image.open(spec.work_dir / item.path) as image:
            box = Box(item.x, item.y, image.width, image.height)
        assert safe.contains(box), f"{item.path} at {box} leaves the safe zone {safe}"
    # Captions, the end card's name and call-to-action, as libass draws them.
    drawn = [found for frame in text_frames(spec, plan) if (found := drawn_box(frame))]
    assert len(drawn) > plan.duration_seconds  # text on screen nearly all the time
    for left, top, right, bottom in drawn:
        assert safe.contains(Box(left, top, right - left, bottom - top)), (left, top, right, bottom)
