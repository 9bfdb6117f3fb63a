"""A brand kit in the render: one home for what it changes, asked by the drawing at four points.

- the palette: the backdrop in the kit's primary colour, graphics in its accent, text in its
  text colour (made readable against the backdrop when the job was made: domain.brand);
- the typography: the headline and the end card's name in the heading font, the captions and
  the call-to-action's button in the body font (each, when the kit has none, the style's);
- the logo on the end card, above the product;
- a small mark (the logo, slightly translucent) in the frame's top-right corner until the end
  card, overlaid once by compositing (RenderPlan.mark).
"""

from __future__ import annotations

from dataclasses import replace

from PIL import Image

from domain.templates import Palette
from pipeline.errors import StageError
from pipeline.shared.fonts import TYPOGRAPHY, Face, Typography
from pipeline.spec import BrandFace, JobSpec
from pipeline.video.layout import Box, Layout

MARK_SHARE = 0.09  # the mark's longer side, as a share of the frame's shorter side
MARK_MARGIN = 0.03  # its distance from the frame's top and right edges (same share)
MARK_OPACITY = 0.85
LOGO_SHARE = 0.1  # the end card's logo: its height, as a share of the frame's height


def _face(face: BrandFace | None, fallback: Face) -> Face:
    return Face(face.file, face.family, fallback.upper) if face else fallback


def typography(spec: JobSpec) -> Typography:
    """The style's typography with the kit's fonts in place of its faces."""
    own = TYPOGRAPHY[spec.style]
    if spec.brand is None:
        return own
    return Typography(_face(spec.brand.heading, own.headline), _face(spec.brand.body, own.caption))


def faces(spec: JobSpec) -> tuple[Face, ...]:
    """The kit's faces libass must find (the captions draw the name and the CTA with them)."""
    if spec.brand is None:
        return ()
    own, style = typography(spec), TYPOGRAPHY[spec.style]
    return tuple(f for f in (own.headline, own.caption) if f not in (style.headline, style.caption))


def palette(spec: JobSpec, style_palette: Palette) -> Palette:
    if spec.brand is None:
        return style_palette
    brand = spec.brand
    return replace(style_palette, background=brand.primary, accent=brand.accent, text=brand.text)


def text_ink(spec: JobSpec) -> str | None:
    """The kit's text colour, which the headlines are set in wherever it reads (else the
    legibility rule's own ink: pipeline.video.legibility)."""
    return spec.brand.text if spec.brand is not None else None


def logo(spec: JobSpec) -> Image.Image | None:
    """The kit's logo (RGBA), or None."""
    if spec.brand is None or spec.brand.logo is None:
        return None
    try:
        with Image.open(spec.brand.logo) as opened:
            image: Image.Image = opened.convert("RGBA")
    except (OSError, ValueError) as exc:
        raise StageError(f"the brand kit's logo could not be read: {exc}") from exc
    return image


def _fitted(image: Image.Image, w: int, h: int) -> Image.Image:
    scale = min(w / image.width, h / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def end_card_logo(
    image: Image.Image, hero: Box, layout: Layout
) -> tuple[Image.Image, tuple[int, int], Box]:
    """The logo sized for the end card, its centre at the top of the product's box, and the
    product's box that is left below it."""
    h = round(layout.height * LOGO_SHARE)
    gap = round(min(layout.width, layout.height) * 0.02)
    fitted = _fitted(image, round(hero.w * 0.6), h)
    below = Box(hero.x, hero.y + h + gap, hero.w, max(1, hero.h - h - gap))
    return fitted, (hero.centre[0], hero.y + h // 2), below


def mark(image: Image.Image, layout: Layout) -> tuple[Image.Image, int, int]:
    """The small mark and where it stands (x, y): the frame's top-right corner."""
    short = min(layout.width, layout.height)
    side = round(short * MARK_SHARE)
    fitted = _fitted(image, side, side)
    alpha = fitted.getchannel("A").point(lambda a: round(a * MARK_OPACITY))
    fitted.putalpha(alpha)
    margin = round(short * MARK_MARGIN)
    return fitted, layout.width - margin - fitted.width, margin
