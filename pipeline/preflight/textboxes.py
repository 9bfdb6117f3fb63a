"""Every box text is drawn in, read back from what compositing burnt in (the render plan, its
headline images and its captions file), not from what the layout meant to do:

- each scene's headline: the ink of its finished step (the last PNG: every word in), where the
  plan puts it;
- the captions, and the end card's name and call-to-action: where libass draws them
  (pipeline.preflight.ink), each kind as one box over the whole ad;
- the end card's button (the plan's rect) and its price tag (where the video stage drew it,
  pipeline.video.shots.price_tag_rect).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from domain.enums import AspectRatio, Style
from domain.media import VIDEO_DIR
from pipeline.preflight.ink import ink_by_style
from pipeline.shared.fonts import fonts_dir
from pipeline.video.layout import Box, layout_for
from pipeline.video.plan import RenderPlan
from pipeline.video.shots import price_tag_rect

# The captions file's styles (pipeline.video.captions), as a viewer names them.
ASS_TEXT = {"Caption": "captions", "Name": "end card name", "CTA": "end card call-to-action"}
INK_SCRATCH = "preflight.ass"


@dataclass(frozen=True)
class TextBox:
    what: str  # "scene 1 headline", "captions", "end card button", ...
    box: Box


def aspect_of(plan: RenderPlan) -> AspectRatio:
    if plan.width > plan.height:
        return AspectRatio.LANDSCAPE
    return AspectRatio.PORTRAIT if plan.height > plan.width else AspectRatio.SQUARE


def headline_boxes(plan: RenderPlan, work_dir: Path) -> list[TextBox]:
    boxes: list[TextBox] = []
    for scene in plan.scenes:
        if not scene.headline:
            continue
        step = scene.headline[-1]
        with Image.open(work_dir / step.path) as image:
            ink = image.getchannel("A").getbbox() if image.mode == "RGBA" else image.getbbox()
        if ink is None:
            continue
        left, top, right, bottom = ink
        box = Box(step.x + left, step.y + top, right - left, bottom - top)
        boxes.append(TextBox(f"scene {scene.index} headline", box))
    return boxes


def end_card_boxes(plan: RenderPlan, style: Style) -> list[TextBox]:
    if plan.end_card is None:
        return []
    button = plan.end_card.button
    boxes = [TextBox("end card button", Box(button.x, button.y, button.w, button.h))]
    if plan.end_card.price:
        layout = layout_for(aspect_of(plan), min(plan.width, plan.height))
        tag, _ = price_tag_rect(layout, style, plan.end_card.price)
        boxes.append(TextBox("end card price", Box(tag.x, tag.y, tag.w, tag.h)))
    return boxes


async def caption_boxes(plan: RenderPlan, work_dir: Path) -> list[TextBox]:
    if plan.captions is None:
        return []
    path = work_dir / plan.captions
    if not path.is_file():
        return []
    ass = await asyncio.to_thread(path.read_text, encoding="utf-8")
    fonts = fonts_dir(work_dir / VIDEO_DIR)
    frame = (plan.width, plan.height)
    scratch = path.parent / INK_SCRATCH
    drawn = await ink_by_style(ass, fonts, scratch, frame)
    return [TextBox(ASS_TEXT.get(style, style), box) for style, box in drawn.items()]


async def text_boxes(plan: RenderPlan, work_dir: Path, style: Style) -> list[TextBox]:
    """Every text box of the ad, headlines first, then captions and the end card."""
    still = await asyncio.to_thread(headline_boxes, plan, work_dir)
    drawn = await caption_boxes(plan, work_dir)
    card = await asyncio.to_thread(end_card_boxes, plan, style)
    return still + drawn + card
