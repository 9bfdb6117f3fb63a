"""The pair framing (ShotKind.PAIR)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

from PIL import Image, ImageDraw, ImageOps

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.plan import Rect
from pipeline.video.shots import Canvas, Drawn, Photo
from pipeline.video.textcards import hex_rgba


def _cover(canvas: Canvas, image: Image.Image, size: tuple[int, int], variant: int) -> Image.Image:
    """`image` filling `size`, cropped, not distorted; transparent parts on the backdrop."""
    return ImageOps.fit(shots.opaque(canvas, image, variant), size, Image.Resampling.LANCZOS)


def _half(canvas: Canvas, photo: Photo, size: tuple[int, int], variant: int) -> Image.Image:
    if photo.cutout.confident:
        half = canvas.backdrop(size, variant)
        layer = shots.fit(photo.subject, round(size[0] * 0.8), round(size[1] * 0.84))
        shots.place(half, layer, (size[0] // 2, size[1] // 2))
        return half
    return _cover(canvas, photo.image, size, variant)


def _grown(region: shots.Region, need: int, size: tuple[int, int]) -> shots.Region:
    """`region` grown about its centre to at least `need` pixels a side (a close-up enlarged
    no more than MAX_UPSCALE), kept inside a photo of `size`: a small photo's close-up is
    wider, not blurrier."""
    left, top, right, bottom = region
    side = min(max(right - left, need), *size)
    x = min(max(0, (left + right - side) // 2), size[0] - side)
    y = min(max(0, (top + bottom - side) // 2), size[1] - side)
    return (x, y, x + side, y + side)


class Pair(Framing):
    """Two photos, or a photo and its close-up: one above the other (side by side when the
    frame is wider than tall) in the text-free band, a line of the accent colour between
    them and around them."""

    kind: Literal[ShotKind.PAIR] = ShotKind.PAIR
    photo: int
    photos_shown: int = 2

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        drift = round(min(width, height) * 0.04)
        size = (width, height + drift)
        # The style's backdrop round the halves (where the headline and captions stand), the
        # accent colour as the rule between them and the band's edges.
        still = canvas.backdrop(size, variant + 3)
        first = canvas.photos[index]
        rule = max(4, min(width, height) // 120)
        tall = height >= width
        room = canvas.layout.hero  # the halves stay in the text-free band
        top = room.y + drift // 2
        accent = hex_rgba(canvas.palette.accent)[:3]
        ImageDraw.Draw(still).rectangle((0, top - rule, width, top + room.h + rule), fill=accent)
        half = (width, (room.h - rule) // 2) if tall else ((width - rule) // 2, room.h)
        still.paste(_half(canvas, first, half, variant), (0, top))
        second_at = (0, top + half[1] + rule) if tall else (half[0] + rule, top)
        if len(canvas.photos) > 1:
            second = canvas.photos[(index + 1) % len(canvas.photos)]
            still.paste(_half(canvas, second, half, variant + 1), second_at)
        else:
            need = math.ceil(max(half) / shots.MAX_UPSCALE)
            region = _grown(first.details[0], need, first.image.size)
            still.paste(_cover(canvas, first.image.crop(region), half, variant + 1), second_at)
        product = Rect(x=0, y=top, w=half[0], h=half[1])
        drawn = shots.drawn(canvas, still, product, variant % 2 == 1, index)
        if len(canvas.photos) > 1:
            return replace(drawn, photos=(index, (index + 1) % len(canvas.photos)))
        return drawn
