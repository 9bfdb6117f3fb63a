"""Any name createJob accepts makes an ad: the writer fits it into every line and headline, and
the artwork draws it inside the safe zone, for every style and aspect."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image

from domain.enums import FULL_RESOLUTION, AspectRatio, StageName, Style
from domain.outputs import Completed
from domain.script import (
    CTA_MAX_CHARS,
    CTA_MAX_WORDS,
    HOOK_MAX_CHARS,
    ON_SCREEN_MAX_CHARS,
    ON_SCREEN_MAX_WORDS,
    word_budget,
)
from domain.templates import get_template
from domain.text import count_words, grapheme_len
from pipeline.script.model import validate_script
from pipeline.script.offline import write_script
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES
from pipeline.video.layout import Box, layout_for
from pipeline.video.plan import RenderPlan
from tests.pipeline.conftest import drawn_box, make_spec, text_frames

AWKWARD = {
    "cjk": ("超級無敵保溫杯" * 18)[:120],
    "emoji-zwj": "👨\u200d👩\u200d👧\u200d👦" * 120,
    "one-letter": "A" * 120,
    "rtl-overrides": ("\u202eمنتج رائع جدا\u202c שלום עולם " * 5)[:120],
    "ffmpeg-syntax": "[0:v]drawtext=text='%{pts}':fontfile=/etc/passwd,movie=x.mp4[out];a|b\\:c",
    "long-words": " ".join(["Supercalifragilistic"] * 6)[:120],
    "decomposed": "Cre\u0300me Bru\u0302le\u0301e \u2122",
}
LONG_CTA = ("限時優惠立即購買" * 3)[:20]  # ten words' worth, no space to break at


@pytest.mark.parametrize("total", [30.0, 4.0])
@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("name", list(AWKWARD), ids=list(AWKWARD))
def test_the_writer_fits_any_accepted_name(name: str, style: Style, total: float) -> None:
    script = write_script(AWKWARD[name], style, "Shop now", total)
    assert grapheme_len(script.hook) <= HOOK_MAX_CHARS
    template = get_template(style)
    for scene in script.scenes:
        budget = word_budget(template.words_per_second, scene.duration_seconds)
        assert count_words(scene.voiceover_text) <= budget, scene.voiceover_text
        assert scene.voiceover_text or scene.index in (2, 3), scene  # the middle may be silent
    for scene in script.scenes[:3]:
        assert grapheme_len(scene.on_screen_text) <= ON_SCREEN_MAX_CHARS
        assert count_words(scene.on_screen_text) <= ON_SCREEN_MAX_WORDS
    assert script.cta == "Shop now" == script.scenes[3].on_screen_text
    assert validate_script(script.model_dump(), style, total) == script


@pytest.mark.parametrize("style", list(Style))
def test_a_long_cta_without_spaces_fits_the_end_card(style: Style) -> None:
    assert grapheme_len(LONG_CTA) <= CTA_MAX_CHARS and count_words(LONG_CTA) == CTA_MAX_WORDS
    script = write_script("Kite", style, LONG_CTA, 30.0)
    assert script.scenes[3].on_screen_text == LONG_CTA


def test_names_the_narrator_can_say_are_said() -> None:
    script = write_script("Aurora Cold Brew", Style.LUXURY, "Shop now", 30.0)
    assert "Aurora Cold Brew" in " ".join(s.voiceover_text for s in script.scenes)
    # Nothing sayable in a row of emoji: no line tries to say it.
    emoji = write_script(AWKWARD["emoji-zwj"], Style.LUXURY, "Shop now", 30.0)
    assert all("\u200d" not in s.voiceover_text for s in emoji.scenes)


@pytest.mark.parametrize(
    ("name", "aspect", "style"),
    [
        (name, aspect, style)
        for (name, aspect), style in zip(
            itertools.product(AWKWARD, AspectRatio), itertools.cycle(Style), strict=False
        )
    ],
)
async def test_awkward_names_are_drawn_inside_the_safe_zone(
    tmp_path: Path, name: str, aspect: AspectRatio, style: Style
) -> None:
    spec = make_spec(
        tmp_path / "job",
        product_name=AWKWARD[name],
        cta_text=LONG_CTA,
        aspect_ratio=aspect,
        style=style,
        total_seconds=4.0,
        resolution=FULL_RESOLUTION,  # the platforms' safe zones, in the product's pixels
    )
    completed = Completed()
    for stage in (StageName.SCRIPT_GEN, StageName.VOICE_GEN, StageName.VIDEO_GEN):
        completed.add(stage, (await OFFLINE_STAGES[stage](spec, completed, no_progress)).output)
    assert completed.video is not None
    plan_path = spec.work_dir / completed.video.plan
    plan = RenderPlan.model_validate_json(plan_path.read_text())
    safe = layout_for(aspect).safe
    for step in (step for scene in plan.scenes for step in scene.headline):
        with Image.open(spec.work_dir / step.path) as image:
            box = Box(step.x, step.y, image.width, image.height)
        assert safe.contains(box), f"{step.path} at {box} leaves {safe}"
    for frame in text_frames(spec, plan, fps=4):
        drawn = drawn_box(frame)
        if drawn:
            left, top, right, bottom = drawn
            assert safe.contains(Box(left, top, right - left, bottom - top)), drawn
