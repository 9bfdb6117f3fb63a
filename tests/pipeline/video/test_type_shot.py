"""The type framing reads: the name whole, in ink that contrasts with its field, and the product
never over a letter — on decoded pixels of the drawn still, for every style and frame shape."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.colour import contrast
from domain.enums import AspectRatio, Style
from domain.templates import get_template
from pipeline.video import artwork, shots
from pipeline.video.cutout import cut_out
from pipeline.video.framings import ShotKind, framing
from pipeline.video.layout import layout_for
from pipeline.video.plan import LookKind

# A product in a colour nothing else in the shot uses (pure green), on transparency.
PRODUCT_RGB = (0, 255, 0)


def green_product() -> Image.Image:
    image = Image.new("RGBA", (400, 700), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle((60, 40, 340, 660), radius=60, fill=(*PRODUCT_RGB, 255))
    return image


def canvas_for(style: Style, aspect: AspectRatio, name: str) -> shots.Canvas:
    layout = layout_for(aspect, 540)
    palette = artwork.palette_for(style, get_template(style).scenes[0].palette, None)
    image = green_product()
    photo = shots.analyse(image, cut_out(image))
    assert photo.cutout.confident
    return shots.Canvas(layout, style, palette, LookKind.CUTOUT, [photo], image, name)


@pytest.mark.parametrize(
    "aspect", [AspectRatio.PORTRAIT, AspectRatio.SQUARE, AspectRatio.LANDSCAPE]
)
@pytest.mark.parametrize("style", list(Style))
def test_the_name_is_whole_readable_and_never_under_the_product(
    style: Style, aspect: AspectRatio
) -> None:
    name = "Summit Four-Season Expedition Tent"
    canvas = canvas_for(style, aspect, name)
    drawn = framing(ShotKind.TYPE, 0, 1).draw(canvas)
    pixels = np.asarray(with_product(drawn), dtype=np.int16)
    product = np.abs(pixels - np.array(PRODUCT_RGB)).sum(axis=2) < 60
    field_hex, ink_hex = artwork.ink_on(canvas.palette.accent)
    field, ink = np.array(rgb(field_hex)), np.array(rgb(ink_hex))
    letters = np.abs(pixels - ink).sum(axis=2) < 60
    assert product.sum() > 0.02 * product.size  # the product is in the shot
    assert letters.sum() > 0.005 * letters.size  # and so is the name
    # No letter pixel inside the product's box (the product never stands on the name).
    ys, xs = np.nonzero(product)
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    assert not letters[top : bottom + 1, left : right + 1].any()
    # Whole in the frame from the first frame to the last (the window drifts over the still).
    ys, xs = np.nonzero(letters)
    width, height = canvas.size
    for x0, y0 in (drawn.start, drawn.end):
        assert (
            x0 <= xs.min() and xs.max() < x0 + width and y0 <= ys.min() and ys.max() < y0 + height
        )
    # The name's ink against its field, as WCAG measures it.
    assert contrast(_hex(ink), _hex(field)) >= 4.5


def with_product(drawn: shots.Drawn) -> Image.Image:
    """The still with the product where the frame shows it: a product layer pasted at both
    ends of its path (in the still's pixels, where the window is then), so the product's box
    measured on it covers every frame."""
    still = drawn.image.copy()
    if drawn.layer is not None:
        for window, at in ((drawn.start, drawn.layer.start), (drawn.end, drawn.layer.end)):
            position = (window[0] + at[0], window[1] + at[1])
            still.paste(drawn.layer.image, position, drawn.layer.image)
    return still


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb)
