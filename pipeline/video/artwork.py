"""The pictures of an offline ad, drawn with Pillow: backgrounds, the product layer, the end card.

Everything is drawn once at the output size (never bigger), so ffmpeg only composites small,
pre-sized layers per frame. Backgrounds vary per scene (where the accent glow sits, gradient
direction), so consecutive scenes read as different shots even with one product image.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from domain.templates import Palette
from pipeline.video.layout import Box, Layout
from pipeline.video.textcards import hex_rgba, pill, place_in, text_in_box

# Accent glow centre (fractions of the frame) and strength per scene index.
GLOWS = {1: (0.5, 0.32, 0.55), 2: (0.15, 0.55, 0.45), 3: (0.85, 0.7, 0.5), 4: (0.5, 0.45, 0.6)}


def _mix(a: str, b: str, amount: float) -> tuple[int, int, int]:
    ca, cb = hex_rgba(a), hex_rgba(b)
    return tuple(round(ca[i] + (cb[i] - ca[i]) * amount) for i in range(3))  # type: ignore[return-value]


def is_light(colour: str) -> bool:
    r, g, b, _ = hex_rgba(colour)
    return (0.299 * r + 0.587 * g + 0.114 * b) > 150


def ink_on(fill: str, palette: Palette) -> str:
    """The palette colour that reads best on `fill`: the darker one on light fills, else the
    lighter one."""
    darker, lighter = sorted((palette.background, palette.text), key=lambda c: sum(hex_rgba(c)[:3]))
    return darker if is_light(fill) else lighter


def background(layout: Layout, palette: Palette, scene_index: int) -> Image.Image:
    """A vertical gradient of the palette background with a soft accent glow."""
    size = (layout.width, layout.height)
    top = _mix(
        palette.background, "#ffffff" if not is_light(palette.background) else "#000000", 0.08
    )
    bottom = _mix(palette.background, "#000000", 0.25 if not is_light(palette.background) else 0.06)
    if scene_index % 2 == 0:
        top, bottom = bottom, top
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)
    cx, cy, strength = GLOWS.get(scene_index, GLOWS[1])
    radius = int(max(size) * 0.55)
    glow = Image.radial_gradient("L").resize((2 * radius, 2 * radius), Image.Resampling.BILINEAR)
    # The falloff reaches zero well inside the square, so the glow has no visible edge.
    glow = glow.point(lambda v: int(255 * strength * max(0.0, 1 - v / 200) ** 2))
    mask = Image.new("L", size, 0)
    mask.paste(glow, (int(cx * size[0]) - radius, int(cy * size[1]) - radius))
    accent = Image.new("RGB", size, hex_rgba(palette.accent)[:3])
    return Image.composite(accent, image, mask)


def _drop_shadow(image: Image.Image, blur: int) -> Image.Image:
    """The image on a transparent canvas with a soft shadow under it (same size as input)."""
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    alpha = image.getchannel("A").point(lambda a: a * 150 // 255)
    shadow.putalpha(alpha.filter(ImageFilter.GaussianBlur(blur)))
    out = Image.new("RGBA", image.size, (0, 0, 0, 0))
    out.alpha_composite(shadow, (0, blur // 2))
    out.alpha_composite(image)
    return out


def product_photo(path: Path, side: int) -> Image.Image:
    """The uploaded photo fitted into a sidexside square: rounded corners if it is opaque."""
    with Image.open(path) as opened:
        photo = ImageOps.exif_transpose(opened).convert("RGBA")
    margin = max(8, side // 20)
    inner = side - 2 * margin
    photo.thumbnail((inner, inner), Image.Resampling.LANCZOS)
    if photo.getchannel("A").getextrema()[0] == 255:
        mask = Image.new("L", photo.size, 0)
        radius = min(photo.size) // 14
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *photo.size), radius=radius, fill=255)
        photo.putalpha(mask)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.alpha_composite(photo, ((side - photo.width) // 2, (side - photo.height) // 2))
    return _drop_shadow(canvas, margin // 2)


def product_card(name: str, palette: Palette, weight: str, side: int) -> Image.Image:
    """Without a photo: a styled card carrying the product name in the style's colours."""
    margin = max(8, side // 14)
    card_side = side - 2 * margin
    start, end = _mix(palette.accent, "#ffffff", 0.15), _mix(palette.accent, "#000000", 0.35)
    ramp = Image.linear_gradient("L").rotate(45, expand=False).resize((card_side, card_side))
    face = Image.composite(
        Image.new("RGB", ramp.size, end), Image.new("RGB", ramp.size, start), ramp
    ).convert("RGBA")
    mask = Image.new("L", face.size, 0)
    radius = card_side // 9
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card_side - 1, card_side - 1), radius, fill=255)
    face.putalpha(mask)
    draw = ImageDraw.Draw(face)
    ink = ink_on(palette.accent, palette)
    inset = card_side // 12
    draw.rounded_rectangle(
        (inset, inset, card_side - inset, card_side - inset),
        radius=radius - inset // 2,
        outline=hex_rgba(ink, 150),
        width=max(2, card_side // 150),
    )
    text_box = Box(2 * inset, 2 * inset, card_side - 4 * inset, card_side - 4 * inset)
    label = text_in_box(name, text_box, card_side // 6, weight, hex_rgba(ink), max_lines=4)
    spot = place_in(label, text_box)
    face.alpha_composite(label, (spot.x, spot.y))
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.alpha_composite(face, (margin, margin))
    return _drop_shadow(canvas, margin // 2)


def end_card(
    layout: Layout,
    palette: Palette,
    product: Image.Image,
    name: str,
    cta: str,
    weight: str,
) -> Image.Image:
    """Scene 4: a still frame with the product, its name and the CTA as a button, all baked in."""
    frame = background(layout, palette, 4).convert("RGBA")
    name_img = text_in_box(
        name, layout.headline, layout.headline_size, weight, hex_rgba(palette.text), 2
    )
    spot = place_in(name_img, layout.headline, "centre")
    frame.alpha_composite(name_img, (spot.x, spot.y))
    area = layout.product
    button_h = round(area.h * 0.24)
    side = area.h - button_h - round(area.h * 0.04)
    small = product.resize((side, side), Image.Resampling.LANCZOS)
    frame.alpha_composite(small, ((layout.width - side) // 2, area.y))
    button_box = Box(layout.safe.x, area.bottom - button_h, layout.safe.w, button_h)
    ink = ink_on(palette.accent, palette)
    button = pill(
        cta,
        button_box,
        round(layout.headline_size * 0.8),
        "bold",
        hex_rgba(palette.accent),
        hex_rgba(ink),
    )
    spot = place_in(button, button_box, "centre")
    frame.alpha_composite(button, (spot.x, spot.y))
    return frame.convert("RGB")


def save_png(image: Image.Image, path: Path) -> None:
    """PNG with light compression: these files are read once by ffmpeg, speed beats size."""
    image.save(path, format="PNG", compress_level=1)
