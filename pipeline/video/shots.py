"""The shots of an offline ad: how a scene is framed, shot after shot, and each shot's still.

A scene is cut into shots of ~1.5-3 s (pipeline.video.plan) and no two shots in a row frame the
product the same way. The framings:
- whole: the whole product (the cut-out, or the photo as it is) over the backdrop, drifting;
- detail: a close-up on one of the product's most detailed regions, found in the photo by its
  gradient energy (Sobel magnitude summed over square windows inside the product's box);
- pan: the product larger than the frame, the frame panning across it (left, right, up, down);
- card: the photo as a tilted print, or the cut-out larger, over the style's own backdrop;
- pair: two photos, one above the other (side by side in landscape), or a photo and its detail;
- type: the product's name set huge across the frame in the accent colour, the product over it;
- end: the end card, the product large over its name, its price and the call-to-action button.
With several photos, the shots walk through them. Each still is drawn once, at the frame's size
plus the distance its window travels, so compositing only moves a crop over it per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from domain.enums import Style
from domain.templates import Palette
from pipeline.shared.fonts import TYPOGRAPHY
from pipeline.video import artwork, brand
from pipeline.video.cutout import Cutout
from pipeline.video.layout import Box, Layout
from pipeline.video.plan import LayerMotion, LookKind, Rect
from pipeline.video.textcards import draw_text, fit_text, hex_rgba

MAX_UPSCALE = 4.5  # a close-up never enlarges the photo's pixels more than this
DETAIL_SHARE = 0.5  # a close-up's side, as a share of the product's shorter side

Region = tuple[int, int, int, int]  # left, top, right, bottom in the photo's pixels


@dataclass(frozen=True)
class Photo:
    image: Image.Image  # RGBA, upright
    cutout: Cutout
    details: tuple[Region, ...]  # the most detailed squares of the product, best first
    accent: str | None = None  # its accent colour, from its dominant colours

    @property
    def subject(self) -> Image.Image:
        """What a shot shows of this photo: the product cut out, or the whole photo."""
        return self.cutout.image if self.cutout.confident else self.image


def saliency(gray: np.ndarray) -> np.ndarray:
    """Spectral residual saliency (Hou & Zhang, CVPR 2007; OpenCV's StaticSaliencySpectralResidual,
    which only opencv-contrib ships): what stands out of the photo's usual texture, 0..1, at
    `gray`'s size. Wood grain or a busy table is "usual"; a cup's rim and crema are not."""
    small = cv2.resize(gray, (64, 64), interpolation=cv2.INTER_AREA)
    spectrum = np.fft.fft2(small)
    amplitude = np.log(np.abs(spectrum) + 1e-6)
    residual = amplitude - cv2.blur(amplitude, (3, 3))
    back = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    back = cv2.GaussianBlur(back.astype(np.float32), (0, 0), 2.5)
    back = cv2.resize(back, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.asarray(back / max(float(back.max()), 1e-9), dtype=np.float32)


def detail_regions(
    image: Image.Image, box: Region, count: int = 2, mask: Image.Image | None = None
) -> tuple[Region, ...]:
    """Up to `count` squares inside `box` where the product is most detailed: gradient energy
    (Sobel magnitude) weighted by saliency, by nearness to the box's centre and, given the
    product's `mask` ("L", any size), by how much of the product is under it (a tent's box holds
    trees too), summed over square windows; each found square overlaps the others by at most a
    quarter of its side."""
    scale = min(1.0, 384 / max(image.size))
    small = image.convert("L").resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
        Image.Resampling.BOX,
    )
    gray = np.asarray(small, dtype=np.float32)
    on_product = np.ones_like(gray)
    if mask is not None:
        product = np.asarray(mask.resize(small.size, Image.Resampling.BILINEAR), np.float32)
        on_product = 0.05 + cv2.GaussianBlur(product / 255.0, (0, 0), 2.0)
    energy = cv2.magnitude(
        cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    )
    left, top, right, bottom = (round(v * scale) for v in box)
    ys, xs = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]].astype(np.float32)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    spread = max(right - left, bottom - top) / 2
    centred = np.exp(-(((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * spread**2)))
    weight = energy * (0.25 + saliency(gray)) * centred * on_product
    side = max(4, round(DETAIL_SHARE * min(right - left, bottom - top)))
    if right - left < side or bottom - top < side:
        return (box,)
    summed = cv2.integral(weight)[top : bottom + 1, left : right + 1]
    windows = (
        summed[side:, side:] - summed[:-side, side:] - summed[side:, :-side]
        + summed[:-side, :-side]
    )  # fmt: skip
    found: list[Region] = []
    for _ in range(count):
        y, x = (int(v) for v in np.unravel_index(int(np.argmax(windows)), windows.shape))
        if windows[y, x] <= 0:
            break
        found.append(
            (
                round((left + x) / scale),
                round((top + y) / scale),
                round((left + x + side) / scale),
                round((top + y + side) / scale),
            )
        )
        reach = side * 3 // 4
        windows[max(0, y - reach) : y + reach, max(0, x - reach) : x + reach] = 0
    return tuple(found) or (box,)


def analyse(image: Image.Image, cutout: Cutout, accent: str | None = None) -> Photo:
    """The photo's close-ups are found on the product when its cut is confident (in a
    lifestyle photo: on the tent, not the forest), else anywhere in the photo."""
    if cutout.confident:
        regions = detail_regions(image, cutout.bbox, mask=cutout.mask)
    else:
        regions = detail_regions(image, (0, 0, image.width, image.height))
    return Photo(image, cutout, regions, accent)


@dataclass(frozen=True)
class Floating:
    """The product cut out, as its own layer over the shot's backdrop."""

    image: Image.Image  # RGBA: the product with its soft shadow
    start: tuple[int, int]  # its top-left in the frame on the shot's first and last frame
    end: tuple[int, int]
    motion: LayerMotion


@dataclass(frozen=True)
class Drawn:
    image: Image.Image  # RGB, at least the frame's size
    start: tuple[int, int]  # the window's top-left on the first and last frame
    end: tuple[int, int]
    # Where the product is in the frame on the first frame (its layer's whole path, with one)
    product: Rect | None
    photos: tuple[int, ...] = ()  # the photos it shows
    layer: Floating | None = None  # the product, moving against the still


@dataclass
class Canvas:
    """What every shot of one ad is drawn from."""

    layout: Layout
    style: Style
    palette: Palette
    look: LookKind
    photos: Sequence[Photo]
    hero: Image.Image  # the look's hero layer (RGBA): used when there is no photo
    name: str
    logo: Image.Image | None = None  # a brand kit's (RGBA): on the end card, above the product
    _backdrops: dict[tuple[int, int, int], Image.Image] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return self.layout.width, self.layout.height

    def backdrop(self, size: tuple[int, int], variant: int) -> Image.Image:
        """The style's backdrop in one of its lights, at `size` (drawn once per variant)."""
        key = (size[0], size[1], variant % 4)
        if key not in self._backdrops:
            drawn = artwork.background(self.layout, self.style, self.palette, 1 + variant % 4)
            self._backdrops[key] = (
                drawn if drawn.size == size else drawn.resize(size, Image.Resampling.BILINEAR)
            )
        return self._backdrops[key].copy()


def text_margin(height: int) -> int:
    """How far inside the text-free band a shot's product is placed: its drift's allowance."""
    return round(height * 0.03)


def text_free(layout: Layout, *, hook: bool) -> Box:
    """Where a moving shot's product may be, over the whole shot: the band between the scene's
    headline (the opening's larger hook) and the captions, less the most any shot's window
    drifts, so that no headline or caption is ever drawn over the product."""
    top = (layout.hook if hook else layout.headline).bottom
    bottom = layout.captions.y
    margin = text_margin(layout.height)
    box = layout.hero
    return Box(box.x, top + margin, box.w, bottom - top - 2 * margin)


def within(canvas: Canvas, room: Box) -> Canvas:
    """The canvas with its hero's box set to `room` (the framings size the product to it); the
    drawn backdrops are shared."""
    return replace(canvas, layout=replace(canvas.layout, hero=room))


def opaque(canvas: Canvas, image: Image.Image, variant: int) -> Image.Image:
    """`image` as RGB, what it leaves transparent filled with the style's backdrop (converting
    a transparent PNG to RGB would show black, or white, where the product is not)."""
    if image.mode not in ("RGBA", "LA", "PA") or image.getchannel("A").getextrema()[0] == 255:
        return image.convert("RGB")
    flat = canvas.backdrop(image.size, variant)
    flat.paste(image.convert("RGBA"), (0, 0), image.convert("RGBA"))
    return flat


def blurred(image: Image.Image, size: tuple[int, int], shade: float = 0.45) -> Image.Image:
    """`image` filling `size`, blurred and darkened: a backdrop made of the photo's colours."""
    small = ImageOps.fit(
        image.convert("RGB"), (max(1, size[0] // 8), max(1, size[1] // 8)), Image.Resampling.BOX
    )
    blurred = small.filter(ImageFilter.GaussianBlur(5)).resize(size, Image.Resampling.BILINEAR)
    return Image.blend(blurred, Image.new("RGB", size, (0, 0, 0)), shade)


def fit(image: Image.Image, w: int, h: int, upscale: float = MAX_UPSCALE) -> Image.Image:
    scale = min(w / image.width, h / image.height, upscale)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def shadowed(image: Image.Image, canvas: Canvas) -> tuple[Image.Image, int]:
    """The RGBA image with its soft shadow, and the padding the shadow added on each side."""
    r, g, b, _ = hex_rgba(canvas.palette.background)
    tint = (r * 3 // 10, g * 3 // 10, b * 3 // 10)
    shadowed = artwork.soft_shadow(image.convert("RGBA"), tint, image.width)
    return shadowed, (shadowed.width - image.width) // 2


def place(still: Image.Image, layer: Image.Image, centre: tuple[int, int], pad: int = 0) -> Rect:
    """Paste `layer` centred at `centre`; the rect of its content (without `pad`)."""
    x = centre[0] - layer.width // 2
    y = centre[1] - layer.height // 2
    if layer.mode == "RGBA":
        still.paste(layer, (x, y), layer)
    else:
        still.paste(layer, (x, y))
    return Rect(x=x + pad, y=y + pad, w=layer.width - 2 * pad, h=layer.height - 2 * pad)


def in_frame(rect: Rect, window: tuple[int, int], size: tuple[int, int]) -> Rect | None:
    """`rect` (still pixels) in frame pixels for a window at `window`, clipped to the frame."""
    left = max(0, rect.x - window[0])
    top = max(0, rect.y - window[1])
    right = min(size[0], rect.x + rect.w - window[0])
    bottom = min(size[1], rect.y + rect.h - window[1])
    if right <= left or bottom <= top:
        return None
    return Rect(x=left, y=top, w=right - left, h=bottom - top)


def drawn(
    canvas: Canvas,
    still: Image.Image,
    product: Rect | None,
    forward: bool,
    photo: int | None,
) -> Drawn:
    """A still whose window travels its whole extra size, one way or the other."""
    extra = (still.width - canvas.size[0], still.height - canvas.size[1])
    a, b = (0, 0), extra
    start, end = (a, b) if forward else (b, a)
    located = in_frame(product, start, canvas.size) if product is not None else None
    return Drawn(still.convert("RGB"), start, end, located, () if photo is None else (photo,))


def price_tag_rect(
    layout: Layout, style: Style, price: str, ink: str = "#000000"
) -> tuple[Rect, Image.Image]:
    """Where the price's tag stands on the end card, and its text drawn in `ink`: a pill round
    the text, centred in the layout's price box (the preflight asks it where the tag is)."""
    box = layout.end_price
    face = TYPOGRAPHY[style].caption
    fitted = fit_text(price, face, round(box.w * 0.6), round(box.h * 0.72), box.h, 1)
    text = draw_text(fitted, hex_rgba(ink), shadow=False)
    w, h = text.width + round(box.h * 0.6), box.h
    return Rect(x=box.centre[0] - w // 2, y=box.y, w=w, h=h), text


COUNTER_DRIFT = 0.5  # a PARALLAX product moves this share of its backdrop's drift, the other way
FLOAT_RISE = 0.035  # how far a floating product rises over its shot, a share of frame height


def floating(
    canvas: Canvas,
    still: Image.Image,
    subject: Image.Image,
    room: tuple[int, int],
    centre: tuple[int, int],
    forward: bool,
    photo: int | None,
    motion: LayerMotion,
) -> Drawn:
    """The backdrop `still` (no product on it) seen through its drifting window, as `drawn`,
    and `subject` (the cut-out) as its own layer moving against it: PARALLAX against the
    backdrop's drift, COUNTER_DRIFT as far (the camera circling the product: the backdrop
    slides by, the product turns the other way a little); FLOAT rising FLOAT_RISE of the
    frame's height. The product is fitted to `room` (frame pixels, centred at `centre`) less
    what of its travel the text-free band's margin cannot take (`text_margin` on each side, as
    a drifting still's product always had), so its whole path stays clear of the text: the
    plan's product rect is that path's union."""
    base = drawn(canvas, still, None, forward, photo)
    if motion == LayerMotion.PARALLAX:
        # The window moves by `window`, so the backdrop moves by -window in the frame.
        window = (base.end[0] - base.start[0], base.end[1] - base.start[1])
        travel = (round(window[0] * COUNTER_DRIFT), round(window[1] * COUNTER_DRIFT))
    else:
        travel = (0, -round(canvas.size[1] * FLOAT_RISE))
    slack = 2 * text_margin(canvas.size[1])
    fitted = fit(
        subject,
        max(1, room[0] - max(0, abs(travel[0]) - slack)),
        max(1, room[1] - max(0, abs(travel[1]) - slack)),
    )
    layer, pad = shadowed(fitted, canvas)
    x0 = centre[0] - layer.width // 2 - travel[0] // 2
    y0 = centre[1] - layer.height // 2 - travel[1] // 2
    start, end = (x0, y0), (x0 + travel[0], y0 + travel[1])
    union = Rect(
        x=min(start[0], end[0]) + pad,
        y=min(start[1], end[1]) + pad,
        w=fitted.width + abs(travel[0]),
        h=fitted.height + abs(travel[1]),
    )
    product = in_frame(union, (0, 0), canvas.size)
    return replace(base, product=product, layer=Floating(layer, start, end, motion))


def cut_out_subject(canvas: Canvas, photo: Photo | None) -> bool:
    """Whether a shot of `photo` shows the product cut out (and so as its own layer)."""
    return photo is not None and photo.cutout.confident


def price_tag(canvas: Canvas, price: str) -> tuple[Image.Image, Rect]:
    """The price as a tag (RGBA, its own layer: it slides in) and where it stands: a pill in the
    accent colour (a shade darker or lighter where needed), the price in the ink that reads on
    it (artwork.ink_on: at least 5:1)."""
    field, ink = artwork.ink_on(canvas.palette.accent)
    tag, text = price_tag_rect(canvas.layout, canvas.style, price, ink)
    w, h = tag.w, tag.h
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle(
        (0, 0, w - 1, h - 1), radius=h // 2, fill=(*hex_rgba(field)[:3], 255)
    )
    place(image, text, (w // 2, h // 2))
    return image, tag


@dataclass(frozen=True)
class EndCardDrawn:
    image: Image.Image  # RGB, the frame's size: the end card's still (the tag is a layer)
    product: Rect
    button: Rect


BUTTON_SHARE = 0.62  # the button spans at least this share of the frame's width
# Opaque: the call-to-action's white and lit words read on it whatever the backdrop (>= 7:1).
BUTTON_FILL = (18, 18, 18, 255)


def button_rect(layout: Layout, cta_width: int, cta_size: int) -> Rect:
    """The call-to-action's button: round the CTA's text, at least BUTTON_SHARE of the frame's
    width (as wide as the safe zone allows), centred in its box."""
    box = layout.end_cta
    least = round(BUTTON_SHARE * layout.width)
    w = min(box.w, max(least, cta_width + 2 * round(cta_size * 0.7)))
    h = min(box.h, round(cta_size * 1.9))
    cx, cy = box.centre
    return Rect(x=cx - w // 2, y=cy - h // 2, w=w, h=h)


def trimmed(image: Image.Image) -> Image.Image:
    """An RGBA layer cropped to what it shows (a wordmark's canvas has margins of its own)."""
    if image.mode != "RGBA":
        return image
    box = image.getchannel("A").getbbox()
    return image.crop(box) if box else image


def end_card(canvas: Canvas, variant: int, button: Rect, index: int | None) -> EndCardDrawn:
    """The end card: the product large and the button the call-to-action is set on (the name
    and the CTA's words are drawn by the captions, lit as they are said; the price tag is its
    own layer, `price_tag`)."""
    layout = canvas.layout

    def backdrop(light: int) -> Image.Image:  # lit round the product, clear of the words
        around = replace(layout, hero=layout.end_hero)
        return artwork.background(around, canvas.style, canvas.palette, light, rule=False)

    if variant == 0:
        still = backdrop(4)
    else:  # the second half of the end card: the backdrop leans toward the accent colour
        tinted = Image.new("RGB", canvas.size, hex_rgba(canvas.palette.accent)[:3])
        still = Image.blend(backdrop(1), tinted, 0.45)
    photo = canvas.photos[index] if index is not None else None
    subject = trimmed(canvas.hero if photo is None else photo.subject)
    box = layout.end_hero
    if canvas.logo is not None:
        logo, centre, box = brand.end_card_logo(canvas.logo, box, layout)
        place(still, logo, centre)
    layer, pad = shadowed(fit(subject, box.w, box.h), canvas)
    product = place(still, layer, box.centre, pad)
    draw = ImageDraw.Draw(still, "RGBA")
    radius = button.h // 2
    accent = hex_rgba(canvas.palette.accent)
    draw.rounded_rectangle(
        (button.x, button.y, button.x + button.w, button.y + button.h),
        radius=radius,
        fill=BUTTON_FILL,
        outline=accent,
        width=max(4, button.h // 18),
    )
    return EndCardDrawn(still.convert("RGB"), product, button)
