"""The pan framing (ShotKind.PAN)."""

from __future__ import annotations

from typing import Literal

from pipeline.video import shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.shots import Canvas, Drawn


class Pan(Framing):
    """The product larger than the frame, the frame travelling across it."""

    kind: Literal[ShotKind.PAN] = ShotKind.PAN

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        photo = canvas.photos[index] if index is not None else None
        subject = canvas.hero if photo is None else photo.subject
        box = canvas.layout.hero
        # Across a wide subject, along a tall one; the direction alternates.
        across = subject.width / subject.height >= box.w / box.h
        if across:
            travel = round(width * 0.3)
            layer = shots.fit(subject, max(width + travel, round(box.w * 1.5)), round(box.h * 1.25))
            size = (max(width + travel, layer.width), height)
        else:
            travel = round(height * 0.16)
            layer = shots.fit(
                subject, round(width * 1.25), max(height + travel, round(box.h * 1.6))
            )
            size = (width, max(height + travel, layer.height))
        if photo is not None and not photo.cutout.confident:
            still = shots.blurred(shots.opaque(canvas, photo.image, variant), size)
        else:
            still = canvas.backdrop(size, variant + 1)
        rect = shots.place(
            still, layer, (size[0] // 2, size[1] // 2 + (box.centre[1] - height // 2))
        )
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
