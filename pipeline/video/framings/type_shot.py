"""The type framing (ShotKind.TYPE)."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from pipeline.shared.fonts import TYPOGRAPHY
from pipeline.video import artwork, shots
from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.shots import Canvas, Drawn
from pipeline.video.textcards import draw_text, fit_text, hex_rgba


class TypeShot(Framing):
    """The name set huge across an accent field, the product in front of it."""

    kind: Literal[ShotKind.TYPE] = ShotKind.TYPE

    def draw(self, canvas: Canvas) -> Drawn:
        index, variant = self.photo, self.variant
        width, height = canvas.size
        drift = round(width * 0.08)
        size = (width + drift, height)
        accent = hex_rgba(canvas.palette.accent)
        still = Image.new("RGB", size, accent[:3])
        face = TYPOGRAPHY[canvas.style].headline
        ink = (0, 0, 0, 70) if artwork.is_light(canvas.palette.accent) else (255, 255, 255, 80)
        fitted = fit_text(canvas.name.upper(), face, round(width * 0.94), round(height * 0.55),
                          height // 6, 3)  # fmt: skip
        letters = draw_text(fitted, ink, shadow=False)
        box = canvas.layout.hero
        shots.place(still, letters, (size[0] // 2, box.centre[1]))
        photo = canvas.photos[index] if index is not None else None
        subject = canvas.hero if photo is None else photo.subject
        layer, pad = shots.shadowed(
            shots.fit(subject, round(box.w * 0.95), round(box.h * 0.8)), canvas
        )
        rect = shots.place(still, layer, (size[0] // 2, box.centre[1] + round(box.h * 0.08)), pad)
        return shots.drawn(canvas, still, rect, variant % 2 == 0, index)
