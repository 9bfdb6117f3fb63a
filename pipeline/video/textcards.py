"""Text as transparent PNG images, drawn with Pillow's built-in scalable font.

No system font is assumed: `ImageFont.load_default(size=N)` is the scalable font bundled inside
Pillow, so the same text renders the same on every machine. Heavier template weights are drawn
with a stroke in the text colour. Text is fitted (wrapped, then shrunk) to the box it must stay in,
so long product names and CTAs never spill out of the safe zone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from domain.text import graphemes, is_invisible
from pipeline.video.layout import Box

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGBA = tuple[int, int, int, int]
LINE_SPACING = 1.18
# Stroke width as a fraction of the font size, per template font weight.
WEIGHT_STROKE = {"light": 0.0, "regular": 0.0, "bold": 0.028, "black": 0.05}
# A code point no font maps: what it draws is the font's "missing glyph" box.
NOT_A_CHARACTER = "\U0010fffd"


@functools.lru_cache(maxsize=64)
def font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def hex_rgba(colour: str, alpha: int = 255) -> RGBA:
    value = colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)


def stroke_for(weight: str, size: int) -> int:
    return round(WEIGHT_STROKE.get(weight, 0.0) * size)


def text_width(text: str, size: int, stroke: int) -> int:
    left, _, right, _ = font(size).getbbox(text, stroke_width=stroke)
    return int(right - left)


@functools.lru_cache(maxsize=4096)
def _glyph(char: str) -> bytes:
    mask = font(48).getmask(char)
    return bytes(mask) + bytes(str(mask.size), "ascii")


def can_draw(text: str) -> bool:
    """Whether the font has a glyph for every visible character of `text` (none would be
    drawn as the empty box fonts show for characters they lack)."""
    missing = _glyph(NOT_A_CHARACTER)
    return all(
        char.isspace() or is_invisible(char) or _glyph(char) != missing for char in set(text)
    )


def _break_word(word: str, size: int, stroke: int, max_width: int) -> list[str]:
    """A word wider than the box, cut between characters (names in scripts written without
    spaces have no other place to break)."""
    pieces: list[str] = []
    current = ""
    for char in graphemes(word):
        if current and text_width(current + char, size, stroke) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, size: int, stroke: int, max_width: int) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between its characters."""
    lines: list[str] = []
    current = ""
    words: list[str] = []
    for word in text.split():
        if text_width(word, size, stroke) > max_width:
            words += _break_word(word, size, stroke, max_width)
        else:
            words.append(word)
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size, stroke) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class FittedText:
    lines: list[str]
    size: int
    stroke: int


def fit_text(
    text: str, box_w: int, box_h: int, max_size: int, weight: str, max_lines: int = 3
) -> FittedText:
    """The largest font size (down to 40% of max) at which the wrapped text fits the box."""
    size = max_size
    min_size = max(12, int(max_size * 0.4))
    while True:
        stroke = stroke_for(weight, size)
        lines = wrap(text, size, stroke, box_w)
        height = len(lines) * size * LINE_SPACING
        widest = max((text_width(line, size, stroke) for line in lines), default=0)
        fits = len(lines) <= max_lines and height <= box_h and widest <= box_w
        if fits or size <= min_size:
            return FittedText(lines=lines, size=size, stroke=stroke)
        size = max(min_size, int(size * 0.92))


def draw_text(
    fitted: FittedText, colour: RGBA, *, shadow: bool = True, pad: int | None = None
) -> Image.Image:
    """Centred lines on a transparent canvas cropped to the text (plus room for the shadow)."""
    size, stroke = fitted.size, fitted.stroke
    pad = pad if pad is not None else max(6, size // 6)
    line_h = round(size * LINE_SPACING)
    width = max(text_width(line, size, stroke) for line in fitted.lines) + 2 * pad
    height = line_h * len(fitted.lines) + 2 * pad
    text_layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(text_layer)
    for i, line in enumerate(fitted.lines):
        y = pad + i * line_h + line_h // 2
        draw.text(
            (width // 2, y),
            line,
            font=font(size),
            fill=colour,
            anchor="mm",
            stroke_width=stroke,
            stroke_fill=colour,
        )
    if not shadow:
        return text_layer
    alpha = text_layer.getchannel("A")
    shade = Image.new("RGBA", text_layer.size, (0, 0, 0, 0))
    shade.putalpha(
        alpha.point(lambda a: a * 110 // 255).filter(ImageFilter.GaussianBlur(size / 14))
    )
    out = Image.new("RGBA", text_layer.size, (0, 0, 0, 0))
    offset = max(1, size // 28)
    out.alpha_composite(shade, (offset, offset))
    out.alpha_composite(text_layer)
    return out


def shrink_to(image: Image.Image, box: Box) -> Image.Image:
    """Scale an image down (never up) so it fits the box: the last guarantee text stays inside."""
    scale = min(1.0, box.w / image.width, box.h / image.height)
    if scale >= 1.0:
        return image
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def text_in_box(
    text: str, box: Box, max_size: int, weight: str, colour: RGBA, max_lines: int = 3
) -> Image.Image:
    pad = max(6, max_size // 6)
    fitted = fit_text(text, box.w - 2 * pad, box.h - 2 * pad, max_size, weight, max_lines)
    return shrink_to(draw_text(fitted, colour, pad=pad), box)


def pill(
    text: str,
    box: Box,
    max_size: int,
    weight: str,
    fill: RGBA,
    colour: RGBA,
    max_lines: int = 2,
) -> Image.Image:
    """Text on a rounded plate: captions (dark plate) and the end card's CTA button."""
    pad_x = round(max_size * 0.6)
    pad_y = round(max_size * 0.35)
    fitted = fit_text(text, box.w - 2 * pad_x, box.h - 2 * pad_y, max_size, weight, max_lines)
    label = draw_text(fitted, colour, shadow=False, pad=0)
    width = label.width + 2 * pad_x
    height = label.height + 2 * pad_y
    plate = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(plate).rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=min(height // 2, round(max_size * 0.7)), fill=fill
    )
    plate.alpha_composite(label, ((width - label.width) // 2, (height - label.height) // 2))
    return shrink_to(plate, box)


def place_in(image: Image.Image, box: Box, align: str = "centre") -> Box:
    """Where `image` goes inside `box`: centred horizontally, vertically by `align`
    ("top", "centre", "bottom")."""
    x = box.x + (box.w - image.width) // 2
    if align == "top":
        y = box.y
    elif align == "bottom":
        y = box.bottom - image.height
    else:
        y = box.y + (box.h - image.height) // 2
    return Box(x, y, image.width, image.height)
