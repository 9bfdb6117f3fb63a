"""Twelve saved pages of real shops (shared/corpus/pages): each gives the name a person reads,
the price the page shows, and its whole gallery (up to the 8 a job takes), and says where each
came from. Served from loopback with every photo answered there (tests/resolvers/corpus_shop.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lifecycle.webhooks import Target, WebhookUrlError
from lifecycle.webhooks import check_webhook_url as real_check
from resolvers.product_page import read_product_page
from tests.resolvers.corpus_shop import CORPUS, CorpusShop, corpus_shop

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus of shop pages is not at {CORPUS}"
)

ETSY_NAME = (
    "EL original he y hay calabaza / decoración de otoño / estera de bienvenida / pintado a "
    "mano, felpudo personalizado / lindo felpudo / doormat al aire libre / decoración del porche"
)
AMAZON_NAME = (
    "Gothamite 36-inch Rolling Duffle Bag with Wheels, Luggage Bag, Hockey Bag, XL Duffle Bag "
    "With Rollers, Heavy Duty Oversized Bag (Black)"
)
# page: (name, where the name is from, price, where the price is from, photos)
PAGES = {
    "amazon-gothamite-duffle.html": (AMAZON_NAME, "heading", "$87.11", "page text", 6),
    "jsonld-currys-selfie-stick.html": (
        "EUSELFIEW Selfie Stick - Black & Silver", "json-ld", "€9.99", "json-ld", 5,
    ),
    "jsonld-ikea-djungelskog.html": (
        "DJUNGELSKOG Soft toy - brown bear", "json-ld", "£25.00", "json-ld", 4,
    ),
    "jsonld-wayfair-armchair.html": (
        "Penhook 20.47'' Wide Armchair", "json-ld", "$111.99", "json-ld", 8,
    ),
    "magento-almedina-one-device.html": (
        "The One Device: The Secret History of the iPhone", "microdata", "€10.75", "microdata", 1,
    ),
    "marketplace-etsy-doormat.html": (ETSY_NAME, "json-ld", "€43.90", "json-ld", 1),
    "microdata-og-otto-kaercher.html": (
        "KÄRCHER Hochdruckreiniger »K 3 Full Control«", "microdata", "€119.01", "microdata", 2,
    ),
    "microdata-only-ebay-pony-harness.html": (
        "Pony Cart Harness - Fit Up To 10/11 Hh - Used With Shetland Pony/Small Donkey",
        "microdata", "£115.00", "microdata", 8,
    ),
    "microdata-only-spartoo-ofleki.html": (
        "Tommy Jeans OFLEKI", "microdata", "€26.00", "microdata", 7,
    ),
    "og-only-bestseller-cardigan.html": (
        "ZIPPED THROUGH CARDIGAN", "json-ld", "€49.99", "json-ld", 8,
    ),
    "shopify-mediamarkt-microondas.html": (
        "Microondas Panasonic NN-K35HWMEBG 800W 23L", "json-ld", "€109.00", "json-ld", 3,
    ),
    "variants-zalando-adilette.html": (
        "TERREX ADILETTE SLIDES - Pool slides - core black/footwear white",
        "json-ld", "€49.10", "json-ld", 6,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
async def shop() -> AsyncIterator[CorpusShop]:
    async with corpus_shop() as running:
        yield running


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fence: a URL the rewriting missed is refused before its name is even looked up."""

    async def check(url: str, **options: Any) -> Target:
        if not url.startswith("http://127.0.0.1:"):
            raise WebhookUrlError(f"not on loopback: {url}")
        return await real_check(url, **options)

    monkeypatch.setattr("resolvers.product_page.check_webhook_url", check)


def test_the_corpus_is_all_here() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
async def test_a_real_shops_page_gives_its_name_price_and_gallery(
    shop: CorpusShop, page: str
) -> None:
    name, name_from, price, price_from, photos = PAGES[page]

    read = await read_product_page(shop.load(page), allow_private=True, timeout_seconds=30)

    assert (read.name, read.price, len(read.images)) == (name, price, photos)
    sources = {(fact.field, fact.source) for fact in read.facts}
    assert {("name", name_from), ("price", price_from)} <= sources
    assert sum(fact.field == "photos" for fact in read.facts) >= 1
    # Every photo downloaded was kept: no two sizes of one photo, nothing beyond the eight.
    assert len(shop.photos_asked) == photos
