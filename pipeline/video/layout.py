"""Where things go in the frame for each aspect ratio, derived from the template's safe zones.

Text (headline, captions, the end card's call-to-action) stays inside `SAFE_ZONES[aspect]`, the
part of the frame platform UI never covers. The product sits between headline and captions, so
camera motion on it never pushes it over text.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AspectRatio
from domain.templates import SAFE_ZONES


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    safe: Box  # text must stay inside this
    headline: Box  # on-screen text, top of the safe zone
    product: Box  # square area for the product at full zoom
    captions: Box  # voiceover captions, bottom of the safe zone
    headline_size: int  # largest headline font size, pixels
    caption_size: int


def layout_for(aspect: AspectRatio) -> Layout:
    width, height = aspect.size
    zone = SAFE_ZONES[aspect]
    safe = Box(
        x=round(zone.left * width),
        y=round(zone.top * height),
        w=round(width * (1 - zone.left - zone.right)),
        h=round(height * (1 - zone.top - zone.bottom)),
    )
    portrait = height > width
    headline_h = round(safe.h * (0.17 if portrait else 0.2))
    caption_h = round(safe.h * (0.18 if portrait else 0.2))
    gap = round(min(width, height) * 0.025)
    headline = Box(safe.x, safe.y, safe.w, headline_h)
    captions = Box(safe.x, safe.bottom - caption_h, safe.w, caption_h)
    room = captions.y - gap - (headline.bottom + gap)
    side = min(room, round(width * 0.8))
    product = Box((width - side) // 2, headline.bottom + gap + (room - side) // 2, side, side)
    short_side = min(width, height)
    return Layout(
        width=width,
        height=height,
        safe=safe,
        headline=headline,
        product=product,
        captions=captions,
        headline_size=round(short_side * 0.085),
        caption_size=round(short_side * 0.055),
    )
