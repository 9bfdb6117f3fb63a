"""The pan framing (ShotKind.PAN)."""

from __future__ import annotations

from typing import Literal

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.shots import Canvas, Drawn

PAN_WIDTH = 1.6  # the product's width in a pan, in frame widths (when its photo allows)


class Pan(Framing):
    """The product larger than the frame, the frame travelling across it."""

    kind: Literal[ShotKind.PAN] = ShotKind.PAN

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        photo = canvas.photos[index] if index is not None else None
        subject = canvas.hero if photo is None else photo.subject
        box = canvas.layout.hero
        # Across the product, its height within the text-free band (a tall product drifts
        # across the backdrop); the direction alternates.
        travel = round(width * 0.3)
        # Larger than the frame, across: a wide product (a tent) no taller than the band would
        # leave most of the frame to the backdrop, so it is set wider, and what rises above or
        # falls below the band is left off (the frame travels along a strip of it).
        layer = shots.fit(subject, max(width + travel, round(width * PAN_WIDTH)), 10 * height)
        if layer.height > box.h:
            top = (layer.height - box.h) // 2
            layer = layer.crop((0, top, layer.width, top + box.h))
        size = (max(width + travel, layer.width), height)
        if photo is not None and not photo.cutout.confident:
            still = shots.blurred(shots.opaque(canvas, photo.image, variant), size)
        else:
            still = canvas.backdrop(size, variant + 1)
        rect = shots.place(still, layer, (size[0] // 2, box.centre[1]))
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
