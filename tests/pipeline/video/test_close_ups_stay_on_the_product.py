"""Close-ups and pans of a lifestyle photo stay on the product (issue #30): the tent in its
forest, cut out by U²-Net, is at least half of every frame of every close-up drawn from it, and
at least half of the band a pan may show it in (between the headline and the captions: no text
is ever laid over the product), at the start and at the end of the shot's travel.

The product's pixels are read off the drawn stills themselves: the framings draw the same
photo once more with the cut-out's pixels (under U²-Net's own alpha) painted pure green, over a
palette with no green, so every pixel the product reaches in the frame, sharp or blurred into
the backdrop, is green.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from domain.enums import AspectRatio, Style
from domain.templates import Palette
from pipeline.video import shots
from pipeline.video.artwork import open_photo
from pipeline.video.cutout import cut_out
from pipeline.video.framings.detail import Detail
from pipeline.video.framings.pan import Pan
from pipeline.video.layout import layout_for
from pipeline.video.plan import LookKind
from tests.pipeline.video.test_cutout_scenes import corpus

PALETTE = Palette(background="#3a2a4a", accent="#c04080", text="#ffffff")  # no green in it


def green(frame: np.ndarray) -> np.ndarray:
    r, g, b = (frame[..., k].astype(np.int16) for k in range(3))
    return (g > 90) & (g - r > 50) & (g - b > 50)


@pytest.mark.slow(seconds=4)
@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_close_ups_and_pans_of_the_tent_are_mostly_tent(aspect: AspectRatio) -> None:
    image = open_photo(corpus("lifestyle-tent.jpg"))
    cutout = cut_out(image)
    assert cutout.confident
    alpha = cutout.image.getchannel("A")
    painted = Image.new("RGBA", cutout.image.size, (0, 255, 0, 255))
    painted.putalpha(alpha)
    photo = shots.analyse(image, replace(cutout, image=painted))
    layout = layout_for(aspect, 540)
    canvas = shots.Canvas(
        layout, Style.LUXURY, PALETTE, LookKind.CUTOUT, [photo], painted, "Trailhead Dome Tent"
    )
    band = shots.text_free(layout, hook=False)
    room = shots.within(canvas, band)
    width, height = canvas.size
    shares: list[tuple[str, float]] = []
    for framing in [Detail(photo=0, variant=v) for v in range(4)] + [
        Pan(photo=0, variant=v) for v in range(2)
    ]:
        drawn = framing.draw(room)
        still = np.asarray(drawn.image)
        for x, y in (drawn.start, drawn.end):
            frame = still[y : y + height, x : x + width]
            if isinstance(framing, Pan):  # the product may only be in the band between the texts
                frame = frame[band.y : band.bottom]
            shares.append((f"{framing.kind} {framing.variant}", float(green(frame).mean())))
    print(aspect.value, [(k, round(v, 2)) for k, v in shares])
    assert min(v for _, v in shares) >= 0.5, shares
