"""What a product page says, in the shapes shops really write it: JSON-LD nested or listed,
ProductGroups, offers of every kind, prices as the end card shows them, and pages with no
product at all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.product_page import Listing, display_price, read_listing

BASE = "https://shop.example/products/kite"


def json_ld(*documents: Any, head: str = "") -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(document)}</script>'
        for document in documents
    )
    return f"<html><head>{head}{scripts}</head><body></body></html>"


def listing(html: str) -> Listing:
    found = read_listing(html, BASE)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (24.0, "USD", "$24.00"),
        ("19.90", "EUR", "€19.90"),
        ("9.5", "gbp", "£9.50"),
        (2400, "JPY", "¥2,400"),
        ("24.90", "CHF", "24.90 CHF"),
        ("1,299.00", "USD", "$1,299.00"),
        ("1.299,00", "EUR", "€1,299.00"),
        ("19,90", "EUR", "€19.90"),
        ("24.00", None, "24.00"),
        ("24.00", "US Dollar", "24.00"),
    ],
)
def test_a_price_is_shown_the_way_an_end_card_says_it(
    amount: object, currency: object, shown: str
) -> None:
    assert display_price(amount, currency) == shown


@pytest.mark.parametrize("amount", [0, "0.00", -5, "free", "$24", True, None, float("nan")])
def test_an_amount_that_is_no_positive_number_is_no_price(amount: object) -> None:
    assert display_price(amount, "USD") is None


def test_a_shopify_product_group_gives_the_groups_text_and_its_first_variants_price() -> None:
    # Shopify's `structured_data` filter, for a product with variants.
    group = {
        "@context": "http://schema.org",
        "@type": "ProductGroup",
        "name": "Kite Tee",
        "description": "<p>Heavyweight cotton.</p>",
        "image": "//shop.example/cdn/shop/files/tee.jpg?v=1",
        "productGroupID": "7712345678901",
        "variesBy": ["https://schema.org/color"],
        "hasVariant": [
            {
                "@type": "Product",
                "name": "Kite Tee - Red",
                "image": "//shop.example/cdn/shop/files/tee-red.jpg?v=1",
                "offers": {"@type": "Offer", "price": "24.90", "priceCurrency": "CHF"},
            },
            {
                "@type": "Product",
                "name": "Kite Tee - Blue",
                "offers": {"@type": "Offer", "price": "26.90", "priceCurrency": "CHF"},
            },
        ],
    }

    assert listing(json_ld(group)) == Listing(
        name="Kite Tee",
        description="Heavyweight cotton.",
        price="24.90 CHF",
        image_urls=("https://shop.example/cdn/shop/files/tee.jpg?v=1",),
    )


@pytest.mark.parametrize(
    "document",
    [
        [{"@type": "BreadcrumbList"}, {"@type": "Product", "name": "Kite"}],  # a top-level list
        {"@graph": [{"@type": "WebSite"}, {"@type": ["Product", "Thing"], "name": "Kite"}]},
        {"@type": "ItemPage", "mainEntity": {"@type": "http://schema.org/Product", "name": "Kite"}},
    ],
)
def test_a_product_is_found_wherever_the_document_puts_it(document: Any) -> None:
    assert listing(json_ld(document)).name == "Kite"


def test_an_aggregate_offer_shows_its_lowest_price() -> None:
    product = {
        "@type": "Product",
        "name": "Kite",
        "offers": {
            "@type": "AggregateOffer",
            "lowPrice": 2400,
            "highPrice": 3200,
            "priceCurrency": "JPY",
        },
    }

    assert listing(json_ld(product)).price == "¥2,400"


def test_the_first_offer_with_a_price_counts_and_a_price_specification_will_do() -> None:
    offers = [
        {"@type": "Offer", "availability": "https://schema.org/OutOfStock"},
        {
            "@type": "Offer",
            "priceSpecification": [{"price": 9.99, "priceCurrency": "GBP"}],
        },
    ]

    assert listing(json_ld({"@type": "Product", "name": "Kite", "offers": offers})).price == (
        "£9.99"
    )


def test_images_in_every_shape_are_made_absolute_and_listed_once() -> None:
    images = [
        "/files/a.png",
        {"@type": "ImageObject", "url": "https://cdn.example/b.jpg"},
        {"@type": "ImageObject", "contentUrl": "//cdn.example/c.webp"},
        "https://shop.example/files/a.png#zoom",
        "data:image/png;base64,iVBORw0KGgo=",
    ]

    assert listing(json_ld({"@type": "Product", "image": images})).image_urls == (
        "https://shop.example/files/a.png",
        "https://cdn.example/b.jpg",
        "https://cdn.example/c.webp",
    )


def test_json_ld_goes_first_then_open_graph_then_the_title() -> None:
    head = (
        "<title>Kite &amp; Co | Shop</title>"
        '<meta name="description" content="From the meta description.">'
        '<meta property="og:description" content="From Open Graph.">'
        '<meta property="og:image" content="https://shop.example/og.png">'
        '<meta property="product:price:amount" content="12.00">'
        '<meta property="product:price:currency" content="USD">'
    )
    broken = '<script type="application/ld+json">{"@type": "Product",}</script>'

    assert listing(f"<html><head>{head}{broken}</head></html>") == Listing(
        name="Kite & Co | Shop",
        description="From Open Graph.",
        price="$12.00",
        image_urls=("https://shop.example/og.png",),
    )
    assert listing(json_ld({"@type": "Product", "name": "Kite"}, head=head)) == Listing(
        name="Kite",
        description="From Open Graph.",
        price="$12.00",
        image_urls=("https://shop.example/og.png",),
    )


@pytest.mark.parametrize(
    "head",
    [
        "",
        "<title>Journal</title>",
        # A blog post: a name and an image, but nothing says it is a product.
        '<meta property="og:type" content="article"><meta property="og:title" content="Care">'
        '<meta property="og:image" content="https://shop.example/care.jpg">',
        # A product type with no name at all.
        '<meta property="og:type" content="product">',
    ],
)
def test_a_page_without_product_data_has_no_listing(head: str) -> None:
    assert read_listing(f"<html><head>{head}</head><body><h1>Hi</h1></body></html>", BASE) is None


def test_a_stranger_s_deep_nesting_is_no_product_and_no_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000

    html = f'<script type="application/ld+json">{deep}</script>'

    assert read_listing(html, BASE) is None


def test_an_old_themes_conditional_markup_does_not_stop_the_reading() -> None:
    html = (
        '<html><head><![if !IE]><link rel="stylesheet" href="/modern.css"><![endif]>'
        '<meta property="og:type" content="product"><meta property="og:title" content="Kite">'
        "</head></html>"
    )

    assert listing(html).name == "Kite"
