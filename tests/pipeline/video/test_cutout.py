"""The product cut-out: clean cuts on studio backdrops and on busy ones, honest refusals of
photos where nothing stands out.

The photos are synthesized here (a shaded bottle or carton with a printed label, on a known
backdrop), so every cut is measured against an exact ground-truth mask. Real photos, and real
products composited into real scenes: test_cutout_scenes.py.
"""

from __future__ import annotations

import colorsys
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from pipeline.video.cutout import (
    CONFIDENCE_THRESHOLD,
    Cutout,
    accent_colour,
    cut_out,
    dominant_colours,
)

Rgb = NDArray[np.float32]
Mask = NDArray[np.float32]
Scene = tuple[Image.Image, NDArray[np.bool_]]
W, H = 750, 1000


def _supersampled(w: int, h: int, polygons: list[list[tuple[float, float]]]) -> Mask:
    """Anti-aliased coverage of the polygons (drawn at 4x, averaged down)."""
    big = np.zeros((h * 4, w * 4), np.uint8)
    for polygon in polygons:
        cv2.fillPoly(big, [(np.array(polygon) * 4).astype(np.int32)], 255, cv2.LINE_AA)
    small = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.float32) / 255.0


def bottle(
    w: int,
    h: int,
    colour: tuple[int, int, int],
    label: tuple[int, int, int] = (235, 225, 200),
    ink: tuple[int, int, int] = (30, 30, 30),
    bottom: float = 0.86,
) -> tuple[Rgb, Mask]:
    """A shaded bottle (cap, neck, shoulders, rounded base) with a printed label."""
    cx, body, top, base = w / 2, 0.28 * h, 0.14 * h, bottom * h
    neck, cap, shoulder_top, shoulder, r = 0.36 * body, 0.07 * h, 0.24 * h, 0.1 * h, 0.025 * h
    t = np.linspace(0, 1, 30)
    ease = 3 * t**2 - 2 * t**3
    right = [
        (cx + neck / 2 + (body - neck) / 2 * e, shoulder_top + shoulder * s)
        for s, e in zip(t, ease, strict=True)
    ]
    arc = np.linspace(0, np.pi / 2, 10)
    corner = [(cx + body / 2 - r + r * np.cos(a), base - r + r * np.sin(a)) for a in arc]
    half = [(cx + neck / 2, top), *right, *corner]
    outline = half + [(2 * cx - x, y) for x, y in reversed(half)]
    alpha = _supersampled(w, h, [outline])
    u = np.clip((np.arange(w, dtype=np.float32) - cx) / (body / 2), -1, 1)
    shade = (0.35 + 0.65 * np.sqrt(1 - u**2))[None, :, None]
    highlight = (255 * 0.5 * np.exp(-(((u + 0.45) / 0.08) ** 2)))[None, :, None]
    rgb = np.broadcast_to(np.array(colour, np.float32) * shade + highlight, (h, w, 3)).copy()
    rgb[int(top) : int(top + cap)] = np.array((35, 35, 40), np.float32) * (0.5 + shade[0])
    y0, y1 = int(0.42 * h), int(0.66 * h)
    rgb[y0:y1] = np.array(label, np.float32) * (0.45 + 0.55 * shade[0]) + 0.3 * highlight[0]
    text = np.zeros((h, w), np.uint8)
    scale = body / 180
    cv2.putText(text, "AURORA", (int(cx - 0.42 * body), int(0.5 * h)), 2, scale, 255, 3)
    cv2.rectangle(
        text, (int(cx - 0.4 * body), int(0.58 * h)), (int(cx + 0.4 * body), int(0.62 * h)), 255, -1
    )
    ink_alpha = (text.astype(np.float32) / 255)[..., None]
    rgb = rgb * (1 - ink_alpha) + np.array(ink, np.float32) * ink_alpha
    return rgb.astype(np.float32), alpha


def carton(w: int, h: int, colour: tuple[int, int, int]) -> tuple[Rgb, Mask]:
    """A carton in three-quarter view: front, darker side and lighter top, with a printed label."""
    x0, y0, fw, fh, d = 0.18 * w, 0.3 * h, 0.52 * w, 0.5 * h, 0.16 * w
    faces = [
        ([(x0, y0), (x0 + fw, y0), (x0 + fw, y0 + fh), (x0, y0 + fh)], 1.0),
        (
            [
                (x0 + fw, y0),
                (x0 + fw + d, y0 - d / 2),
                (x0 + fw + d, y0 + fh - d / 2),
                (x0 + fw, y0 + fh),
            ],
            0.62,
        ),
        ([(x0, y0), (x0 + d, y0 - d / 2), (x0 + fw + d, y0 - d / 2), (x0 + fw, y0)], 1.18),
    ]
    rgb = np.zeros((h, w, 3), np.float32)
    alpha = np.zeros((h, w), np.float32)
    for polygon, light in faces:
        face = _supersampled(w, h, [polygon])[..., None]
        rgb = rgb * (1 - face) + np.clip(np.array(colour, np.float32) * light, 0, 255) * face
        alpha = np.maximum(alpha, face[..., 0])
    text = np.zeros((h, w), np.uint8)
    cv2.putText(text, "CRISPY", (int(x0 + 20), int(y0 + 0.12 * h)), 3, w / 500, 255, 4)
    cv2.circle(text, (int(x0 + fw / 2), int(y0 + 0.32 * h)), int(0.1 * h), 255, -1)
    label = (text.astype(np.float32) / 255)[..., None]
    printed = rgb * (1 - label) + np.array((250, 235, 120), np.float32) * label
    return printed.astype(np.float32), alpha


def photograph(backdrop: Rgb, product: tuple[Rgb, Mask], seed: int = 0) -> Scene:
    """The product over the backdrop, with sensor noise and JPEG compression like a real photo."""
    rgb, alpha = product
    scene = backdrop * (1 - alpha[..., None]) + rgb * alpha[..., None]
    noisy = scene + np.random.default_rng(seed).normal(0, 2.0, scene.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return Image.open(buffer), alpha > 0.5


def flat(colour: tuple[int, int, int], w: int = W, h: int = H) -> Rgb:
    return np.broadcast_to(np.array(colour, np.float32), (h, w, 3)).copy()


def with_shadow(backdrop: Rgb, shadow: Mask, strength: float, blur: float) -> Rgb:
    return backdrop * (1 - strength * cv2.GaussianBlur(shadow, (0, 0), blur)[..., None])


def white_studio() -> Scene:
    contact = np.zeros((H, W), np.float32)
    cv2.ellipse(contact, (W // 2, int(0.86 * H)), (int(0.16 * H), 14), 0, 0, 360, 1.0, -1)
    return photograph(
        with_shadow(flat((250, 250, 250)), contact, 0.35, 8), bottle(W, H, (40, 110, 60))
    )


def gradient_with_cast_shadow() -> Scene:
    product = carton(W, H, (200, 60, 50))
    ramp = np.linspace(0, 1, H, dtype=np.float32)[:, None, None]
    top, bottom = np.array((120, 170, 215), np.float32), np.array((60, 100, 160), np.float32)
    backdrop = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (H, W, 3)).astype(np.float32)
    base = 0.8 * H  # the carton's floor line: its silhouette, sheared back and flattened
    shear = np.array([[1, -0.35, 0.35 * base], [0, 0.25, 0.75 * base]], np.float32)
    shadow = np.asarray(cv2.warpAffine(product[1], shear, (W, H)), np.float32)
    return photograph(with_shadow(backdrop, shadow, 0.5, 16), product, seed=1)


def grey_with_drop_shadow() -> Scene:
    product = bottle(W, H, (55, 55, 58), label=(150, 150, 152), ink=(235, 235, 235))
    shadow = np.roll(product[1], (20, 40), axis=(0, 1))
    return photograph(with_shadow(flat((225, 225, 225)), shadow, 0.55, 14), product, seed=2)


def cropped_by_the_bottom() -> Scene:
    product = bottle(W, H, (90, 50, 120), bottom=1.1)
    return photograph(flat((230, 210, 185)), product, seed=3)


def red_on_blue() -> Scene:
    return photograph(flat((40, 90, 220)), bottle(W, H, (190, 35, 35)), seed=4)


def busy_table() -> Scene:
    """Clutter to the edges: coloured blobs over fine-grained, multi-scale noise (wood, gravel)."""
    rng = np.random.default_rng(5)
    texture = np.zeros((H, W, 3), np.float32)
    for cells in (6, 24, 96):
        coarse = rng.uniform(0, 255, (cells, cells * W // H + 1, 3)).astype(np.float32)
        texture += cv2.resize(coarse, (W, H), interpolation=cv2.INTER_CUBIC) / 3
    for _ in range(40):
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        centre = (int(rng.integers(0, W)), int(rng.integers(0, H)))
        cv2.circle(texture, centre, int(rng.integers(20, 90)), colour, -1)
    texture += rng.normal(0, 18, texture.shape).astype(np.float32)
    backdrop = cv2.GaussianBlur(np.clip(texture, 0, 255), (0, 0), 1.0)
    return photograph(np.asarray(backdrop, np.float32), bottle(W, H, (150, 40, 40)), seed=5)


def transparent_png() -> Scene:
    rgb, alpha = bottle(W, H, (30, 70, 160), label=(250, 200, 60))
    rgba = np.clip(np.dstack([rgb, alpha * 255]), 0, 255).astype(np.uint8)
    return Image.fromarray(rgba), alpha > 0.5


def placed_alpha(cutout: Cutout, size: tuple[int, int]) -> NDArray[np.bool_]:
    """The cut-out's alpha (> 50 %) put back where it came from in the photo."""
    mask = np.zeros((size[1], size[0]), bool)
    left, top, right, bottom = cutout.bbox
    mask[top:bottom, left:right] = np.asarray(cutout.image.getchannel("A")) > 127
    return mask


def iou(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> float:
    return float((a & b).sum() / (a | b).sum())


def hue_degrees(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 360 * colorsys.rgb_to_hsv(r, g, b)[0]


@pytest.mark.parametrize(
    "scene",
    [white_studio, gradient_with_cast_shadow, grey_with_drop_shadow, cropped_by_the_bottom],
)
def test_studio_backdrops_are_cut_cleanly_and_confidently(scene: Callable[[], Scene]) -> None:
    photo, truth = scene()
    cutout = cut_out(photo)
    assert cutout.source == "u2net"
    assert cutout.confident, cutout.confidence
    assert iou(placed_alpha(cutout, photo.size), truth) >= 0.9
    assert cutout.image.mode == "RGBA"
    assert cutout.image.size == (cutout.bbox[2] - cutout.bbox[0], cutout.bbox[3] - cutout.bbox[1])


def test_a_cast_shadow_is_left_behind() -> None:
    photo, truth = gradient_with_cast_shadow()
    cut = placed_alpha(cut_out(photo), photo.size)
    shadow_only = ~truth
    shadow_only[: int(0.7 * H)] = False  # the floor behind and beside the carton
    assert (cut & shadow_only).sum() < 0.01 * truth.sum()


def test_a_product_on_a_busy_background_is_found() -> None:
    photo, truth = busy_table()
    cutout = cut_out(photo)
    assert cutout.source == "u2net" and cutout.confident, cutout.confidence
    assert iou(placed_alpha(cutout, photo.size), truth) >= 0.9


def noise() -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400, 3), np.uint8))


@pytest.mark.parametrize("photo", [noise(), Image.new("RGB", (400, 300), (120, 30, 200))])
def test_a_photo_where_nothing_stands_out_is_not_trusted(photo: Image.Image) -> None:
    cutout = cut_out(photo)
    assert not cutout.confident
    assert cutout.confidence < CONFIDENCE_THRESHOLD
    if cutout.source == "rejected":
        assert cutout.bbox == (0, 0, *photo.size)
        assert cutout.image.size == photo.size and cutout.image.mode == "RGBA"


def test_a_transparent_png_keeps_its_own_alpha() -> None:
    photo, truth = transparent_png()
    cutout = cut_out(photo)
    assert cutout.source == "alpha"
    assert cutout.confident
    assert iou(placed_alpha(cutout, photo.size), truth) > 0.999


def test_an_opaque_rgba_photo_is_cut_like_a_jpeg() -> None:
    photo, truth = white_studio()
    cutout = cut_out(photo.convert("RGBA"))
    assert cutout.source == "u2net"
    assert iou(placed_alpha(cutout, photo.size), truth) >= 0.9


def test_a_bottle_is_not_cut_as_a_rectangle_card() -> None:
    cutout = cut_out(white_studio()[0])
    alpha = np.asarray(cutout.image.getchannel("A"))
    corners = [alpha[:4, :4], alpha[:4, -4:], alpha[-4:, :4], alpha[-4:, -4:]]
    assert [int(c.max()) for c in corners] == [0, 0, 0, 0]
    assert alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255


def test_the_edges_carry_no_fringe_of_the_old_backdrop() -> None:
    photo, _ = red_on_blue()
    cutout = cut_out(photo)
    rgba = np.asarray(cutout.image).astype(np.float32)
    rim = (rgba[..., 3] > 10) & (rgba[..., 3] < 245)
    red, blue = rgba[..., 0][rim].mean(), rgba[..., 2][rim].mean()
    assert rim.sum() > 500
    assert blue < 90 and red > 1.5 * blue  # a blended rim would be purple (blue ~130)


def test_cut_out_is_deterministic_even_in_parallel_threads() -> None:
    photos = [gradient_with_cast_shadow()[0], white_studio()[0]]
    alone = [cut_out(photo) for photo in photos]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(cut_out, photos * 2))
    for first, again in zip(alone * 2, together, strict=True):
        assert (first.confidence, first.bbox) == (again.confidence, again.bbox)
        assert first.image.tobytes() == again.image.tobytes()


def test_a_red_bottle_gets_a_red_accent() -> None:
    photo, _ = red_on_blue()
    colours = dominant_colours(photo, cut_out(photo))
    accent = accent_colour(colours)
    assert accent is not None
    assert min(hue_degrees(accent), 360 - hue_degrees(accent)) < 20


def test_a_grey_product_has_no_accent() -> None:
    photo, _ = grey_with_drop_shadow()
    assert accent_colour(dominant_colours(photo, cut_out(photo))) is None


def test_an_untrusted_cut_takes_colours_from_the_centre_not_the_clutter() -> None:
    photo, _ = busy_table()
    rejected = cut_out(Image.new("RGB", photo.size, (120, 30, 200)))
    colours = dominant_colours(photo, rejected)
    accent = accent_colour(colours)
    assert accent is not None
    assert min(hue_degrees(accent), 360 - hue_degrees(accent)) < 20  # the red bottle


def test_dominant_colours_are_shares_most_common_first() -> None:
    photo, _ = white_studio()
    colours = dominant_colours(photo, cut_out(photo), k=5)
    shares = [share for _, share in colours]
    assert len(colours) == 5
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1.0, abs=0.01)
    assert all(len(hex_) == 7 and hex_.startswith("#") for hex_, _ in colours)
    assert dominant_colours(photo, None)  # no cut-out at all: the centre of the photo


def test_a_24_megapixel_photo_is_cut_at_its_own_resolution() -> None:
    w, h = 1500, 1000
    small, truth = photograph(flat((248, 248, 248), w, h), bottle(w, h, (40, 110, 60)))
    photo = small.resize((6000, 4000), Image.Resampling.BICUBIC)
    cutout = cut_out(photo)
    assert cutout.confident
    big_truth = np.asarray(Image.fromarray(truth).resize((6000, 4000)))
    assert iou(placed_alpha(cutout, photo.size), big_truth) >= 0.9


@pytest.mark.parametrize(
    "photo",
    [
        Image.new("RGB", (1, 1), "white"),
        Image.new("RGB", (5000, 20), "white"),
        Image.new("RGB", (400, 300), (120, 30, 200)),
        Image.new("RGBA", (400, 300), (0, 0, 0, 0)),
        Image.new("L", (300, 400), 128),
        Image.new("I;16", (300, 400), 3000),
        Image.new("CMYK", (300, 400), (0, 50, 50, 0)),
        Image.new("La", (300, 400)),
        white_studio()[0].convert("P"),
        white_studio()[0].convert("1"),
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400, 3), np.uint8)),
    ],
    ids=["1px", "sliver", "uniform", "transparent", "L", "I16", "CMYK", "La", "P", "1bit", "noise"],
)
def test_odd_photos_never_raise(photo: Image.Image) -> None:
    cutout = cut_out(photo)
    left, top, right, bottom = cutout.bbox
    assert cutout.source in {"alpha", "u2net", "grabcut", "rejected"}
    assert 0.0 <= cutout.confidence <= 1.0
    assert 0 <= left < right <= photo.width and 0 <= top < bottom <= photo.height
    assert cutout.image.mode == "RGBA" and cutout.image.size == (right - left, bottom - top)
    assert cutout.mask.mode == "L" and max(cutout.mask.size) <= max(photo.size)
    assert isinstance(dominant_colours(photo, cutout), list)
