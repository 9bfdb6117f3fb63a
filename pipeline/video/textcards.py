"""Text as transparent PNG images, in the style's typeface (pipeline.shared.fonts).

Text is fitted (wrapped, then shrunk) to the box it must stay in, so long product names never
spill out of the safe zone; a word wider than the box is broken between its characters (names in
scripts written without spaces have nowhere else to break). Characters the style's face lacks
(Chinese, Japanese, Korean) are drawn in the Noto fallback instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFilter

from domain.text import graphemes
from pipeline.shared.fonts import FONTS, Face, face_for, load
from pipeline.video.layout import Box

RGBA = tuple[int, int, int, int]
LINE_SPACING = 1.12
CJK = 0x2E80  # from here on, scripts written without spaces: their words break anywhere


def hex_rgba(colour: str, alpha: int = 255) -> RGBA:
    value = colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)


def text_width(text: str, face: Face, size: int) -> int:
    left, _, right, _ = load(face, size).getbbox(text)
    return int(right - left)


def _break_word(word: str, face: Face, size: int, max_width: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in graphemes(word):
        if current and text_width(current + char, face, size) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, face: Face, size: int, max_width: int) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between its characters."""
    words: list[str] = []
    for word in text.split():
        if text_width(word, face, size) > max_width:
            words += _break_word(word, face, size, max_width)
        else:
            words.append(word)
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, face, size) > max_width:
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
    face: Face


def fit_text(
    text: str, face: Face, box_w: int, box_h: int, max_size: int, max_lines: int = 2
) -> FittedText:
    """The largest size (down to 40% of max) at which the wrapped text fits the box, no word of
    an alphabetic script broken across lines ("Nimbu / s Tea" reads as two words that are not
    the name) while a smaller size keeps it whole."""
    chosen = face_for(face, text) or face
    if chosen.upper:
        text = text.upper()
    size = max_size
    min_size = max(12, int(max_size * 0.4))
    alphabetic = [w for w in text.split() if all(ord(c) < CJK for c in w)]
    while True:
        lines = wrap(text, chosen, size, box_w)
        height = len(lines) * size * LINE_SPACING
        widest = max((text_width(line, chosen, size) for line in lines), default=0)
        whole = all(text_width(w, chosen, size) <= box_w for w in alphabetic)
        fits = len(lines) <= max_lines and height <= box_h and widest <= box_w and whole
        if fits or size <= min_size:
            return FittedText(lines, size, chosen)
        size = max(min_size, int(size * 0.92))


def draw_text(fitted: FittedText, colour: RGBA, *, shadow: bool = True) -> Image.Image:
    """Centred lines on a transparent canvas cropped to the text (plus room for the shadow)."""
    font = load(fitted.face, fitted.size)
    pad = max(6, fitted.size // 5)
    line_h = round(fitted.size * LINE_SPACING)
    width = max(text_width(line, fitted.face, fitted.size) for line in fitted.lines) + 2 * pad
    height = line_h * len(fitted.lines) + 2 * pad
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for i, line in enumerate(fitted.lines):
        draw.text(
            (width // 2, pad + i * line_h + line_h // 2), line, font=font, fill=colour, anchor="mm"
        )
    if not shadow:
        return layer
    shade = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    alpha = layer.getchannel("A").point(lambda a: a * 90 // 255)
    shade.putalpha(alpha.filter(ImageFilter.GaussianBlur(max(1, fitted.size / 16))))
    out = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    out.alpha_composite(shade, (max(1, fitted.size // 30), max(1, fitted.size // 30)))
    out.alpha_composite(layer)
    return out


def shrink_to(image: Image.Image, box: Box) -> Image.Image:
    """Scale an image down (never up) so it fits the box: the last guarantee text stays inside."""
    scale = min(1.0, box.w / image.width, box.h / image.height)
    if scale >= 1.0:
        return image
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def text_in_box(
    text: str, box: Box, face: Face, max_size: int, colour: RGBA, max_lines: int = 2
) -> Image.Image:
    fitted = fit_text(text, face, box.w - 16, box.h - 16, max_size, max_lines)
    return shrink_to(draw_text(fitted, colour), box)


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


def ass_tokens(text: str, face: Face, size: int, max_width: int) -> list[str]:
    """`text`'s words laid out for libass the way `wrap` lays them out for Pillow: one token per
    word (so words can still be lit one by one), a word wider than the box broken with ASS hard
    breaks, and a hard break before each word that starts a line. libass itself would never
    break a long word without spaces."""
    chosen = face_for(face, text) or face
    tokens: list[str] = []
    line_width = 0
    space = text_width("a a", chosen, size) - text_width("aa", chosen, size)
    for word in text.split():
        width = text_width(word, chosen, size)
        pieces = _break_word(word, chosen, size, max_width) if width > max_width else [word]
        first = text_width(pieces[0], chosen, size)
        starts_line = bool(tokens) and line_width + space + first > max_width
        token = "\\N".join(pieces)
        tokens.append(("\\N" if starts_line else "") + token)
        last = text_width(pieces[-1], chosen, size)
        line_width = (
            last
            if (starts_line or len(pieces) > 1)
            else line_width + space * bool(line_width) + width
        )
    return tokens


@cache
def win_metrics(face: Face) -> tuple[float, float]:
    """The face's OS/2 usWinAscent and usWinDescent, in ems: libass fits these two into an ASS
    font size (and sets lines that far apart), where Pillow's size is the em. Read from the
    font file's table directory (no font library at run time)."""
    data = (FONTS / face.file).read_bytes()
    (count,) = struct.unpack(">H", data[4:6])
    tables: dict[bytes, int] = {}
    for k in range(count):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * k : 28 + 16 * k])
        tables[tag] = offset
    head, os2 = tables[b"head"], tables[b"OS/2"]
    (units,) = struct.unpack(">H", data[head + 18 : head + 20])
    ascent, descent = struct.unpack(">HH", data[os2 + 74 : os2 + 78])
    return ascent / units, descent / units


def libass_size(fitted: FittedText) -> int:
    """The ASS font size at which libass draws `fitted`'s letters as large as Pillow measured
    them at `fitted.size`."""
    ascent, descent = win_metrics(fitted.face)
    return round(fitted.size * (ascent + descent))
