"""Headlines that animate in word by word, as a few pre-drawn steps.

Every word rises into place (faint and low, then higher and firmer, then in place: one pre-drawn
step a frame, RISE) a beat after the one before it, so the opening's headline is being written
on screen in its first second while the product is already there. Each word is drawn once (with
a dark stroke as well as a shadow: headlines sit over photos, not only over plain backdrops),
and each step is those small layers composited on one canvas, at one size and position, so
compositing swaps images and never draws text per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from pipeline.shared.fonts import Face, load
from pipeline.video.layout import Box
from pipeline.video.textcards import LINE_SPACING, RGBA, FittedText, fit_text, place_in

WORD_GAP = 0.16  # seconds between words
# A word's way in, a frame each: how far below its place (a share of DROP) and how opaque.
RISE = ((1.0, 0.3), (0.4, 0.75))
POP_FRAMES = len(RISE)  # frames a word spends rising before it lands
DROP = 0.22  # how far below its place a word starts, a share of the font size
WORDS_WITHIN = 0.45  # every word is in by this share of the scene, however short
PAD = 0.27  # the canvas's margin, a share of the font size


@dataclass(frozen=True)
class HeadlineStep:
    image: Image.Image  # RGBA, the same size for every step of a headline
    frame: int  # from this frame of the scene on


@dataclass(frozen=True)
class Headline:
    steps: list[HeadlineStep]
    box: Box  # where the finished headline sits in the frame


def _pad(size: int) -> int:
    """The canvas's margin round the text: room for the stroke, the shadow's blur and drop."""
    return max(8, round(size * PAD))


def _fit(text: str, face: Face, box: Box, size: int, max_lines: int) -> FittedText:
    """`text` fitted to `box` less the canvas's padding at that size (it must stay inside)."""
    margin = 2 * _pad(size)
    return fit_text(text, face, box.w - margin, box.h - margin, size, max_lines)


def _ink_height(fitted: FittedText) -> int:
    """How tall the block's lines stand in ink: from the first line's top to the last's bottom."""
    font = load(fitted.face, fitted.size)
    line_h = round(fitted.size * LINE_SPACING)
    top = font.getbbox(fitted.lines[0], anchor="ls")[1]
    bottom = font.getbbox(fitted.lines[-1], anchor="ls")[3]
    return round((len(fitted.lines) - 1) * line_h + bottom - top)


def _layout(lines: list[str], face: Face, size: int) -> tuple[list[tuple[str, int, int]], int, int]:
    """Each word with its x (left) and baseline y on a canvas of the returned width and
    height, lines centred."""
    font = load(face, size)
    pad = _pad(size)
    line_h = round(size * LINE_SPACING)
    widths = [font.getlength(line) for line in lines]
    width = round(max(widths, default=0)) + 2 * pad
    height = line_h * len(lines) + 2 * pad
    ascent = font.getmetrics()[0]
    placed: list[tuple[str, int, int]] = []
    for i, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
        x = (width - line_w) / 2
        baseline = pad + i * line_h + (line_h - size) // 2 + ascent
        words = line.split(" ")
        for k, word in enumerate(words):
            before = " ".join(words[:k]) + (" " if k else "")
            placed.append((word, round(x + font.getlength(before)), baseline))
    return placed, width, height


@dataclass(frozen=True)
class _Word:
    layer: Image.Image  # the word with its stroke and shadow, RGBA
    at: tuple[int, int]  # its top-left on the headline's canvas


def _word(
    word: str, x: int, y: int, face: Face, size: int, colour: RGBA, halo: RGBA = (0, 0, 0, 255)
) -> _Word:
    """One word drawn once, with a stroke and a soft shadow in `halo` (dark round light ink,
    light round dark ink), on its own small layer."""
    font = load(face, size)
    stroke = max(2, size // 22)
    blur = max(1.0, size / 14)
    drop = max(1, size // 24)
    left, top, right, bottom = font.getbbox(word, anchor="ls", stroke_width=stroke)
    pad = math.ceil(2.5 * blur) + drop
    size_wh = (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad)
    ink = Image.new("RGBA", size_wh, (0, 0, 0, 0))
    ImageDraw.Draw(ink).text(
        (pad - left, pad - top), word, font=font, fill=colour, anchor="ls",
        stroke_width=stroke, stroke_fill=(*halo[:3], 200),
    )  # fmt: skip
    shade = Image.new("RGBA", size_wh, (*halo[:3], 0))
    shade.putalpha(
        ink.getchannel("A").point(lambda a: a * 110 // 255).filter(ImageFilter.GaussianBlur(blur))
    )
    layer = Image.new("RGBA", size_wh, (0, 0, 0, 0))
    layer.alpha_composite(shade, (0, drop))
    layer.alpha_composite(ink)
    return _Word(layer, (x + int(left) - pad, y + int(top) - pad))


def _plates(words: list[_Word], baselines: list[int], size: int) -> list[Plate]:
    """One plate per line, round the line's words (their stroke and shadow included)."""
    lines: dict[int, list[_Word]] = {}
    for word, baseline in zip(words, baselines, strict=True):
        lines.setdefault(baseline, []).append(word)
    inset = max(1, round(size * 0.06))
    plates = []
    for line in lines.values():
        left = min(w.at[0] for w in line) + inset
        top = min(w.at[1] for w in line) + inset
        right = max(w.at[0] + w.layer.width for w in line) - inset
        bottom = max(w.at[1] + w.layer.height for w in line) - inset
        plates.append((left, top, right, bottom))
    return plates


Plate = tuple[int, int, int, int]  # left, top, right, bottom on the headline's canvas


def _step(
    words: list[_Word],
    canvas: tuple[int, int],
    shown: int,
    drop: int,
    opacity: float = 1.0,
    plates: list[Plate] | None = None,
    plate: RGBA = (0, 0, 0, 0),
) -> Image.Image:
    """`shown` words in place and, with `drop`, the next one on its way in, `drop` pixels low
    and `opacity` opaque, over the lines' plates when there are any (drawn whole from the first
    step: the words are written onto them)."""
    image = Image.new("RGBA", canvas, (0, 0, 0, 0))
    if plates:
        draw = ImageDraw.Draw(image)
        for left, top, right, bottom in plates:
            draw.rounded_rectangle(
                (left, top, right, bottom), radius=(bottom - top) // 4, fill=plate
            )
    for word in words[:shown]:
        _paste(image, word.layer, word.at)
    if drop and shown < len(words):
        word = words[shown]
        faint = word.layer.copy()
        faint.putalpha(faint.getchannel("A").point(lambda a: round(a * opacity)))
        _paste(image, faint, (word.at[0], word.at[1] + drop))
    return image


def _paste(image: Image.Image, layer: Image.Image, at: tuple[int, int]) -> None:
    """`layer` composited at `at`, the part outside the canvas left off."""
    x, y = at
    left, top = max(0, -x), max(0, -y)
    right = min(layer.width, image.width - x)
    bottom = min(layer.height, image.height - y)
    if right > left and bottom > top:
        image.alpha_composite(layer, (x + left, y + top), (left, top, right, bottom))


def word_by_word(
    text: str,
    face: Face,
    box: Box,
    max_size: int,
    colour: RGBA,
    fps: int,
    scene_frames: int,
    max_lines: int = 3,
    min_ink: int = 0,
    halo: RGBA = (0, 0, 0, 255),
    plate: RGBA | None = None,
) -> Headline:
    """The headline's steps: the first word half in at frame 0, then one word more every
    WORD_GAP seconds (sooner when the scene is short). A headline whose lines stand less than
    `min_ink` pixels tall (one short line) is set larger, as far as the box allows. With
    `plate`, each line stands on a plate of that colour (pipeline.video.legibility: where no
    ink reads over the shots behind it)."""
    fitted = _fit(text, face, box, max_size, max_lines)
    while _ink_height(fitted) < min_ink and fitted.size < 2 * max_size:
        larger = _fit(text, face, box, round(fitted.size * 1.08), max_lines)
        if larger.size <= fitted.size:
            break
        fitted = larger
    words, width, height = _layout(fitted.lines, fitted.face, fitted.size)
    gap = max(POP_FRAMES + 1, round(WORD_GAP * fps))
    if len(words) > 1:
        gap = min(gap, max(POP_FRAMES + 1, int(scene_frames * WORDS_WITHIN / len(words))))
    layers = [_word(w, x, y, fitted.face, fitted.size, colour, halo) for w, x, y in words]
    plates = _plates(layers, [y for _, _, y in words], fitted.size) if plate else None
    fill = plate or (0, 0, 0, 0)
    drop = max(1, round(fitted.size * DROP))
    steps: list[HeadlineStep] = []
    canvas = (width, height)
    for k in range(len(words)):
        start = k * gap
        for at, (low, opacity) in enumerate(RISE):
            image = _step(layers, canvas, k, max(1, round(drop * low)), opacity, plates, fill)
            steps.append(HeadlineStep(image, start + at))
        steps.append(
            HeadlineStep(_step(layers, canvas, k + 1, 0, 1.0, plates, fill), start + POP_FRAMES)
        )
    # Text that cannot fit even at the smallest size (one very long word) is scaled down as a
    # whole, every step alike: the headline never leaves its box.
    scale = min(1.0, box.w / width, box.h / height)
    if scale < 1.0:
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        steps = [
            HeadlineStep(step.image.resize(size, Image.Resampling.LANCZOS), step.frame)
            for step in steps
        ]
    spot = place_in(steps[-1].image, box, "top")
    return Headline([s for s in steps if s.frame < scene_frames] or steps[-1:], spot)
