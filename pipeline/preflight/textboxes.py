"""Every box text is drawn in, read back from what compositing burnt in: the render plan and its
captions file, not from what the layout meant to do.

- each scene's headline: the ink of its finished step (the last PNG: every word in), at the
  step's position;
- the captions: the frame libass sets them in (the Caption style's side and bottom margins,
  two lines of its font size tall: captions are at most 22 characters, two lines at most);
- the end card: the call-to-action's button (the plan's rect), and the boxes the product's
  name and its price tag are set in (pipeline.video.layout, as the video stage drew them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from domain.enums import AspectRatio
from pipeline.video.layout import Box, layout_for
from pipeline.video.plan import RenderPlan

CAPTION_LINES = 2
LINE_HEIGHT = 1.25  # libass's line height for these faces, a share of the font size


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


_STYLE = re.compile(r"^Style:\s*Caption,(.*)$", re.MULTILINE)


def caption_box(plan: RenderPlan, ass: str) -> TextBox | None:
    """The Caption style's frame: fields 3 (size) and the last four (margins L, R, V)."""
    found = _STYLE.search(ass)
    if found is None:
        return None
    fields = found.group(1).split(",")
    size = int(float(fields[1]))
    left, right, bottom = (int(v) for v in fields[-4:-1])
    height = round(CAPTION_LINES * size * LINE_HEIGHT)
    foot = plan.height - bottom
    return TextBox("captions", Box(left, foot - height, plan.width - left - right, height))


def end_card_boxes(plan: RenderPlan) -> list[TextBox]:
    if plan.end_card is None:
        return []
    layout = layout_for(aspect_of(plan), min(plan.width, plan.height))
    button = plan.end_card.button
    boxes = [
        TextBox("end card name", layout.end_name),
        TextBox("end card button", Box(button.x, button.y, button.w, button.h)),
    ]
    if plan.end_card.price:
        boxes.append(TextBox("end card price", layout.end_price))
    return boxes


def text_boxes(plan: RenderPlan, work_dir: Path) -> list[TextBox]:
    boxes = headline_boxes(plan, work_dir)
    if plan.captions is not None:
        path = work_dir / plan.captions
        caption = caption_box(plan, path.read_text(encoding="utf-8")) if path.is_file() else None
        if caption is not None:
            boxes.append(caption)
    return boxes + end_card_boxes(plan)
