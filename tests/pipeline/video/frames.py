"""Reading the text of a rendered ad off its decoded frames: which pixels are a text's ink (from
what drew it: a headline's PNG, the captions' ASS rendered alone in plain white), and how its
ink contrasts with the pixels round it in the frame (WCAG's ratio)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.compositing.filtergraph import _escape_path
from pipeline.shared.ffmpeg import ffmpeg_exe
from pipeline.video.legibility import ratio, relative_luminance
from pipeline.video.plan import RenderPlan, Step

Mask = np.ndarray  # bool, the frame's height x width


def frames_at(mp4: Path, plan: RenderPlan, numbers: list[int]) -> list[np.ndarray]:
    """The decoded RGB frames of the ad with these frame numbers, in that order."""
    ordered = sorted(set(numbers))
    chosen = "+".join(f"eq(n\\,{n})" for n in ordered)
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(mp4),
            "-vf", f"select='{chosen}'", "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    got = np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width, 3)
    assert len(got) == len(ordered), (len(got), ordered)
    by_number = dict(zip(ordered, got, strict=True))
    return [by_number[n] for n in numbers]


def plain_white_ass(ass: str) -> str:
    """The captions with every colour white and no outline, shadow or box: rendered over black,
    what is white is the letters' own ink."""
    out = []
    for line in ass.splitlines():
        if line.startswith("Style:"):
            f = line.split(",")
            f[3] = f[4] = "&H00FFFFFF"
            f[15], f[16], f[17] = "1", "0", "0"  # BorderStyle, Outline, Shadow
            line = ",".join(f)
        elif line.startswith("Dialogue:"):
            line = re.sub(r"\\c&H[0-9A-Fa-f]+&", "", line).replace("\\fad(300,0)", "")
        out.append(line)
    return "\n".join(out)


def ass_ink(work_dir: Path, plan: RenderPlan, numbers: list[int]) -> list[Mask]:
    """The ink of the captions, the end card's name and its call-to-action at these frames."""
    assert plan.captions is not None
    white = work_dir / "video" / "ink-only.ass"
    white.write_text(plain_white_ass((work_dir / plan.captions).read_text()))
    fonts = _escape_path(work_dir / "video" / "fonts")
    ordered = sorted(set(numbers))
    chosen = "+".join(f"eq(n\\,{n})" for n in ordered)
    size = f"{plan.width}x{plan.height}"
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
            f"color=black:s={size}:r={plan.fps}:d={plan.duration_seconds}",
            "-vf", f"ass=filename='{_escape_path(white)}':fontsdir='{fonts}',"
            f"select='{chosen}',format=gray",
            "-fps_mode", "passthrough", "-f", "rawvideo", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    got = np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width)
    by_number = dict(zip(ordered, got, strict=True))
    return [by_number[n] > 160 for n in numbers]


def headline_ink(work_dir: Path, plan: RenderPlan, step: Step, ink: tuple[int, int, int]) -> Mask:
    """The letters' own ink of a headline step (not its stroke, shadow or plate), in frame
    pixels."""
    image = np.asarray(Image.open(work_dir / step.path).convert("RGBA")).astype(np.int16)
    solid = (image[..., 3] >= 250) & (np.abs(image[..., :3] - ink).max(axis=2) < 40)
    mask = np.zeros((plan.height, plan.width), bool)
    h = min(solid.shape[0], plan.height - step.y)
    w = min(solid.shape[1], plan.width - step.x)
    mask[step.y : step.y + h, step.x : step.x + w] = solid[:h, :w]
    return mask


def lines_of(ink: Mask) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of each run of rows with ink: the lines of a text block."""
    rows = np.nonzero(ink.any(axis=1))[0]
    if not len(rows):
        return []
    breaks = np.nonzero(np.diff(rows) > 2)[0]
    starts = [rows[0], *rows[breaks + 1]]
    ends = [*rows[breaks], rows[-1]]
    out = []
    for top, bottom in zip(starts, ends, strict=True):
        cols = np.nonzero(ink[top : bottom + 1].any(axis=0))[0]
        out.append((int(cols[0]), int(top), int(cols[-1]) + 1, int(bottom) + 1))
    return out


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def text_contrast(frame: np.ndarray, ink: Mask, halo: int, size: int) -> float:
    """WCAG contrast of a text's ink with what surrounds it in `frame`: the letters' pixels
    (eroded, clear of their antialiased edges) against a ring round them, from just past their
    own outline (`halo` pixels) to a tenth of the text's size further. Light ink is measured
    against the ring's brightest tenth, dark ink against its darkest."""
    mask = ink.astype(np.uint8)
    core = cv2.erode(mask, _disk(1)).astype(bool)
    if core.sum() < 20:
        core = ink
    inner = cv2.dilate(mask, _disk(halo + 2))
    outer = cv2.dilate(mask, _disk(halo + 2 + max(3, size // 8)))
    ring = (outer > 0) & (inner == 0)
    lum = relative_luminance(frame)
    text = float(np.median(lum[core]))
    around = lum[ring]
    light = text > float(np.median(around))
    behind = float(np.percentile(around, 90 if light else 10))
    return ratio(text, behind)
