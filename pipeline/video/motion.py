"""Motion decided once, at draw time: how each shot comes in (a hard cut, a slide, a zoom
through), which cuts land with a scale punch, and how the end card's price tag enters.

The rules, in one place:
- one cut inside each moving scene slides the next shot in (the first that found no beat, else
  the first, starting on its beat): one a scene, as a slide softens a cut and an ad of slides
  loses its rhythm;
- every other cut on a beat stays a hard cut and lands with a short punch (the beat is felt
  twice), except on the end card, whose button and words the captions draw unpunched;
- a scene's own first cut stays hard (the voice starts there), except into the end card, which
  the scene before zooms through into; its price tag pops in once the zoom is done.
Every transition and punch lasts a few frames, so the per-frame cost of mixing two pictures or
scaling one is paid only there (pipeline.compositing.filtergraph).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.video.plan import (
    CUT,
    Layer,
    LayerMotion,
    Punch,
    Rect,
    Transition,
    TransitionKind,
)

SLIDE_SECONDS = 0.2
ZOOM_SECONDS = 0.27
PUNCH_SECONDS = 0.17
PUNCH_ZOOM = 1.07
TAG_SECONDS = 0.3


def _frames(seconds: float, fps: int) -> int:
    return max(2, round(seconds * fps))


@dataclass(frozen=True)
class Entrance:
    enter: Transition
    punch: Punch | None


def slide_at(beats: Sequence[float | None]) -> int | None:
    """Which shot of a moving scene (given each shot's beat) slides in."""
    if len(beats) < 2:
        return None
    return next((k for k, beat in enumerate(beats) if k and beat is None), 1)


def entrances(
    fps: int, beats: Sequence[float | None], *, end_card: bool, after_a_scene: bool
) -> list[Entrance]:
    """How each shot of one scene comes in (`beats`: the beat each was cut on)."""
    punch = Punch(frames=_frames(PUNCH_SECONDS, fps), zoom=PUNCH_ZOOM)
    slide = None if end_card else slide_at(beats)
    out: list[Entrance] = []
    for k, beat in enumerate(beats):
        if k == 0 and end_card and after_a_scene:
            zoom = Transition(kind=TransitionKind.ZOOM, frames=_frames(ZOOM_SECONDS, fps))
            out.append(Entrance(zoom, None))
        elif k == slide:
            kind = TransitionKind.SLIDE
            out.append(Entrance(Transition(kind=kind, frames=_frames(SLIDE_SECONDS, fps)), None))
        else:
            out.append(Entrance(CUT, punch if beat is not None and not end_card else None))
    return out


def punched(product: Rect | None, punch: Punch | None, size: tuple[int, int]) -> Rect | None:
    """Where the product is over a punch too: its rect and that rect enlarged by the punch's
    zoom about the frame's centre, clipped to the frame."""
    if product is None or punch is None:
        return product
    cx, cy = size[0] / 2, size[1] / 2
    left = max(0, math.floor(cx + (product.x - cx) * punch.zoom))
    top = max(0, math.floor(cy + (product.y - cy) * punch.zoom))
    right = min(size[0], math.ceil(cx + (product.x + product.w - cx) * punch.zoom))
    bottom = min(size[1], math.ceil(cy + (product.y + product.h - cy) * punch.zoom))
    return Rect(x=left, y=top, w=right - left, h=bottom - top)


def tag_layer(path: str, tag: Rect, width: int, fps: int, after: int) -> Layer:
    """The price tag popping in from the frame's right edge to `tag`, `after` frames into
    the end card (once the zoom into it is done)."""
    return Layer(
        path=path,
        start=(width, tag.y),
        end=(tag.x, tag.y),
        motion=LayerMotion.POP,
        frames=_frames(TAG_SECONDS, fps),
        delay=after,
    )
