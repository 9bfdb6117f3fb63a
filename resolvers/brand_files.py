"""A brand kit's files, decoded before they are trusted: the logo and the two fonts.

Logo: PNG or WebP (its transparency kept, its bytes stored as sent), or SVG rasterised here to a
PNG by resvg (resvg-py: Rust in the wheel, no system library), with system fonts off and every
external reference refused first, so rendering an SVG reads no file and no network. One frame
only (an animated PNG, WebP or GIF is refused), within MAX_LOGO_BYTES and MAX_LOGO_PIXELS.

Font: TrueType or OpenType (not a collection, not WOFF), read with fontTools; its character map
must hold every letter of the languages its ads are in (domain.brand.LETTERS), and FreeType (which
draws the headline, and under libass the captions) must open it. Its family name, from its name
table, is what libass looks it up by.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from domain.brand import letters_of
from resolvers.errors import INVALID_FONT, INVALID_IMAGE, MISSING_GLYPHS, FieldError
from resolvers.uploads import check_image

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 2048 * 2048
MAX_FONT_BYTES = 8 * 1024 * 1024
SVG_SIDE = 1024  # an SVG logo is rasterised this wide (or tall)
LOGO_FORMATS = {"PNG": "png", "WEBP": "webp"}
# An href or src that points anywhere but inside the document (or at inline data).
_EXTERNAL = re.compile(rb"""(?:href|src)\s*=\s*["'](?!\s*(?:#|data:))""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    data: bytes
    extension: str
    family: str | None = None  # fonts: the family libass finds it by


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith((b"<?xml", b"<svg", b"<!--"))) and b"<svg" in data[:65536].lower()


def _svg_logo(data: bytes, field: tuple[str, ...]) -> CheckedFile | FieldError:
    import resvg_py

    if b"<!entity" in data.lower() or _EXTERNAL.search(data):
        return FieldError(
            INVALID_IMAGE,
            "SVG logo refers to files or entities outside itself; embed everything in it",
            field,
        )
    try:
        text = data.decode("utf-8")
        png = resvg_py.svg_to_bytes(svg_string=text, skip_system_fonts=True)
        from PIL import Image

        with Image.open(io.BytesIO(bytes(png))) as image:
            wide = image.width >= image.height
        png = resvg_py.svg_to_bytes(
            svg_string=text,
            skip_system_fonts=True,
            width=SVG_SIDE if wide else None,
            height=None if wide else SVG_SIDE,
        )
    except (UnicodeDecodeError, ValueError, OSError):
        return FieldError(INVALID_IMAGE, "logo is not a readable SVG image", field)
    return CheckedFile(bytes(png), "png")


def check_logo(data: bytes, field: tuple[str, ...]) -> CheckedFile | FieldError:
    """The logo to store (an SVG as its PNG rendering), or why it is refused."""
    if _looks_like_svg(data):
        return _svg_logo(data, field)
    checked = check_image(
        data, MAX_LOGO_PIXELS, field, what="logo", formats=LOGO_FORMATS,
        named="PNG, WebP or SVG", still=True,
    )  # fmt: skip
    if isinstance(checked, FieldError):
        return checked
    return CheckedFile(data, checked.extension)


def missing_letters(data: bytes, languages: list[str]) -> str:
    """The letters of `languages` the font's character map lacks ('' when none)."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    wanted = "".join(sorted({c for language in languages for c in letters_of(language)}))
    return "".join(c for c in wanted if ord(c) not in cmap)


def check_font(
    data: bytes, languages: list[str], field: tuple[str, ...]
) -> CheckedFile | FieldError:
    """The font to store with its family name, or why it is refused."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(data), lazy=True) as font:
            flavor, version = font.flavor, font.sfntVersion
            family = font["name"].getDebugName(1)
            has_cmap = "cmap" in font and font.getBestCmap() is not None
    except (TTLibError, KeyError, ValueError, OSError, AssertionError, IndexError, TypeError):
        return FieldError(INVALID_FONT, "font is not a readable TrueType or OpenType file", field)
    if flavor is not None or version not in ("\x00\x01\x00\x00", "OTTO", "true"):
        return FieldError(INVALID_FONT, "font must be a TTF or OTF file (not WOFF)", field)
    if not family or not has_cmap:
        return FieldError(INVALID_FONT, "font has no family name or no character map", field)
    missing = missing_letters(data, languages)
    if missing:
        shown = " ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
        return FieldError(
            MISSING_GLYPHS,
            f"font has no glyph for {len(missing)} letters of {', '.join(languages)}: {shown}",
            field,
        )
    from PIL import ImageFont

    try:
        ImageFont.truetype(io.BytesIO(data), 48).getbbox("Ag")
    except OSError:
        return FieldError(INVALID_FONT, "font cannot be drawn (FreeType refuses it)", field)
    return CheckedFile(data, "otf" if version == "OTTO" else "ttf", family.strip()[:64])
