"""The type framing (ShotKind.TYPE): the product's name set large, whole, then the product.

The name is read, not glimpsed: solid ink on the accent field, at least 5:1 (artwork.ink_on:
the field a shade darker or lighter where needed), set whole in
the top of the hero's band, and the product stands in the rest of the band below it (beside it
on a landscape frame). Nothing covers a letter: the name's box and the product's never meet.
"""

from __future__ import annotations

from typing import Literal

from PIL import Image

from pipeline.shared.fonts import TYPOGRAPHY
from pipeline.video import artwork, shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.plan import LayerMotion, Rect
from pipeline.video.shots import Canvas, Drawn
from pipeline.video.textcards import draw_text, fit_text, hex_rgba

NAME_SHARE = 0.36  # of the hero band given to the name (portrait; landscape: half the width)


class TypeShot(Framing):
    """The name set large across an accent field, whole, and the product beside it."""

    kind: Literal[ShotKind.TYPE] = ShotKind.TYPE

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        drift = round(width * 0.08)
        size = (width + drift, height)
        field, ink = artwork.ink_on(canvas.palette.accent)
        still = Image.new("RGB", size, hex_rgba(field)[:3])
        face = TYPOGRAPHY[canvas.style].headline
        box = canvas.layout.hero
        gap = round(min(width, height) * 0.03)
        portrait = height >= width
        if portrait:
            fitted = fit_text(canvas.name, face, round(width * 0.9), round(box.h * NAME_SHARE),
                              height // 7, 2)  # fmt: skip
        else:  # the left half of the frame, up to three lines
            fitted = fit_text(canvas.name, face, round(width * 0.46), box.h, height // 5, 3)
        letters = draw_text(fitted, hex_rgba(ink), shadow=False)
        photo = canvas.photos[index] if index is not None else None
        subject = canvas.hero if photo is None else photo.subject
        if portrait:
            name_centre = (size[0] // 2, box.y + letters.height // 2)
            room_top = box.y + letters.height + gap
            room = Rect(x=box.x, y=room_top, w=box.w, h=box.bottom - room_top)
        else:
            left = (size[0] - width) // 2 + round(width * 0.06)
            name_centre = (left + letters.width // 2, box.centre[1])
            room_left = left + letters.width + gap
            room = Rect(x=room_left, y=box.y, w=size[0] - room_left - drift, h=box.h)
        shots.place(still, letters, name_centre)
        if portrait and shots.cut_out_subject(canvas, photo):
            # The cut-out rises under the name while the name drifts sideways with the field
            # (in its own room below the name: the two never meet).
            return shots.floating(
                canvas,
                still,
                subject,
                (room.w, room.h),
                (width // 2, room.y + room.h // 2),
                variant % 2 == 0,
                index,
                LayerMotion.FLOAT,
            )
        layer, pad = shots.shadowed(shots.fit(subject, room.w, room.h), canvas)
        centre = (
            (size[0] // 2, room.y + room.h // 2)
            if portrait
            else (room.x + room.w // 2, room.y + room.h // 2)
        )
        rect = shots.place(still, layer, centre, pad)
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
