"""Cut the product out of its photo, find it in any photo, and say how far to trust the cut.

The cut-out look (product over a fresh background) only works when the cut is clean; a bad cut
(a slab of backdrop, a lost half) looks worse than the plain photo. So `cut_out` returns a
confidence, and callers fall back to the photo itself below `CONFIDENCE_THRESHOLD`.

A transparent PNG's alpha is used as it is. Any other photo goes to U²-Net's salient-object map
(pipeline/video/salient.py), on a studio backdrop or in a scene: it finds the tent in its forest
and the espresso on its table, which the classical cut refused. On a plain backdrop what the
network fills but the product encloses (a watch's strap loop) is punched out against the
backdrop model; a studio shot the network is unsure of goes to the classical cut
(pipeline/video/grabcut.py), which wins when it is surer. Masks are made at WORK_SIDE pixels;
the edges are then refined at up to DETAIL_SIDE (a guided filter on the photo, a 1 px erosion,
a feather, rim colours decontaminated) and upscaled, so time and memory barely grow with the
photo: ~0.6 s a photo on one thread, 0.5 s of it the network. Deterministic.

Measured (tests/pipeline/video/test_cutout_scenes.py): IoU 0.94-0.99 for the corpus's
transparent products composited into a forest and onto generated clutter, where the classical
cut rejected every one; 0.99 on the synthetic studio scenes, as before.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from pipeline.video.grabcut import F32, U8, Bools, placement, plainness, ramp, segment
from pipeline.video.salient import salient_map

CONFIDENCE_THRESHOLD = 0.55
WORK_SIDE = 384  # 512 gave the same IoU in calibration at ~2x the time
DETAIL_SIDE = 2048  # edges are refined at this size at most, then upscaled
MIN_WORK_SIDE = 32  # below this (tiny or sliver-shaped photos) there is no border to model
_SEED = 12345


@dataclass(frozen=True)
class Cutout:
    """The product on a transparent background, or (source "rejected") the whole photo."""

    image: Image.Image  # RGBA, cropped to bbox, feathered, rim colours decontaminated
    confidence: float  # 0..1
    source: str  # "alpha" | "u2net" | "grabcut" | "rejected"
    bbox: tuple[int, int, int, int]  # (left, top, right, bottom) in the photo's pixels
    # Where the product is in the whole photo ("L", 255 = product) at work size (at most
    # WORK_SIDE a side; the photo's own size below it): for weighting close-ups, or staging a
    # product found in a scene. All 255 when rejected (the whole photo is the subject).
    mask: Image.Image

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENCE_THRESHOLD


def cut_out(photo: Image.Image) -> Cutout:
    """Cut the product out of `photo`. Synchronous and CPU-bound (about 0.6 s on one thread):
    run it in a thread. Deterministic. Never raises on a valid image: odd photos come back
    "rejected"."""
    image = _rgb_or_rgba(photo)
    if image.mode == "RGBA":
        alpha = image.getchannel("A")
        histogram = alpha.histogram()
        pixels = max(1, image.width * image.height)
        if sum(histogram[:250]) > 0.01 * pixels and sum(histogram[6:]) > 0.005 * pixels:
            return _alpha_cutout(image, alpha)
    size = _work_size(image)
    scale = min(1.0, WORK_SIDE / max(image.width, image.height, 1))
    if min(size) < MIN_WORK_SIDE:
        return _rejected(image)
    small = _rgb(image.resize(size, Image.Resampling.BOX))
    found = _salient_segment(small)
    if found is None or found[1] < CONFIDENCE_THRESHOLD:
        # A studio shot U²-Net is unsure of (thin parts, several pieces on white): the backdrop
        # model may still cut it cleanly. On a busy backdrop segment rejects at once (20 ms).
        classical = segment(small)
        if classical is not None and (found is None or classical[1] > found[1]):
            return _assemble(image, *classical, scale, "grabcut")
    if found is None:
        return _rejected(image)
    return _assemble(image, *found, scale, "u2net")


def _salient_segment(small: U8) -> tuple[U8, float] | None:
    """U²-Net's mask at work resolution and its confidence, or None when nothing stands out.

    The network fills what a product encloses (the white inside a watch's strap loop, a mug's
    handle): on a plain backdrop, enclosed backdrop-coloured blobs with a crisp rim are holes
    and are punched out (a white label or highlight has a soft rim, or touches the product's
    outline, and stays)."""
    h, w = small.shape[:2]
    salient = salient_map(Image.fromarray(small), (w, h))
    mask = (salient.map > 0.5).astype(np.uint8)
    plain = plainness(small)
    if plain.uniformity > 0.5 and mask.any():
        like_backdrop = (mask > 0) & (plain.distance < max(3.0, 3.5 * plain.backdrop.sigma))
        mask[_punched(mask, like_backdrop, plain.gradient)] = 0
    mask, components = _kept(mask)
    if components == 0:
        return None
    product = mask > 0
    # The share of the map that is neither product nor backdrop: a sure map is near binary.
    unsure = float(((salient.map > 0.1) & (salient.map < 0.9)).sum() / product.sum())
    score = (
        math.sqrt(placement(product))
        * ramp(unsure, 0.3, 0.08)
        * ramp(salient.peak, 0.3, 0.7)
        * {1: 1.0, 2: 0.85, 3: 0.7}.get(components, 0.5)
    )
    return (mask, round(score, 3)) if score > 0.0 else None


def _punched(mask: U8, like_backdrop: Bools, gradient: F32, crisp: float = 70.0) -> Bools:
    """The blobs of `like_backdrop` (at least 0.2 % of the product) that the product encloses
    (their outer ring lies in `mask`) and whose rim is crisp (75th percentile of the Lab
    gradient over `crisp`: 180-280 round a watch's strap loop)."""
    blobs = cv2.morphologyEx(like_backdrop.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    punched = np.zeros(mask.shape, bool)
    area = int(mask.sum())
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < 0.002 * area:
            continue
        blob = labels == i
        ring = (cv2.dilate(blob.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0) & ~blob
        if ring.sum() < 10 or (mask[ring] == 0).mean() > 0.02:
            continue
        if float(np.percentile(gradient[ring], 75)) > crisp:
            punched |= blob
    return punched


def _kept(mask: U8) -> tuple[U8, int]:
    """Opened, and only the components of at least 15 % of the largest (no hole filling: the
    network's holes are real)."""
    k = max(3, round(min(mask.shape) / 170) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask, 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    kept = [i + 1 for i, area in enumerate(areas) if area >= 0.15 * areas.max()]
    return np.isin(labels, kept).astype(np.uint8), len(kept)


def _rgb_or_rgba(photo: Image.Image) -> Image.Image:
    if photo.mode in ("RGB", "RGBA"):
        return photo
    if photo.mode == "La":  # Pillow converts premultiplied LA only to LA
        photo = photo.convert("LA")
    return photo.convert("RGBA" if photo.has_transparency_data else "RGB")


def _rgb(image: Image.Image) -> U8:
    return np.array(image.convert("RGB"), dtype=np.uint8)


def _work_size(image: Image.Image) -> tuple[int, int]:
    scale = min(1.0, WORK_SIDE / max(image.width, image.height, 1))
    return max(1, round(image.width * scale)), max(1, round(image.height * scale))


def _rejected(image: Image.Image) -> Cutout:
    full = (0, 0, image.width, image.height)
    everything = Image.new("L", _work_size(image), 255)
    return Cutout(image.convert("RGBA"), 0.0, "rejected", full, everything)


def _alpha_cutout(image: Image.Image, alpha: Image.Image) -> Cutout:
    """An authored alpha is better than any cut we could make; only odd framing (a sliver, or a
    product filling the frame) lowers the confidence."""
    bbox = alpha.point([0] * 9 + [255] * 247).getbbox()
    if bbox is None:
        return _rejected(image)
    small = np.asarray(alpha.resize(_work_size(image), Image.Resampling.BOX)) > 127
    geometry = placement(small)
    confidence = 0.6 + 0.4 * geometry if small.mean() >= 0.005 else 0.0
    mask = Image.fromarray(small.astype(np.uint8) * 255)
    return Cutout(image.crop(bbox), round(confidence, 3), "alpha", bbox, mask)


def _assemble(image: Image.Image, mask: U8, confidence: float, scale: float, source: str) -> Cutout:
    """Refine the work-resolution mask at detail resolution (guided filter to snap to the photo's
    edges, 1 px erosion against halo, Gaussian feather, rim decontamination), then resample alpha
    and rim colours onto a crop of the photo at its own resolution, in strips of rows so that a
    40-megapixel photo needs little more than the returned image."""
    width, height = image.size
    detail = min(1.0, DETAIL_SIDE / max(width, height))
    dw, dh = max(1, round(width * detail)), max(1, round(height * detail))
    blurred = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 0.7)
    soft = np.asarray(cv2.resize(blurred, (dw, dh), interpolation=cv2.INTER_LINEAR), np.float32)
    radius = max(2, round(1.5 * detail / scale))  # ~1.5 work pixels
    feather = max(0.8, 0.0012 * max(dw, dh))
    pad = int(2 * radius + 4 * feather + 4)
    found = _box_of(soft > 0.05)
    if found is None:
        return _rejected(image)
    x0, y0 = max(0, found[0] - pad), max(0, found[1] - pad)
    x1, y1 = min(dw, found[2] + pad), min(dh, found[3] + pad)
    box = (x0 / detail, y0 / detail, x1 / detail, y1 / detail)
    if detail < 1.0:
        region = _rgb(image.resize((x1 - x0, y1 - y0), Image.Resampling.BOX, box=box))
    else:
        region = _rgb(image.crop((x0, y0, x1, y1)))
    grey = np.asarray(cv2.cvtColor(region, cv2.COLOR_RGB2GRAY), np.float32) / 255.0
    hard = (_guided_filter(grey, soft[y0:y1, x0:x1], radius, 1e-3) > 0.5).astype(np.uint8)
    erode = max(1, round(feather * 0.5))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * erode + 1, 2 * erode + 1))
    hard = np.asarray(cv2.erode(hard, disc, borderType=cv2.BORDER_REPLICATE), np.uint8)
    alpha = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), feather)
    detail_alpha = np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    colour, keep_own = _interior_colour(region, detail_alpha, feather)
    # From full-resolution pixels to the detail region (pixel centres at +0.5).
    shift = 0.5 * detail - 0.5
    to_region = np.array([[detail, 0.0, shift - x0], [0.0, detail, shift - y0]])
    ax, ay = math.floor(box[0]), math.floor(box[1])
    area = (ax, ay, min(width, math.ceil(box[2])), min(height, math.ceil(box[3])))
    full_alpha = _resample(detail_alpha, to_region, area)
    found = _box_of(full_alpha > 8)
    if found is None:
        return _rejected(image)
    left, top, right, bottom = found[0] + ax, found[1] + ay, found[2] + ax, found[3] + ay
    rgba = np.empty((bottom - top, right - left, 4), np.uint8)
    rgba[..., 3] = full_alpha[found[1] : found[3], found[0] : found[2]]
    for y in range(top, bottom, 512):
        strip = (left, y, right, min(bottom, y + 512))
        out = rgba[y - top : strip[3] - top]
        out[..., :3] = _rgb(image.crop(strip))
        keep = _resample(keep_own, to_region, strip)
        rim = (out[..., 3] > 0) & (keep < 255)
        painted = _resample(colour, to_region, strip, replicate=True)[rim].astype(np.float32)
        own = keep[rim, None].astype(np.float32) / 255.0
        out[rim, :3] = np.clip(painted + (out[rim, :3] - painted) * own + 0.5, 0, 255)
    product = Image.fromarray(mask.astype(np.uint8) * 255)
    return Cutout(Image.fromarray(rgba), confidence, source, (left, top, right, bottom), product)


def _box_of(mask: Bools) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the True pixels, or None."""
    cols, rows = np.flatnonzero(mask.any(axis=0)), np.flatnonzero(mask.any(axis=1))
    if len(cols) == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _resample(
    src: U8, to_src: NDArray[np.float64], box: tuple[int, int, int, int], replicate: bool = False
) -> U8:
    """`src` bilinearly sampled at the full-resolution pixels of `box`."""
    left, top, right, bottom = box
    warp = to_src.copy()
    warp[:, 2] += warp[:, :2] @ np.array([left, top], np.float64)
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    out = cv2.warpAffine(src, warp, (right - left, bottom - top), flags=flags, borderMode=border)
    return np.asarray(out, np.uint8)


def _interior_colour(region: U8, alpha8: U8, feather: float) -> tuple[U8, U8]:
    """Colour of the nearby solid interior, blur(I*m)/blur(m), and how much of the photo's own
    colour to keep (0 outside the solid interior m, ramping to 255 over 3 px inside it).

    Semi-transparent rim pixels still carry the old backdrop's colour, which shows as a fringe
    over a new background; callers paint the rim with the interior colour instead. The ramp
    hides the seam where the two meet, which upscaling to a big photo would make visible."""
    k = 2 * max(1, round(feather)) + 1  # the photo's own anti-aliased rim sits ~1-2 px inside
    solid = np.asarray(cv2.erode((alpha8 >= 250).astype(np.uint8), np.ones((k, k), np.uint8)))
    weight = solid.astype(np.float32)
    sigma = max(3.0, 3.0 * feather)  # must reach the alpha's outer tail
    total = cv2.GaussianBlur(region.astype(np.float32) * weight[..., None], (0, 0), sigma)
    norm = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    colour = np.where(norm > 1e-6, total / np.maximum(norm, 1e-6), region.astype(np.float32))
    inside = np.asarray(cv2.distanceTransform(solid, cv2.DIST_L2, 3), np.float32)
    keep = np.clip((inside - 0.5) / 3.0 * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.clip(colour + 0.5, 0, 255).astype(np.uint8), keep


def _guided_filter(guide: F32, src: F32, radius: int, eps: float) -> F32:
    """He et al.'s guided filter (grey guide): the upsampled mask snaps to the photo's edges."""
    k = (2 * radius + 1, 2 * radius + 1)

    def box(a: F32) -> F32:
        return np.asarray(cv2.boxFilter(a, -1, k), np.float32)

    mean_i, mean_p = box(guide), box(src)
    variance = box(guide * guide) - mean_i * mean_i
    a = np.asarray((box(guide * src) - mean_i * mean_p) / (variance + np.float32(eps)), np.float32)
    b = np.asarray(mean_p - a * mean_i, np.float32)
    return box(a) * guide + box(b)


def dominant_colours(
    photo: Image.Image, cutout: Cutout | None, k: int = 5
) -> list[tuple[str, float]]:
    """The photo's main colours as ("#rrggbb", share), most common first: k-means in Lab over
    the cut-out's foreground when it is confident, else over a centred ellipse (the subject is
    usually central; the whole frame lets backdrop clutter pick the colours)."""
    pixels = np.zeros((0, 3), np.uint8)
    if cutout is not None and cutout.confident:
        rgba = np.asarray(_thumbnail(cutout.image.convert("RGBA")), np.uint8)
        pixels = rgba[..., :3][rgba[..., 3] > 127]
    if len(pixels) == 0:
        rgb = _rgb(_thumbnail(_rgb_or_rgba(photo)))
        h, w = rgb.shape[:2]
        ellipse = np.zeros((h, w), np.uint8)
        cv2.ellipse(ellipse, (w // 2, h // 2), (int(w * 0.3), int(h * 0.3)), 0, 0, 360, 1, -1)
        pixels = rgb[ellipse > 0] if ellipse.any() else rgb.reshape(-1, 3)
    if len(pixels) == 0 or k < 1:
        return []
    if len(pixels) > 20000:
        pixels = pixels[np.random.default_rng(_SEED).choice(len(pixels), 20000, replace=False)]
    k = min(k, len(np.unique(pixels, axis=0)))
    lab = _to_lab(pixels)
    if k == 1:  # (and OpenCV reads a single 3-vector as three 1-D samples)
        centres, labels = lab.mean(axis=0, keepdims=True), np.zeros(len(lab), np.int32)
    else:
        cv2.setRNGSeed(_SEED)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
        start = np.zeros((len(lab), 1), np.int32)
        _, found, kmeans_centres = cv2.kmeans(lab, k, start, criteria, 3, cv2.KMEANS_PP_CENTERS)
        centres, labels = (
            np.asarray(kmeans_centres, np.float32),
            np.asarray(found, np.int32).ravel(),
        )
    shares = np.bincount(labels, minlength=k) / len(lab)
    rgb_centres = cv2.cvtColor(centres.reshape(-1, 1, 3), cv2.COLOR_Lab2RGB)
    hexes = [_hex(c * 255.0) for c in np.asarray(rgb_centres).reshape(-1, 3)]
    order = np.argsort(-shares, kind="stable")
    return [(hexes[i], round(float(shares[i]), 3)) for i in order]


def accent_colour(colours: list[tuple[str, float]]) -> str | None:
    """The most chromatic colour with a real share (chroma x sqrt(share)), lifted to a usable UI
    accent: saturation >= 0.45 and lightness 0.40-0.60, so it reads on light and dark backgrounds.
    None when the product is achromatic (best chroma under 12): the caller picks a neutral one."""
    usable = [(c, s) for c, s in colours if s > 0.04]
    if not usable:
        return None
    lab = _to_lab(np.array([_rgb_of(c) for c, _ in usable], np.uint8))
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    shares = np.array([s for _, s in usable])
    score = chroma * np.sqrt(shares) * ((lab[:, 0] > 15) & (lab[:, 0] < 92))
    best = int(np.argmax(score))
    if score[best] <= 0 or chroma[best] < 12:
        return None
    hue, lightness, saturation = colorsys.rgb_to_hls(*(v / 255.0 for v in _rgb_of(usable[best][0])))
    lifted = colorsys.hls_to_rgb(hue, min(max(lightness, 0.40), 0.60), max(saturation, 0.45))
    return _hex(np.array(lifted) * 255.0)


def _thumbnail(image: Image.Image, side: int = 256) -> Image.Image:
    scale = min(1.0, side / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX)


def _to_lab(pixels: U8) -> F32:
    rgb = pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab), np.float32).reshape(-1, 3)


def _hex(rgb: ArrayLike) -> str:
    r, g, b = (int(np.clip(round(float(v)), 0, 255)) for v in np.asarray(rgb, np.float64)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _rgb_of(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
