"""The whole framing (ShotKind.WHOLE)."""

from __future__ import annotations

from typing import Literal

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.layout import Box
from pipeline.video.plan import LayerMotion
from pipeline.video.shots import Canvas, Drawn, Photo


def _subject_box(canvas: Canvas, photo: Photo | None) -> Box:
    """Where the whole product goes: the hero's box (the text-free band); a photo as it is takes
    the frame's width."""
    layout = canvas.layout
    if photo is not None and not photo.cutout.confident:
        return Box(0, layout.hero.y, layout.width, layout.hero.h)
    return layout.hero


class Whole(Framing):
    kind: Literal[ShotKind.WHOLE] = ShotKind.WHOLE

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        drift = round(height * 0.045)
        size = (width, height + drift)
        photo = canvas.photos[index] if index is not None else None
        if shots.cut_out_subject(canvas, photo):
            assert photo is not None
            # The cut-out nearer the eye than its backdrop: it drifts the same way, farther.
            box = canvas.layout.hero
            return shots.floating(
                canvas,
                canvas.backdrop(size, variant),
                photo.subject,
                (box.w, box.h),
                (canvas.layout.centre_x, box.centre[1]),
                variant % 2 == 0,
                index,
                LayerMotion.PARALLAX,
            )
        if photo is None:
            still = canvas.backdrop(size, variant)
            subject, pad = canvas.hero, 0
        else:
            box = _subject_box(canvas, photo)
            fitted = shots.fit(photo.subject, box.w, box.h)
            # The photo as it is, over a blurred enlargement of itself, only while it spans the
            # frame: a small photo (it holds MAX_UPSCALE at most) sits on the backdrop instead.
            spans = fitted.width >= 0.9 * width
            still = (
                shots.blurred(shots.opaque(canvas, photo.image, variant), size)
                if not photo.cutout.confident and spans
                else canvas.backdrop(size, variant)
            )
            subject, pad = shots.shadowed(fitted, canvas)
        centre_x = canvas.layout.centre_x if photo is None or photo.cutout.confident else width // 2
        rect = shots.place(
            still, subject, (centre_x, canvas.layout.hero.centre[1] + drift // 2), pad
        )
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
