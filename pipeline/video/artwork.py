"""What an offline ad's stills are made of, drawn with Pillow: the style's backdrops, the hero
layer (what a hosted video model animates from) and the colours (pipeline.video.shots composes
them into shots). Each style has its own look (luxury: dark, warm, a glow and a fine
frame; energetic: vivid with bold stripes; minimal: quiet paper-white; bold: black with a band of
colour), and its accent colour comes from the product's photo when it has a usable one. The
hero is one of three things:
- the product cut out of its photo, as large as the layout allows, with a soft shadow;
- the photo itself, as wide as the frame, when the cut-out is not confident (a busy background);
- the product's name set large in the style's type, when there is no photo.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from domain.colour import contrast, luminance
from domain.enums import Style
from domain.templates import Palette
from pipeline.shared.fonts import TYPOGRAPHY, Face
from pipeline.video.layout import Box, Layout
from pipeline.video.textcards import hex_rgba, text_in_box

RGB = tuple[int, int, int]


def _rgb(colour: str) -> RGB:
    r, g, b, _ = hex_rgba(colour)
    return (r, g, b)


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _mix(a: str, b: str, amount: float) -> RGB:
    ca, cb = _rgb(a), _rgb(b)
    return (
        round(ca[0] + (cb[0] - ca[0]) * amount),
        round(ca[1] + (cb[1] - ca[1]) * amount),
        round(ca[2] + (cb[2] - ca[2]) * amount),
    )


INKS = ("#141414", "#ffffff")
# WCAG AA asks 4.5:1 of text; a field is moved until its ink reaches this, so that the video's
# chroma subsampling and compression (which soften small type's edges) keep it above 4.5.
READABLE = 5.0


def ink_on(field: str, least: float = READABLE) -> tuple[str, str]:
    """A field for text and the ink to set on it: the ink (near-black or white) that contrasts
    more with `field`, and `field` itself when they reach `least`, else `field` moved toward the
    ink's opposite until they do (a saturated accent keeps its hue, a step darker or lighter)."""
    ink = max(INKS, key=lambda colour: contrast(colour, field))
    away = "#000000" if ink == "#ffffff" else "#ffffff"
    moved, amount = field, 0.0
    while contrast(ink, moved) < least and amount < 1.0:
        amount = min(1.0, amount + 0.04)
        moved = _hex(_mix(field, away, amount))
    return moved, ink


def is_light(colour: str) -> bool:
    return luminance(colour) > 0.4


def lit_for_dark(colour: str, min_luminance: float = 0.3) -> str:
    """`colour` made light enough to read as text with a dark outline over any backdrop (the
    captions' highlight): the same hue, lightened until its luminance reaches `min_luminance`
    (contrast >= 7:1 against the outline)."""
    if luminance(colour) >= min_luminance:
        return colour
    h, lightness, s = colorsys.rgb_to_hls(*(v / 255 for v in _rgb(colour)))
    while lightness < 0.95:
        lightness = min(0.95, lightness + 0.025)
        r, g, b = colorsys.hls_to_rgb(h, lightness, s)
        candidate = _hex((round(r * 255), round(g * 255), round(b * 255)))
        if luminance(candidate) >= min_luminance:
            return candidate
    return "#ffd84a"


def palette_for(style: Style, base: Palette, accent: str | None) -> Palette:
    """The style's palette with the product's own accent colour when it reads on the style's
    background (WCAG contrast >= 2.2 for a graphic element; else the style's own accent)."""
    if accent is None:
        return base
    candidate = accent
    if contrast(candidate, base.background) < 2.2:
        h, lightness, s = colorsys.rgb_to_hls(*(v / 255 for v in _rgb(candidate)))
        lightness = 0.72 if not is_light(base.background) else 0.35
        r, g, b = colorsys.hls_to_rgb(h, lightness, s)
        candidate = _hex((round(r * 255), round(g * 255), round(b * 255)))
    if contrast(candidate, base.background) < 2.2:
        return base
    if style is Style.ENERGETIC:  # the vivid background itself leans toward the product
        background = _hex(_mix(base.background, candidate, 0.25))
        return Palette(background=background, accent=base.accent, text=base.text)
    return Palette(background=base.background, accent=candidate, text=base.text)


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _glow(
    image: Image.Image, centre: tuple[int, int], radius: int, colour: RGB, strength: float
) -> Image.Image:
    glow = Image.radial_gradient("L").resize((2 * radius, 2 * radius), Image.Resampling.BILINEAR)
    glow = glow.point(lambda v: int(255 * strength * max(0.0, 1 - v / 200) ** 2))
    mask = Image.new("L", image.size, 0)
    mask.paste(glow, (centre[0] - radius, centre[1] - radius))
    return Image.composite(Image.new("RGB", image.size, colour), image, mask)


def background(
    layout: Layout,
    style: Style,
    palette: Palette,
    scene_index: int,
    rule: bool = True,
) -> Image.Image:
    """A backdrop in the style's look, lit around the hero's place; variants (`scene_index`)
    differ in light and angle so consecutive shots read as different set-ups. Without `rule`,
    the minimal look leaves out its accent line under the headline (the end card has no
    headline, and the line would cross what stands there)."""
    size = (layout.width, layout.height)
    base = palette.background
    darker = _mix(base, "#000000", 0.35 if not is_light(base) else 0.08)
    lighter = _mix(base, "#ffffff", 0.10 if not is_light(base) else 0.5)
    top, bottom = (lighter, darker) if scene_index % 2 else (darker, lighter)
    image = _gradient(size, top, bottom)
    cx, cy = layout.hero.centre
    shift = (scene_index - 2) * layout.height // 40
    accent = _rgb(palette.accent)
    draw = ImageDraw.Draw(image, "RGBA")
    if style is Style.LUXURY:
        image = _glow(image, (cx, cy + shift), int(layout.hero.h * 0.75), accent, 0.22)
        draw = ImageDraw.Draw(image, "RGBA")
        inset = round(min(size) * 0.035)
        draw.rectangle(
            (inset, inset, size[0] - inset, size[1] - inset),
            outline=(*accent, 110),
            width=max(1, min(size) // 540),
        )
    elif style is Style.ENERGETIC:
        stripe = round(min(size) * 0.12)
        for k in range(-4, 12):
            x = k * stripe * 2 + scene_index * stripe // 2
            draw.polygon(
                [
                    (x, 0),
                    (x + stripe, 0),
                    (x + stripe - size[1] // 3, size[1]),
                    (x - size[1] // 3, size[1]),
                ],
                fill=(255, 255, 255, 22),
            )
        image = _glow(image, (cx, cy + shift), int(layout.hero.h * 0.7), accent, 0.35)
    elif style is Style.MINIMAL:
        image = _glow(
            image, (cx, cy + shift), int(layout.hero.h * 0.8), _mix(base, "#000000", 0.07), 0.6
        )
        if rule:
            line_y = layout.headline.bottom + layout.height // 200
            half = layout.hero.w // 5
            ImageDraw.Draw(image, "RGBA").line(
                (cx - half, line_y, cx + half, line_y),
                fill=(*accent, 255),
                width=max(2, min(size) // 360),
            )
    else:  # BOLD: a band of colour across the frame behind the hero
        band = layout.hero.h // 3
        y = cy + shift - band // 2
        tilt = layout.width // 6 * (1 if scene_index % 2 else -1)
        draw.polygon(
            [(0, y + tilt), (size[0], y - tilt), (size[0], y - tilt + band), (0, y + tilt + band)],
            fill=(*accent, 235),
        )
    return image


def soft_shadow(image: Image.Image, tint: RGB, width_hint: int) -> Image.Image:
    """The RGBA image on a larger transparent canvas with a soft shadow under and behind it."""
    blur = max(4, round(width_hint * 0.035))
    offset = (round(width_hint * 0.02), round(width_hint * 0.03))
    pad = blur * 3
    canvas = Image.new("RGBA", (image.width + 2 * pad, image.height + 2 * pad), (0, 0, 0, 0))
    shadow = Image.new("RGBA", image.size, (*tint, 0))
    shadow.putalpha(image.getchannel("A").point(lambda a: a * 95 // 255))
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    layer.alpha_composite(shadow, (pad + offset[0], pad + offset[1]))
    canvas.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur)))
    canvas.alpha_composite(image, (pad, pad))
    return canvas


def fit(image: Image.Image, box: Box) -> Image.Image:
    """Scaled (up or down) to fit inside the box, keeping its proportions."""
    scale = min(box.w / image.width, box.h / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def cutout_hero(cutout: Image.Image, layout: Layout, palette: Palette) -> Image.Image:
    """The cut-out product at its largest, with a soft shadow in the background's darkest tone."""
    product = fit(cutout, layout.hero)
    tint = _mix(palette.background, "#000000", 0.7)
    return soft_shadow(product, tint, product.width)


def open_photo(path: Path) -> Image.Image:
    with Image.open(path) as opened:
        return ImageOps.exif_transpose(opened).convert("RGBA")


def photo_hero(photo: Image.Image, layout: Layout) -> Image.Image:
    """The whole photo, as wide as the frame (or as tall as the room between headline and
    captions), with a soft shadow: the photo full-bleed, not a small card."""
    room = Box(0, layout.headline.bottom, layout.width, layout.captions.y - layout.headline.bottom)
    image = fit(photo, room)
    return soft_shadow(image, (0, 0, 0), image.width // 3)


def wordmark_hero(
    name: str, style: Style, layout: Layout, palette: Palette, face: Face | None = None
) -> Image.Image:
    """Without a photo, the name itself is the hero: large, in the style's type (or `face`, a
    brand kit's) and accent."""
    face = face or TYPOGRAPHY[style].headline
    colour = hex_rgba(palette.accent if style is not Style.BOLD else palette.text)
    box = Box(0, 0, layout.hero.w, round(layout.hero.h * 0.6))
    text = text_in_box(name, box, face, round(layout.headline_size * 2.2), colour, max_lines=3)
    rule = max(3, layout.width // 180)
    canvas = Image.new("RGBA", (text.width, text.height + 4 * rule), (0, 0, 0, 0))
    canvas.alpha_composite(text)
    draw = ImageDraw.Draw(canvas)
    half = text.width // 4
    mid = text.width // 2
    draw.rectangle(
        (mid - half, text.height + rule, mid + half, text.height + 2 * rule), fill=colour
    )
    return canvas


@dataclass(frozen=True)
class Saved:
    path: Path
    width: int
    height: int


def save_png(image: Image.Image, path: Path) -> None:
    """PNG with light compression: these files are read once by ffmpeg, speed beats size."""
    image.save(path, format="PNG", compress_level=1)


def save_jpeg(image: Image.Image, path: Path) -> None:
    """An opaque still as JPEG at quality 95 (4:2:0, as the ad itself is encoded): measured
    against PNG on the demo's shots, a fifth of the time to write, a tenth of the bytes to keep
    and upload, and half the memory in ffmpeg, which decodes it straight to YUV."""
    image.convert("RGB").save(path, format="JPEG", quality=95)
