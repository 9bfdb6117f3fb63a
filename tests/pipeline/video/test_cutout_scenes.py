"""The product found in real scenes: real products (the corpus's transparent PNGs) composited
into a real forest and onto generated clutter, measured against their own alpha; the tent found
in its forest photo; the watch's strap loop left open; a transparent PNG's close-up drawn
without a rectangle behind it.

The corpus (../shared/corpus/photos, beside the repository) is read, never copied; without it
those cases skip, and the generated ones still run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from domain.enums import AspectRatio, Style
from domain.templates import get_template
from pipeline.video import artwork, shots
from pipeline.video.cutout import cut_out
from pipeline.video.framings import ShotKind, framing
from pipeline.video.layout import layout_for
from pipeline.video.plan import LookKind
from tests.pipeline.video.test_cutout import (
    Scene,
    carton,
    iou,
    photograph,
    placed_alpha,
    transparent_png,
)

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "photos"
TENT_BOX = (735, 468, 1505, 852)  # measured by eye on a gridded zoom of lifestyle-tent.jpg
WATCH_LOOP = (630, 300, 690, 420)  # white backdrop inside the strap loop of packshot-watch.jpg


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"the photo corpus is absent ({path} not found)")
    return path


def clutter(w: int, h: int, seed: int) -> NDArray[np.float32]:
    """Coloured noise at three scales: gravel, leaves, a messy table."""
    rng = np.random.default_rng(seed)
    texture = np.zeros((h, w, 3), np.float32)
    for cells in (6, 24, 96):
        coarse = rng.uniform(0, 255, (cells, cells * w // h + 1, 3)).astype(np.float32)
        texture += cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) / 3
    texture += rng.normal(0, 18, texture.shape).astype(np.float32)
    return np.asarray(np.clip(cv2.GaussianBlur(texture, (0, 0), 1.0), 0, 255), np.float32)


def forest(w: int, h: int) -> NDArray[np.float32]:
    """The tent photo's left part: trees, a fallen trunk, undergrowth; no tent."""
    scene = Image.open(corpus("lifestyle-tent.jpg")).convert("RGB").crop((0, 0, 680, 760))
    return np.asarray(scene.resize((w, h), Image.Resampling.BILINEAR), np.float32)


def composited(name: str, backdrop: NDArray[np.float32]) -> Scene:
    """The corpus's transparent product, 70 % of the frame, over `backdrop`."""
    product = Image.open(corpus(name)).convert("RGBA")
    product = product.crop(product.getchannel("A").getbbox())
    h, w = backdrop.shape[:2]
    scale = min(0.7 * w / product.width, 0.7 * h / product.height)
    size = (round(product.width * scale), round(product.height * scale))
    pixels = np.asarray(product.resize(size, Image.Resampling.LANCZOS), np.float32)
    rgb, alpha = np.zeros((h, w, 3), np.float32), np.zeros((h, w), np.float32)
    x, y = (w - size[0]) // 2, (h - size[1]) // 2
    rgb[y : y + size[1], x : x + size[0]] = pixels[..., :3]
    alpha[y : y + size[1], x : x + size[0]] = pixels[..., 3] / 255
    return photograph(backdrop, (rgb, alpha))


def carton_in_clutter() -> Scene:
    return photograph(clutter(900, 1000, 11), carton(900, 1000, (60, 140, 200)), seed=11)


@pytest.mark.parametrize(
    "scene",
    [
        carton_in_clutter,
        lambda: composited("transparent-mugs.png", forest(900, 1000)),
        lambda: composited("steel-bottle.png", clutter(1000, 900, 7)),
        lambda: composited("cap-1.png", forest(900, 1000)),
    ],
    ids=["drawn-carton/clutter", "mugs/forest", "steel-bottle/clutter", "cap/forest"],
)
def test_a_product_in_a_busy_scene_is_cut_out(scene: Callable[[], Scene]) -> None:
    photo, truth = scene()
    cutout = cut_out(photo)
    assert cutout.source == "u2net"
    assert cutout.confident, cutout.confidence
    assert iou(placed_alpha(cutout, photo.size), truth) >= 0.9


def test_the_tent_is_found_in_its_forest() -> None:
    photo = Image.open(corpus("lifestyle-tent.jpg"))
    cutout = cut_out(photo)
    assert cutout.confident, cutout.confidence
    left, top, right, bottom = cutout.bbox
    # Inside the tent's box (a little slack for the guy lines), and most of it.
    assert left >= TENT_BOX[0] - 40 and top >= TENT_BOX[1] - 40
    assert right <= TENT_BOX[2] + 40 and bottom <= TENT_BOX[3] + 40
    width = min(right, TENT_BOX[2]) - max(left, TENT_BOX[0])
    height = min(bottom, TENT_BOX[3]) - max(top, TENT_BOX[1])
    tent = (TENT_BOX[2] - TENT_BOX[0]) * (TENT_BOX[3] - TENT_BOX[1])
    assert width * height >= 0.8 * tent
    # And the close-ups are on it.
    for region in shots.analyse(photo, cutout).details:
        cx, cy = (region[0] + region[2]) / 2, (region[1] + region[3]) / 2
        assert TENT_BOX[0] <= cx <= TENT_BOX[2] and TENT_BOX[1] <= cy <= TENT_BOX[3]
    # The mask at work size says the same.
    mask = np.asarray(cutout.mask) > 127
    scale = cutout.mask.width / photo.width
    ys, xs = np.nonzero(mask)
    assert TENT_BOX[0] - 40 <= xs.min() / scale and xs.max() / scale <= TENT_BOX[2] + 40
    assert TENT_BOX[1] - 40 <= ys.min() / scale and ys.max() / scale <= TENT_BOX[3] + 40
    assert mask.mean() < 0.25


def test_the_watch_strap_loop_is_not_filled_with_white() -> None:
    photo = Image.open(corpus("packshot-watch.jpg"))
    cutout = cut_out(photo)
    assert cutout.confident
    left, top, right, bottom = WATCH_LOOP
    inside_loop = placed_alpha(cutout, photo.size)[top:bottom, left:right]
    assert inside_loop.mean() < 0.05
    assert placed_alpha(cutout, photo.size)[700, 300]  # the watch face is kept


def transparent_mugs() -> Image.Image:
    return Image.open(corpus("transparent-mugs.png")).convert("RGBA")


def marked(image: Image.Image) -> Image.Image:
    """`image` with pure green hidden under its transparent pixels: converting it to RGB
    without compositing (the black or white rectangle of issue 30) shows the green."""
    rgba = np.array(image.convert("RGBA"))
    rgba[rgba[..., 3] == 0, :3] = (0, 255, 0)
    return Image.fromarray(rgba)


@pytest.mark.parametrize(
    "transparent",
    [lambda: transparent_png()[0], transparent_mugs],
    ids=["drawn-bottle", "mugs"],
)
@pytest.mark.parametrize("kind", [ShotKind.DETAIL, ShotKind.PAIR])
def test_a_transparent_photo_close_up_has_no_rectangle_behind_it(
    transparent: Callable[[], Image.Image], kind: ShotKind
) -> None:
    """The close-up crops the photo; what the PNG leaves transparent shows the style's
    backdrop (pink in this style)."""
    image = marked(transparent())
    photo = shots.analyse(image, cut_out(image))
    assert photo.cutout.source == "alpha"
    layout = layout_for(AspectRatio.PORTRAIT, 360)
    style = Style.ENERGETIC
    palette = artwork.palette_for(style, get_template(style).scenes[0].palette, None)
    canvas = shots.Canvas(layout, style, palette, LookKind.CUTOUT, [photo], image, "Mugs")
    still = np.asarray(framing(kind, 0, 0).draw(canvas).image, np.int16)
    red, green, blue = still[..., 0], still[..., 1], still[..., 2]
    greenish = (green > red + 60) & (green > blue + 60)
    assert greenish.mean() < 0.001
