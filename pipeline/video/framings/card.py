"""The card framing (ShotKind.CARD)."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageOps

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.plan import LayerMotion
from pipeline.video.shots import Canvas, Drawn


class Card(Framing):
    """The photo as a tilted print on the style's backdrop; a cut-out larger and off-centre."""

    kind: Literal[ShotKind.CARD] = ShotKind.CARD

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        drift = round(width * 0.07)
        size = (width + drift, height)
        still = canvas.backdrop(size, variant + 2)
        photo = canvas.photos[index] if index is not None else None
        box = canvas.layout.hero
        if shots.cut_out_subject(canvas, photo):
            assert photo is not None
            # The cut-out rises slowly while its backdrop drifts sideways under it.
            side = 1 if variant % 2 else -1
            return shots.floating(
                canvas,
                still,
                photo.subject,
                (round(box.w * 1.15), box.h),
                (width // 2 + side * round(width * 0.06), box.centre[1]),
                variant % 2 == 1,
                index,
                LayerMotion.FLOAT,
            )
        if photo is None:
            subject = canvas.hero if photo is None else photo.subject
            layer, pad = shots.shadowed(shots.fit(subject, round(box.w * 1.15), box.h), canvas)
            side = 1 if variant % 2 else -1
            centre = (size[0] // 2 + side * round(width * 0.06), box.centre[1])
            return shots.drawn(
                canvas, still, shots.place(still, layer, centre, pad), variant % 2 == 1, index
            )
        flat = shots.opaque(canvas, photo.image, variant)
        print_ = shots.fit(flat, round(canvas.layout.safe.w * 0.92), round(box.h * 0.86))
        border = max(6, print_.width // 28)
        framed = ImageOps.expand(print_, border=border, fill=(250, 248, 244)).convert("RGBA")
        angle = 3.5 if variant % 2 else -3.5
        tilted = framed.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        layer, pad = shots.shadowed(tilted, canvas)
        rect = shots.place(still, layer, (size[0] // 2, box.centre[1]), pad)
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
