"""createJob's productUrl: the shop's page read, and what it says made fit for a job.

The page is the user's link, read through resolvers.product_page (the SSRF guard, size limits,
one deadline). What it says is cleaned like typed text (domain.text); a name or description
longer than the input's limits is shortened at a sentence or word boundary instead of refused,
since nobody typed it, and text that cannot be used as is (a control character, a bidirectional
override) is left out, as is a price too long to show. A page that cannot be read, or shows no
product, is a field error on productUrl with the page reader's code.

Photos are downloaded only when the caller sent none: theirs win (createJob merges the rest).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from typing import Any

from db.models import MAX_DESCRIPTION, MAX_PRICE, MAX_PRODUCT_IMAGES, MAX_PRODUCT_NAME
from domain.text import TextError, clean_text, graphemes
from resolvers import uploads
from resolvers.errors import FieldError
from resolvers.product_page import ProductPage, ProductPageError, read_product_page
from settings import Settings

FIELD = ("input", "productUrl")
_SENTENCE_ENDS = (". ", "! ", "? ")
_TRAILING = " ,;:-\u2013\u2014"


@dataclass(frozen=True, slots=True)
class PageProduct:
    """What a product page gives a job, each part ready to store."""

    name: str | None
    description: str | None
    price: str | None
    photos: tuple[uploads.CheckedImage, ...]
    facts: tuple[dict[str, Any], ...] = ()  # where each came from, as the job stores them


def shorten(text: str, max_chars: int) -> str:
    """`text` if it fits in `max_chars` characters; else its longest start that does and ends
    with a sentence (when that keeps at least half), or else with a whole word."""
    clusters = graphemes(text)
    if len(clusters) <= max_chars:
        return text
    head = "".join(clusters[:max_chars])
    sentence = max(head.rfind(end) for end in _SENTENCE_ENDS)
    if sentence >= len(head) // 2:
        return head[: sentence + 1]
    if clusters[max_chars] == " ":
        return head.rstrip(_TRAILING)
    space = head.rfind(" ")
    return head[:space].rstrip(_TRAILING) if space > 0 else head


def page_text(value: str | None, max_chars: int) -> str | None:
    """Page text as an input would be stored, shortened to fit; None when there is none or it
    cannot be used as is."""
    if value is None:
        return None
    try:
        # No limit yet: the cleaned text is shortened below, then held to the limit as typed
        # text is (characters that each take many code points are refused there).
        text = clean_text(value, field="page text", max_chars=sys.maxsize)
        return clean_text(shorten(text, max_chars), field="page text", max_chars=max_chars)
    except TextError:
        return None


def page_product(page: ProductPage) -> PageProduct:
    price = page.price.strip() if page.price else None
    product = PageProduct(
        name=page_text(page.name, MAX_PRODUCT_NAME),
        description=page_text(page.description, MAX_DESCRIPTION),
        price=price if price and len(price) <= MAX_PRICE else None,
        photos=page.images[:MAX_PRODUCT_IMAGES],
    )
    # A fact is kept only for what the job keeps of the page.
    kept = {
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "photos": product.photos,
    }
    facts = tuple(asdict(fact) for fact in page.facts if kept.get(fact.field))
    return PageProduct(product.name, product.description, product.price, product.photos, facts)


async def read_page(settings: Settings, url: str, *, want_photos: bool) -> PageProduct | FieldError:
    """The product on the page at `url`, or the field error that says why there is none."""
    try:
        page = await read_product_page(
            url,
            allow_private=settings.product_page_allow_private_networks,
            max_image_bytes=settings.max_upload_bytes,
            max_image_pixels=settings.max_image_pixels,
            max_images=MAX_PRODUCT_IMAGES if want_photos else 0,
        )
    except ProductPageError as error:
        return FieldError(error.code, f"productUrl {error.message}", FIELD)
    return page_product(page)
