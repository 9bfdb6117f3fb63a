"""Where things go in the frame for each aspect ratio, derived from the template's safe zones.

Text (headline, captions, the end card's call-to-action) stays inside `SAFE_ZONES[aspect]`, the
part of the frame platform UI never covers. Everything is centred on one vertical line, the
safe zone's middle (on Reels/TikTok the right rail makes it a little left of the frame's
middle): the headline, the hero below it (the product, as large as the space between headline
and captions allows) and the captions. The opening's headline is larger (the hook); the end card
stacks the product, its name, its price and the call-to-action's button.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.enums import FULL_RESOLUTION, AspectRatio
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

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2

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
    hook: Box  # the opening's larger headline, from the same top edge
    hero: Box  # the product at its largest (zoom 1.0 fits here)
    captions: Box  # voiceover captions, bottom of the safe zone
    end_hero: Box  # the product on the end card
    end_name: Box  # the product's name on the end card
    end_price: Box  # its price, when known
    end_cta: Box  # the call-to-action's button on the end card
    headline_size: int  # largest headline font size, pixels
    hook_size: int  # the opening headline's, pixels (>= 8% of a portrait frame's height in ink)
    caption_size: int
    cta_size: int
    name_size: int  # the end card's name at its largest (>= 4% of the frame's height)

    @property
    def centre_x(self) -> int:
        return self.safe.x + self.safe.w // 2


def layout_for(aspect: AspectRatio, resolution: int = FULL_RESOLUTION) -> Layout:
    """Everything in proportion to the frame, so a draft (a smaller `resolution`) is the full
    ad drawn smaller."""
    width, height = aspect.size_at(resolution)
    zone = SAFE_ZONES[aspect]
    safe = Box(
        x=round(zone.left * width),
        y=round(zone.top * height),
        w=round(width * (1 - zone.left - zone.right)),
        h=round(height * (1 - zone.top - zone.bottom)),
    )
    portrait = height > width
    short_side = min(width, height)
    gap = round(short_side * 0.02)
    headline = Box(safe.x, safe.y, safe.w, round(safe.h * (0.15 if portrait else 0.2)))
    captions = Box(safe.x, safe.bottom - round(safe.h * (0.12 if portrait else 0.17)), safe.w,
                   round(safe.h * (0.12 if portrait else 0.17)))  # fmt: skip
    room_top, room_bottom = headline.bottom + gap, captions.y - gap
    hero_h = room_bottom - room_top
    # Portrait: the product spans at least 55% of the frame's width at its largest.
    hero_w = min(safe.w, round(width * (0.66 if portrait else 0.42)))
    centre_x = safe.x + safe.w // 2
    hero = Box(centre_x - hero_w // 2, room_top, hero_w, hero_h)
    hook = Box(safe.x, safe.y, safe.w, round(safe.h * (0.3 if portrait else 0.36)))
    end_hero, end_name, end_price, end_cta = _end_card(width, height, safe, gap)
    return Layout(
        width=width,
        height=height,
        safe=safe,
        headline=headline,
        hook=hook,
        hero=hero,
        captions=captions,
        end_hero=end_hero,
        end_name=end_name,
        end_price=end_price,
        end_cta=end_cta,
        headline_size=round(short_side * (0.085 if portrait else 0.075)),
        hook_size=round(height * (0.075 if portrait else 0.1)),
        caption_size=round(short_side * (0.072 if portrait else 0.058)),
        cta_size=round(short_side * (0.095 if portrait else 0.08)),
        name_size=round(height * (0.08 if portrait else 0.09)),
    )


# The end card, as shares of the frame's height.
END_NAME = 0.11  # two lines of the name at about 5% of the height each (square)
PORTRAIT_NAME = 0.21  # two lines of the name, their letters each 4% of the height or more
END_PRICE = 0.055  # its price tag
END_CTA = 0.075  # the call-to-action's button
END_TOP = 0.05  # the product may rise above the safe zone (it is no text)
END_FOOT = 0.02  # portrait: the product stands this far above the frame's foot
LANDSCAPE_NAME, LANDSCAPE_PRICE, LANDSCAPE_CTA = 0.1, 0.065, 0.085  # landscape's shares
LANDSCAPE_TOP = 0.03


def _end_card(width: int, height: int, safe: Box, gap: int) -> tuple[Box, Box, Box, Box]:
    """The end card sells and fills the frame: the product as large as the frame allows (it is
    no text, so it may stand outside the safe zone), its name, its price as a tag and the
    call-to-action's button, each word inside the safe zone, and no band of the frame left
    empty over 15% of its height.
    - Portrait: the words at the top of the safe zone (name, price, button) and the product
      below them, down to near the frame's foot: the platform's bottom band (a fifth of the
      frame, where its own UI goes) holds the product's foot, not an empty backdrop.
    - Square and landscape: the product on top, from near the frame's top, and the words under
      it, the button at the safe zone's foot (a tenth of the frame or less below it)."""
    margin = round(width * (0.03 if height > width else 0.06))
    if height > width:
        shares = (PORTRAIT_NAME, END_PRICE, END_CTA)
        name_h, price_h, cta_h = (round(height * share) for share in shares)
        name = Box(safe.x, safe.y, safe.w, name_h)
        price = Box(safe.x, name.bottom + gap, safe.w, price_h)
        cta = Box(safe.x, price.bottom + gap, safe.w, cta_h)
        top = cta.bottom + gap
        hero = Box(margin, top, width - 2 * margin, height - round(height * END_FOOT) - top)
        return hero, name, price, cta
    shares = (
        (LANDSCAPE_NAME, LANDSCAPE_PRICE, LANDSCAPE_CTA)
        if width > height
        else (END_NAME, END_PRICE, END_CTA)
    )
    name_h, price_h, cta_h = (round(height * share) for share in shares)
    cta = Box(safe.x, safe.bottom - cta_h, safe.w, cta_h)
    price = Box(safe.x, cta.y - gap - price_h, safe.w, price_h)
    name = Box(safe.x, price.y - gap - name_h, safe.w, name_h)
    top = round(height * (LANDSCAPE_TOP if width > height else END_TOP))
    hero = Box(margin, top, width - 2 * margin, name.y - gap - top)
    return hero, name, price, cta


def arranged(
    layout: Layout,
    aspect: float,
    *,
    named: bool = True,
    priced: bool = True,
    name_h: int | None = None,
) -> Layout:
    """The end card's boxes for a product of this `aspect` (width / height): the product at
    the largest size its box allows, and the room it leaves (a wide product is short) spread
    evenly between the card's parts, so that no band of the frame is left empty over 15% of its
    height. Without a name (the look's hero is the name) or a price, their room is spread too.
    Portrait: the words from the safe zone's top, the product below them down to the frame's
    foot. Square and landscape: the product from the frame's top, the words under it, the
    button at the safe zone's foot. `name_h`: how tall the name stands as set (one line
    needs less than the two its box holds)."""
    gap = layout.end_price.y - layout.end_name.bottom
    hero = layout.end_hero
    if name_h is not None and name_h < layout.end_name.h:
        hero = Box(hero.x, hero.y, hero.w, hero.h + layout.end_name.h - name_h)
        end_name = layout.end_name
        layout = replace(layout, end_name=Box(end_name.x, end_name.y, end_name.w, name_h))
    portrait = layout.height > layout.width
    # The largest box the product can have: every part it does not need given to it.
    spare = (0 if named else layout.end_name.h + gap) + (0 if priced else layout.end_price.h + gap)
    words = [layout.end_name] * named + [layout.end_price] * priced + [layout.end_cta]
    heights = [box.h for box in words]
    foot = round(layout.height * END_FOOT)
    if portrait:
        room = layout.height - foot - layout.safe.y - sum(heights) - gap * len(words)
    else:
        room = layout.end_cta.bottom - hero.y - sum(heights) - gap * len(words)
    product_h = min(room, hero.h + spare, round(hero.w / max(aspect, 1e-3)))
    if portrait:
        free = layout.height - foot - layout.safe.y - sum(heights) - product_h
        step = max(gap, free // (len(words) + 1))
        y, placed = layout.safe.y, []
        for box in words:
            placed.append(Box(box.x, y, box.w, box.h))
            y += box.h + step
        product = Box(hero.x, y, hero.w, product_h)
    else:
        free = layout.end_cta.bottom - hero.y - sum(heights) - product_h
        step = max(gap, free // (len(words) + 1))
        top = layout.end_cta.bottom - sum(heights) - step * len(words) - product_h
        product = Box(hero.x, top, hero.w, product_h)
        y, placed = product.bottom + step, []
        for box in words:
            placed.append(Box(box.x, y, box.w, box.h))
            y += box.h + step
    cta = placed[-1]
    name = placed[0] if named else layout.end_name
    price = placed[int(named)] if priced else layout.end_price
    return replace(layout, end_hero=product, end_name=name, end_price=price, end_cta=cta)
