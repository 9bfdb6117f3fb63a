"""The detail framing (ShotKind.DETAIL)."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.shots import Canvas, Drawn


class Detail(Framing):
    """A close-up: a detailed square of the photo as large as the frame's width allows."""

    kind: Literal[ShotKind.DETAIL] = ShotKind.DETAIL
    photo: int

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        photo = canvas.photos[index]
        region = photo.details[variant % len(photo.details)]
        crop = photo.image.crop(region).convert("RGB")
        drift = round(min(width, height) * 0.06)
        size = (width + drift, height + drift)
        still = shots.blurred(crop, size, 0.35)
        room = canvas.layout.hero  # the text-free band: no headline or caption over it
        side = min(round(min(width, height) * 1.04), round(crop.width * shots.MAX_UPSCALE), room.h)
        close = crop.resize((side, side), Image.Resampling.LANCZOS)
        centre = (size[0] // 2, canvas.layout.hero.centre[1] + drift // 2)
        if side < min(width, height):  # the close-up is a card with a shadow
            layer, pad = shots.shadowed(close, canvas)
            rect = shots.place(still, layer, centre, pad)
        else:
            rect = shots.place(still, close, centre)
        return shots.drawn(canvas, still, rect, variant % 2 == 1, index)
