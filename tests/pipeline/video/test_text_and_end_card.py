"""Every text of the ad reads, and the end card fills the frame and sells (issue #30), measured on
decoded frames of real renders: a tall product in portrait over a vivid backdrop, a wide one in
landscape and in portrait, and the no-photo (type) look in a square.

- Read back: PP-OCR (tests/pipeline/video/ocr.py) reads every headline whole on the frame where
  it is complete, and the name, the price and the call-to-action on the end card; and reads
  no fragment that is not a word the ad says or shows ("Nimbu", "s Tea").
- Contrast: each text's ink against the pixels round it (past its own outline) on the frame,
  at least 4.5:1 (WCAG AA): headlines, captions, the end card's name, its call-to-action on the
  button, its price on the tag.
- Fill: the product reaches 55% of the frame's width or 45% of its height (as far as its shape
  lets it first), the name's letters stand at least 4% of the height, the button spans 60% of
  the width, and no band of near-uniform rows (nothing but backdrop) is taller than 15% of the
  frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
import pytest_asyncio
from PIL import Image, ImageDraw

from domain.enums import AspectRatio, Style
from domain.outputs import Completed
from pipeline.script.lines import PHRASEBOOKS
from pipeline.spec import JobSpec
from pipeline.video.layout import layout_for
from pipeline.video.legibility import ratio, relative_luminance
from pipeline.video.plan import LookKind, RenderPlan
from pipeline.video.textcards import hex_rgba
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.pipeline.video import ocr
from tests.pipeline.video.frames import (
    ass_ink,
    frames_at,
    headline_ink,
    lines_of,
    text_contrast,
)

pytestmark = pytest.mark.slow
RESOLUTION = 540  # the short side: large enough for PP-OCR to read a caption
AA = 4.5


def striped(path: Path, size: tuple[int, int], body: tuple[int, int, int, int]) -> Path:
    """A product no backdrop can pass for, on a plain light background: cyan with magenta
    stripes inside `body`."""
    image = Image.new("RGB", size, "#f2f1ee")
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = body
    draw.rounded_rectangle(body, radius=min(right - left, bottom - top) // 10, fill="#00b4d8")
    step = max(40, (right - left) // 8)
    for x in range(left + step // 2, right - step // 2, step):
        draw.rectangle((x, top + 20, x + step // 2, bottom - 20), fill="#e0158c")
    image.save(path, quality=92)
    return path


def product_mask(frame: np.ndarray) -> np.ndarray:
    """The striped product's extent: its cyan body, small specks opened away, its magenta
    stripes closed in (magenta alone is also the accent the ad took from it: a style's band,
    the price's tag, a lit word)."""
    r, g, b = (frame[..., k].astype(np.int16) for k in range(3))
    cyan = ((r < 90) & (g > 130) & (b > 170) & (b - r > 100)).astype(np.uint8)
    opened = cv2.morphologyEx(cyan, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    return cv2.morphologyEx(opened, cv2.MORPH_CLOSE, np.ones((41, 41), np.uint8)).astype(bool)


def without_product(frame: np.ndarray) -> np.ndarray:
    """The frame with the product (its cyan body, the stripes across it) painted over in grey;
    magenta alone is the accent the ad took from it (the price's tag, a lit word)."""
    r, g, b = (frame[..., k].astype(np.int16) for k in range(3))
    cyan = ((r < 90) & (g > 130) & (b > 170) & (b - r > 100)).astype(np.uint8)
    # Its stripes joined to its body: a pan that fills the frame with it shows them as bars,
    # which would read as "I 1 1" once the body alone was painted.
    cyan = np.asarray(
        cv2.morphologyEx(cyan, cv2.MORPH_CLOSE, np.ones((81, 81), np.uint8)), np.uint8
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(cyan)
    out = frame.copy()
    for x, y, w, h, area in stats[1:count]:
        if area >= 200:
            out[max(0, y - 8) : y + h + 8, max(0, x - 8) : x + w + 8] = (128, 128, 128)
    return out


@dataclass(frozen=True)
class Case:
    name: str
    aspect: AspectRatio
    style: Style
    photo: tuple[tuple[int, int], tuple[int, int, int, int]] | None  # size, product's body
    product: str
    cta: str


CASES = [
    Case("tall-portrait", AspectRatio.PORTRAIT, Style.ENERGETIC,
         ((1200, 1500), (450, 150, 750, 1350)), "Aurora Smart Bottle", "Shop now at aurora.com"),
    Case("wide-portrait", AspectRatio.PORTRAIT, Style.MINIMAL,
         ((1600, 1000), (150, 330, 1450, 670)), "Verdant Bench", "Order yours today"),
    Case("wide-landscape", AspectRatio.LANDSCAPE, Style.BOLD,
         ((1600, 1000), (150, 330, 1450, 670)), "Verdant Bench", "Order yours today"),
    Case("type-square", AspectRatio.SQUARE, Style.MINIMAL, None, "Nimbus Tea", "Try it today"),
]  # fmt: skip


@dataclass
class Ad:
    case: Case
    spec: JobSpec
    outputs: Completed

    @property
    def plan(self) -> RenderPlan:
        assert self.outputs.video is not None
        return RenderPlan.model_validate_json(
            (self.spec.work_dir / self.outputs.video.plan).read_text()
        )

    @property
    def mp4(self) -> Path:
        return self.spec.work_dir / "ad.mp4"

    def end_frame(self) -> int:
        """The end card's last frame: every word of its name and call-to-action said and lit."""
        return self.plan.total_frames - 2


@pytest_asyncio.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
async def ad(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Ad:
    case: Case = request.param
    folder = tmp_path_factory.mktemp(case.name)
    photo = None
    if case.photo is not None:
        photo = striped(folder / "photo.jpg", *case.photo)
    spec = make_spec(
        folder / "job",
        aspect_ratio=case.aspect,
        style=case.style,
        product_name=case.product,
        cta_text=case.cta,
        product_image=photo,
        price="$24.00",
        description="Keeps drinks cold for a day. It fits every cup holder.",
        total_seconds=10.0,
        resolution=RESOLUTION,
    )
    return Ad(case, spec, await run_pipeline(spec))


def headline_text(ad: Ad, position: int) -> str:
    """What scene `position`'s headline says (drawing._headline's choice)."""
    assert ad.outputs.script is not None
    words = ad.outputs.script.script.scenes[position].on_screen_text
    if ad.plan.look == LookKind.TYPE and words == ad.spec.product_name:
        return PHRASEBOOKS[ad.spec.style].headlines["hook"][0]
    return words


def headline_frames(ad: Ad) -> list[tuple[int, int]]:
    """(scene position, frame) where each moving scene's headline is complete."""
    out = []
    for position, scene in enumerate(ad.plan.scenes):
        if scene.headline:
            done = scene.start_frame + scene.headline[-1].frame + 2
            out.append((position, min(done, scene.start_frame + scene.frames - 1)))
    return out


def vocabulary(ad: Ad) -> set[str]:
    """Every word the ad says or shows."""
    assert ad.outputs.script is not None
    script = ad.outputs.script.script
    texts = [ad.spec.product_name, script.cta, ad.spec.price or ""]
    texts += [PHRASEBOOKS[ad.spec.style].headlines["hook"][0]]
    texts += [s.on_screen_text for s in script.scenes] + [s.voiceover_text for s in script.scenes]
    return {w for text in texts for w in ocr.words(text)}


async def test_every_text_reads_back_whole(ad: Ad) -> None:
    plan = ad.plan
    moments = headline_frames(ad)
    numbers = [n for _, n in moments] + [ad.end_frame()]
    frames = frames_at(ad.mp4, plan, numbers)
    known = vocabulary(ad)
    # The product's own pattern is no text of ours (PP-OCR reads the striped jar as "m").
    frames = [without_product(frame) for frame in frames]
    for (position, _), frame in zip(moments, frames, strict=False):
        read = " ".join(ocr.read(frame))
        seen = ocr.words(read)
        wanted = ocr.words(headline_text(ad, position))
        assert all(w in seen for w in wanted), (position, wanted, read)
        assert set(seen) <= known, (position, sorted(set(seen) - known), read)
    end = " ".join(ocr.read(frames[-1]))
    seen = ocr.words(end)
    assert ad.outputs.script is not None
    shown = [ad.outputs.script.script.cta, ad.spec.price or ""]
    if plan.look != LookKind.TYPE:
        shown.append(ad.spec.product_name)
    for text in shown:
        assert all(w in seen for w in ocr.words(text)), (text, end)
    assert set(seen) <= known, (sorted(set(seen) - known), end)


async def test_every_text_stands_out_from_what_is_behind_it(ad: Ad) -> None:
    plan, work = ad.plan, ad.spec.work_dir
    layout = layout_for(ad.case.aspect, RESOLUTION)
    moments = headline_frames(ad)
    numbers = [n for _, n in moments] + [ad.end_frame()]
    frames = frames_at(ad.mp4, plan, numbers)
    inks = ass_ink(work, plan, numbers)
    measured: list[tuple[str, float]] = []
    for (position, number), frame, ink in zip(moments, frames, inks, strict=False):
        scene = plan.scenes[position]
        step = scene.headline[-1]
        image = np.asarray(Image.open(work / step.path).convert("RGBA"))
        solid = image[image[..., 3] == 255][:, :3]
        colour = tuple(int(v) for v in np.median(solid, axis=0)) if len(solid) else (255,) * 3
        letters = headline_ink(work, plan, step, (colour[0], colour[1], colour[2]))
        size = max(b - t for _, t, _, b in lines_of(letters))
        measured.append((f"headline {position}", text_contrast(frame, letters, size // 22, size)))
        captions = ink & (np.arange(plan.height) >= layout.captions.y)[:, None]
        for left, top, right, bottom in lines_of(captions):
            line = np.zeros_like(captions)
            line[top:bottom, left:right] = captions[top:bottom, left:right]
            measured.append(
                (
                    f"caption {number}",
                    text_contrast(frame, line, layout.caption_size // 14, bottom - top),
                )
            )
    # The end card: its name and call-to-action (libass), its price on the tag (drawn).
    frame, ink = frames[-1], inks[-1]
    assert plan.end_card is not None
    for left, top, right, bottom in lines_of(ink):
        line = np.zeros_like(ink)
        line[top:bottom, left:right] = ink[top:bottom, left:right]
        halo = (bottom - top) // 8  # the outline and the drop shadow libass draws round it
        measured.append((f"end card {top}", text_contrast(frame, line, halo, bottom - top)))
    # The price on its tag: found where PP-OCR reads it, its ink and the tag's field split by
    # their luminance (Otsu) inside that box.
    tag = ad.spec.price or ""
    price = [box for text, box in ocr.boxes(frame) if tag in text.replace(" ", "")]
    assert price, ocr.read(frame)
    left, top, right, bottom = price[0]
    lum = relative_luminance(frame[top:bottom, left:right])
    level, _ = cv2.threshold(np.round(lum * 255).astype(np.uint8), 0, 255, cv2.THRESH_OTSU)
    dark = lum * 255 <= level
    measured.append(("price", ratio(float(np.median(lum[dark])), float(np.median(lum[~dark])))))
    worst = min(measured, key=lambda m: m[1])
    print(ad.case.name, "contrast minimum", worst, sorted(round(v, 1) for _, v in measured))
    assert worst[1] >= AA, (ad.case.name, worst, measured)


def longest_empty_band(frame: np.ndarray) -> int:
    """The tallest run of rows of near-uniform backdrop: 98% of a row's pixels within 14 levels
    of its median colour (a thin frame line or a speck leaves the row empty)."""
    pixels = frame.astype(np.int16)
    median = np.median(pixels, axis=1, keepdims=True)
    near = (np.abs(pixels - median).max(axis=2) <= 14).mean(axis=1) >= 0.98
    best = run = 0
    for empty in near:
        run = run + 1 if empty else 0
        best = max(best, run)
    return best


async def test_the_end_card_fills_the_frame(ad: Ad) -> None:
    plan = ad.plan
    assert plan.end_card is not None
    frame = frames_at(ad.mp4, plan, [ad.end_frame()])[0]
    width, height = plan.width, plan.height
    # The product: as large as the frame allows.
    if plan.look == LookKind.TYPE:  # the name set large, in the accent colour
        drawn = plan.scenes[-1].shots[-1].product
        assert drawn is not None
        accent = np.array(hex_rgba(plan.end_card.accent)[:3])
        product = np.zeros((height, width), bool)
        region = frame[drawn.y : drawn.y + drawn.h, drawn.x : drawn.x + drawn.w].astype(np.int16)
        product[drawn.y : drawn.y + drawn.h, drawn.x : drawn.x + drawn.w] = (
            np.abs(region - accent).max(axis=2) < 60
        )
    else:
        product = product_mask(frame)
    rows, cols = np.nonzero(product.any(axis=1))[0], np.nonzero(product.any(axis=0))[0]
    wide = (cols[-1] - cols[0] + 1) / width
    tall = (rows[-1] - rows[0] + 1) / height
    # The name's letters (libass), at least 4% of the frame's height.
    ink = ass_ink(ad.spec.work_dir, plan, [ad.end_frame()])[0]
    name = np.zeros_like(ink)
    name[: plan.end_card.button.y] = ink[: plan.end_card.button.y]  # above the button
    name_lines = [b - t for _, t, _, b in lines_of(name)]
    band = longest_empty_band(frame)
    print(
        ad.case.name,
        f"product {wide:.0%} of the width, {tall:.0%} of the height;",
        f"name lines {[round(h / height, 3) for h in name_lines]};",
        f"button {plan.end_card.button.w / width:.0%}; empty band {band / height:.1%}",
    )
    assert wide >= 0.55 or tall >= 0.45, (wide, tall)
    if plan.look != LookKind.TYPE:
        assert name_lines and max(name_lines) >= 0.04 * height, name_lines
    assert plan.end_card.button.w >= 0.6 * width
    button = plan.end_card.button
    ring = frame[button.y + button.h // 2, button.x : button.x + button.w].astype(np.int16)
    ringed = np.abs(ring - np.array(hex_rgba(plan.end_card.accent)[:3])).max(axis=1) < 70
    assert ringed[:6].any() and ringed[-6:].any()  # the pill is drawn that wide
    assert band <= 0.15 * height, band / height
