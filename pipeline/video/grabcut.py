"""The classical cut: a plain backdrop modelled and GrabCut seeded from it (no network).

Kept beside U²-Net (pipeline/video/cutout.py) for the studio shots the network is unsure of (thin
parts, several pieces on white: push-up grips), and for what both use: the backdrop model and
the product's placement in the frame.

A smooth background model (a quadratic surface per Lab channel) is fitted robustly to a border
band, GrabCut is seeded from the distance to it, soft cast shadows are dropped, and the mask is
cleaned. Busy backdrops exit early (GrabCut there is slow and wrong). Everything runs at the
cut-out's work size. The thresholds come from the prototype's calibration on 135 synthetic
scenes (no cut with IoU < 0.9 above 0.55, lowest good one 0.81).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]
Bools = NDArray[np.bool_]

_SEED = 12345


class Backdrop(NamedTuple):
    model: F32  # expected Lab colour of the backdrop at every pixel
    sigma: float  # RMS residual of the border inliers
    outliers: float  # fraction of the border band that is not backdrop
    texture: float  # 75th percentile of the Lab gradient in the band


class Plain(NamedTuple):
    """How plain a photo's backdrop is, at work size."""

    backdrop: Backdrop
    distance: F32  # Lab distance of every pixel to the backdrop model
    gradient: F32  # Lab gradient magnitude
    band: Bools  # the border band the model was fitted to
    uniformity: float  # 1 for a studio backdrop, 0 for a busy scene


def plainness(small: U8) -> Plain:
    h, w = small.shape[:2]
    lab = np.asarray(cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab), np.float32)
    band = border_band(h, w, max(3, round(0.03 * min(h, w))))
    backdrop = fit_backdrop(lab, band)
    distance = np.asarray(np.linalg.norm(lab - backdrop.model, axis=2), np.float32)
    gradient = lab_gradient(lab)
    inner = band & ~border_band(h, w, 1)  # Sobel is unreliable on the outermost ring
    backdrop = backdrop._replace(texture=float(np.percentile(gradient[inner], 75)))
    uniformity = (
        ramp(backdrop.sigma, 12.0, 3.0)
        * ramp(backdrop.outliers, 0.45, 0.15)
        * ramp(backdrop.texture, 30.0, 12.0)
    )
    return Plain(backdrop, distance, gradient, band, uniformity)


def segment(small: U8) -> tuple[U8, float] | None:
    """The product mask at work resolution and its confidence, or None to reject the photo."""
    h, w = small.shape[:2]
    backdrop, distance, gradient, band, uniformity = plainness(small)
    t_bg, t_fg = max(3.0, 3.5 * backdrop.sigma), max(14.0, 5.0 * backdrop.sigma)
    # A busy border caps the score at 0.4 whatever GrabCut does, so skip it (20 ms, not 2 s).
    if uniformity == 0.0 or not (distance > t_bg).any():
        return None
    seeds = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    if backdrop.sigma < 8.0:
        seeds[distance > t_bg] = cv2.GC_PR_FGD
    else:  # a mottled backdrop: the classic inner-rectangle start
        m = int(0.06 * min(h, w))
        seeds[m : h - m, m : w - m] = cv2.GC_PR_FGD
    seeds[band & (distance < t_fg)] = cv2.GC_BGD
    if not (seeds != cv2.GC_PR_FGD).any():
        seeds[band] = cv2.GC_BGD
    bgr = np.ascontiguousarray(small[..., ::-1])
    foreground, roi = _grabcut(bgr, seeds, 3)
    shadow = _shadow_like(small, backdrop.model)
    solid = foreground.astype(bool) & ~shadow & (distance > t_fg)
    shadows = _soft_shadows(foreground, shadow, gradient, solid)
    # Re-cut with any soft shadow as certain backdrop, so the cut snaps to the product's crisp
    # edge instead of keeping a 1-3 px sliver of shadow along it (two more iterations also
    # tighten shadowless cuts: white on white loses its contact-shadow strip). With a shadow's
    # greys in its backdrop model GrabCut would drop a grey label too, so what the solid parts
    # of the product enclose stays.
    y0, y1, x0, x1 = roi.box
    if shadows is not None:
        roi.seeds[shadows[y0:y1, x0:x1]] = cv2.GC_BGD
    inside = foreground.astype(bool) & _between(solid)
    foreground, _ = _grabcut(bgr, seeds, 2, roi)
    foreground[inside] = 1
    foreground, components = _clean(foreground)
    if components == 0:
        return None
    plain, _ = _clean((distance > 0.5 * (t_bg + t_fg)).astype(np.uint8))
    edge_threshold = max(20.0, 4.0 * backdrop.sigma)
    confidence = _confidence(foreground, components, uniformity, gradient, edge_threshold, plain)
    return foreground, confidence


class _Roi(NamedTuple):
    seeds: U8  # GrabCut's label map for the ROI, updated in place by each run
    box: tuple[int, int, int, int]  # (y0, y1, x0, x1) in the work image
    bgd: NDArray[np.float64]
    fgd: NDArray[np.float64]


def _grabcut(bgr: U8, seeds: U8, iterations: int, roi: _Roi | None = None) -> tuple[U8, _Roi]:
    """GrabCut on a box around the probable product (15 % margin): cheaper, and the far backdrop
    only dilutes the background colour model. Pass `roi` back, its seeds edited, to re-cut."""
    h, w = seeds.shape
    if roi is None:
        ys, xs = np.nonzero(seeds == cv2.GC_PR_FGD)
        my, mx = int(0.15 * np.ptp(ys)) + 8, int(0.15 * np.ptp(xs)) + 8
        y0, y1 = max(0, int(ys.min()) - my), min(h, int(ys.max()) + my + 1)
        x0, x1 = max(0, int(xs.min()) - mx), min(w, int(xs.max()) + mx + 1)
        if (seeds[y0:y1, x0:x1] == cv2.GC_PR_FGD).all():  # no backdrop sample inside
            y0, y1, x0, x1 = 0, h, 0, w
        models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        roi = _Roi(seeds[y0:y1, x0:x1].copy(), (y0, y1, x0, x1), *models)
    y0, y1, x0, x1 = roi.box
    before = roi.seeds.copy()
    cv2.setRNGSeed(_SEED)  # its GMM start is a k-means on OpenCV's (per-thread) RNG
    try:
        image = np.ascontiguousarray(bgr[y0:y1, x0:x1])
        rect = (0, 0, 0, 0)  # unused with a mask
        cv2.grabCut(image, roi.seeds, rect, roi.bgd, roi.fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # degenerate seeds (one class empty): keep them as the answer
        roi.seeds[:] = before
    foreground = np.zeros((h, w), np.uint8)
    foreground[y0:y1, x0:x1] = (roi.seeds == cv2.GC_FGD) | (roi.seeds == cv2.GC_PR_FGD)
    return foreground, roi


def fit_backdrop(lab: F32, band: Bools) -> Backdrop:
    """Fit (1, x, y, xy, x², y²) per Lab channel to the border band, so gradients and vignettes
    count as backdrop. Products often stand on or are cropped by one side, so the first fit tries
    leaving each side out (a small RANSAC), then trims outliers by MAD."""
    h, w = band.shape
    index = np.flatnonzero(band.ravel())
    if len(index) > 12000:  # a subsample fits as well, faster
        index = index[:: len(index) // 8000]
    ry, rx = index // w, index % w
    design = _design(ry / h - 0.5, rx / w - 0.5)
    colours = lab.reshape(-1, 3)[index].astype(np.float64)
    bw = max(1, int(band[:, w // 2].sum()) // 2)
    subsets = [np.ones(len(index), bool), ry >= bw, ry < h - bw, rx >= bw, rx < w - bw]
    keep = max(
        (
            np.linalg.norm(colours - design @ _lsq(design[s], colours[s]), axis=1) < 6.0
            for s in subsets
        ),
        key=lambda inliers: int(inliers.sum()),
    )
    if keep.sum() < 0.2 * len(index):
        keep = np.ones(len(index), bool)
    for _ in range(3):
        residual = np.linalg.norm(colours - design @ _lsq(design[keep], colours[keep]), axis=1)
        keep = residual < max(3.0 * (1.4826 * float(np.median(residual[keep])) + 1e-3), 4.0)
    coef = _lsq(design[keep], colours[keep])
    residual = np.linalg.norm(colours - design @ coef, axis=1)
    yy, xx = np.mgrid[0:h, 0:w]
    model = (_design(yy.ravel() / h - 0.5, xx.ravel() / w - 0.5) @ coef).reshape(h, w, 3)
    sigma = float(np.sqrt(np.mean(residual[keep] ** 2)))
    return Backdrop(model.astype(np.float32), sigma, float(1.0 - keep.mean()), 0.0)


def _design(y: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.stack([np.ones_like(x), x, y, x * y, x * x, y * y], -1)


def _lsq(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least squares by the 6x6 normal equations: ~50x faster than lstsq, and well posed here."""
    return np.asarray(np.linalg.solve(a.T @ a + 1e-6 * np.eye(a.shape[1]), a.T @ b), np.float64)


def border_band(h: int, w: int, width: int) -> Bools:
    band = np.ones((h, w), bool)
    band[width : h - width, width : w - width] = False
    return band


def lab_gradient(lab: F32) -> F32:
    total = np.zeros(lab.shape[:2], np.float32)
    for c in range(3):
        total += np.abs(cv2.Sobel(lab[..., c], cv2.CV_32F, 1, 0))
        total += np.abs(cv2.Sobel(lab[..., c], cv2.CV_32F, 0, 1))
    return total


def _shadow_like(small: U8, model: F32) -> Bools:
    """Pixels that are a darker copy of the backdrop (equal ratio in R, G and B)."""
    backdrop = np.asarray(cv2.cvtColor(model, cv2.COLOR_Lab2RGB), np.float32) * 255.0 + 1.0
    ratio = (small.astype(np.float32) + 1.0) / backdrop
    mean = ratio.mean(axis=2)
    spread = ratio.max(axis=2) - ratio.min(axis=2)
    return np.asarray((mean > 0.35) & (mean < 0.97) & (spread < 0.2 * np.maximum(mean, 0.3)), bool)


def _soft_shadows(
    foreground: U8, shadow: Bools, gradient: F32, solid: Bools, soft: float = 70.0
) -> Bools | None:
    """The shadow-coloured blobs of `foreground` whose rim against the backdrop is soft (75th
    percentile of the Lab gradient under `soft`), or None if none were found.

    What the product's solid parts enclose along a row or column (a grey label) is never a
    candidate: joined to the shadow beside the bottle, it used to go with it. `soft` is 70, not
    the prototype's 40: tight drop shadows have rims of ~60 and stayed on at full confidence,
    while the rims of grey product parts stay above 70 in calibration."""
    candidates = foreground.astype(bool) & shadow & (gradient < soft) & ~_between(solid)
    blobs = candidates.astype(np.uint8)
    blobs = np.asarray(cv2.morphologyEx(blobs, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    outside = cv2.dilate((foreground == 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rim_band = foreground.astype(bool) & outside
    removed = np.zeros(foreground.shape, bool)
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < 0.0005 * foreground.size:
            continue
        blob = (labels == i).astype(np.uint8)
        rim = (cv2.dilate(blob, np.ones((9, 9), np.uint8)) > 0) & rim_band
        if rim.sum() >= 10 and np.percentile(gradient[rim], 75) < soft:
            removed |= blob.astype(bool)
    if not removed.any():
        return None
    for hole in _enclosed((foreground == 0) | removed):
        removed &= ~hole
    return removed


def _between(mask: Bools) -> Bools:
    """Pixels with `mask` on both sides of them in their column, or in their row."""
    up = np.logical_or.accumulate(mask, axis=0)
    down = np.logical_or.accumulate(mask[::-1], axis=0)[::-1]
    left = np.logical_or.accumulate(mask, axis=1)
    right = np.logical_or.accumulate(mask[:, ::-1], axis=1)[:, ::-1]
    return np.asarray((up & down) | (left & right), bool)


def _enclosed(mask: Bools) -> list[Bools]:
    """The 4-connected components of `mask` that do not touch the frame."""
    h, w = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=4
    )
    inner = []
    for i in range(1, count):
        x, y, cw, ch = (int(v) for v in stats[i, :4])
        if x > 0 and y > 0 and x + cw < w and y + ch < h:
            inner.append(labels == i)
    return inner


def _clean(mask: U8) -> tuple[U8, int]:
    """Open/close, keep components of at least 15 % of the largest, fill enclosed holes under 8 %
    of the object (a label bar that matches the backdrop; also, sadly, a small mug handle gap)."""
    k = max(3, round(min(mask.shape) / 170) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), np.uint8)
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask, 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    kept = [i + 1 for i, area in enumerate(areas) if area >= 0.15 * areas.max()]
    mask = np.isin(labels, kept).astype(np.uint8)
    area = int(mask.sum())
    for hole in _enclosed(mask == 0):
        if hole.sum() < 0.08 * area:
            mask[hole] = 1
    return mask, len(kept)


def placement(mask: Bools) -> float:
    """1 for a product of sensible size clear of the frame; touching one side (standing on or
    cropped by the bottom edge) is tolerated more than touching several."""
    area = float(mask.mean())
    sides = [mask[0], mask[-1], mask[:, 0], mask[:, -1]]
    touch = sum(int(s.sum()) for s in sides) / sum(s.size for s in sides)
    touched = sum(float(s.mean()) > 0.02 for s in sides)
    s_area = min(ramp(area, 0.03, 0.06), ramp(area, 0.90, 0.75))
    s_touch = ramp(touch, 0.25, 0.03) if touched <= 1 else ramp(touch, 0.15, 0.01)
    return min(s_area, s_touch)


def _confidence(
    mask: U8, components: int, uniformity: float, gradient: F32, edge_threshold: float, plain: U8
) -> float:
    """Multiplicative, so one bad cue is enough to sink the score (a weighted sum let a box plus
    its cast shadow through at 0.73)."""
    h, w = mask.shape
    fg = mask.astype(bool)
    strong = np.asarray(cv2.dilate(gradient, np.ones((3, 3), np.uint8)), np.float32)
    contour = fg & ~(cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0) & ~border_band(h, w, 2)
    # Relative to the photo's own texture: in a busy photo every contour lies on "an edge".
    threshold = max(edge_threshold, float(np.percentile(strong, 90)))
    on_edge = float((strong[contour] > threshold).mean()) if contour.any() else 0.0
    union = np.logical_or(plain, fg).sum()
    agreement = float(np.logical_and(plain, fg).sum() / union) if union else 0.0
    pieces = {1: 1.0, 2: 0.85, 3: 0.7}.get(components, 0.5)
    score = (
        math.sqrt(placement(fg))
        * (0.4 + 0.6 * uniformity)
        * (0.4 + 0.6 * ramp(on_edge, 0.45, 0.85))
        * (0.6 + 0.4 * ramp(agreement, 0.5, 0.9))
        * pieces
    )
    return round(score, 3)


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at lo, 1 at hi, linear between (lo > hi ramps down)."""
    return float(np.clip((x - lo) / (hi - lo), 0.0, 1.0))
