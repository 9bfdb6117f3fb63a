"""The detail framing (ShotKind.DETAIL)."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.shots import Canvas, Drawn


def _source(photo: shots.Photo) -> Image.Image:
    """What a close-up is cut from: the product cut out, where it is in the photo (a packshot's
    white or a scene's forest is then the style's backdrop, never a close-up of its own), or the
    photo as it is when the cut is not trusted."""
    if not photo.cutout.confident:
        return photo.image
    layer = Image.new("RGBA", photo.image.size, (0, 0, 0, 0))
    layer.paste(photo.cutout.image.convert("RGBA"), photo.cutout.bbox[:2])
    return layer


class Detail(Framing):
    """A close-up: a detailed square of the photo as large as the frame's width allows. A photo
    too small to fill the frame even at MAX_UPSCALE shows the whole product instead, at the
    size it holds, over the style's backdrop (a small sharp square over a blurred enlargement
    of itself read as a mistake). Transparent parts show the backdrop, never black."""

    kind: Literal[ShotKind.DETAIL] = ShotKind.DETAIL
    photo: int

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        photo = canvas.photos[index]
        region = photo.details[variant % len(photo.details)]
        drift = round(min(width, height) * 0.06)
        size = (width + drift, height + drift)
        centre = (size[0] // 2, canvas.layout.hero.centre[1] + drift // 2)
        room = canvas.layout.hero  # the text-free band: no headline or caption over it
        target = min(round(min(width, height) * 1.04), room.h)
        if (region[2] - region[0]) * shots.MAX_UPSCALE < target:
            still = canvas.backdrop(size, variant)
            layer, pad = shots.shadowed(shots.fit(photo.subject, room.w, room.h), canvas)
            rect = shots.place(still, layer, centre, pad)
            return shots.drawn(canvas, still, rect, variant % 2 == 1, index)
        crop = shots.opaque(canvas, _source(photo).crop(region), variant)
        still = shots.blurred(crop, size, 0.35)
        close = crop.resize((target, target), Image.Resampling.LANCZOS)
        rect = shots.place(still, close, centre)
        return shots.drawn(canvas, still, rect, variant % 2 == 1, index)
