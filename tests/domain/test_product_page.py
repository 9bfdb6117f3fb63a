"""What a product page says, in the shapes shops really write it: every kind of markup
(tests/resolvers/pages/), prices in every notation, names wrapped in a shop's name, galleries
with each photo at several sizes, and pages with no product at all; and where each fact came
from."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.page_gallery import distinct_photos, photo_key
from domain.page_names import product_name, site_names
from domain.page_price import Money, display_price, read_money
from domain.product_page import Fact, Listing, NoListing, read_listing

BASE = "https://shop.example/products/kite"
PAGES = Path(__file__).parents[1] / "resolvers" / "pages"


def json_ld(*documents: Any, head: str = "") -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(document)}</script>'
        for document in documents
    )
    return f"<html><head>{head}{scripts}</head><body></body></html>"


def listing(html: str, base: str = BASE) -> Listing:
    found = read_listing(html, base)
    assert isinstance(found, Listing), found
    return found


def fixture(name: str) -> Listing:
    return listing((PAGES / name).read_text(), "https://shop.example/p/1")


def sources(found: Listing) -> dict[str, str]:
    """Field: source, for the text fields."""
    return {fact.field: fact.source for fact in found.facts}


def test_microdata_alone_gives_the_product_its_visible_price_and_its_photos() -> None:
    found = fixture("microdata_magento.html")

    assert found.name == "Caderno Linho A5"  # not the related product's, nor the title's
    assert found.description == "Caderno cosido à mão, capa em linho, 120 folhas."
    assert found.price == "€1,299.00"  # the special price shown first, decimal comma read
    assert [url.rsplit("/", 1)[1] for url in found.image_urls] == [
        "caderno-linho.jpg",
        "caderno-linho-aberto.jpg",
    ]
    assert sources(found) == {"name": "microdata", "description": "microdata", "price": "microdata"}


def test_rdfa_gives_the_product_in_its_own_currency() -> None:
    found = fixture("rdfa_lite.html")

    assert (found.name, found.price) == ("Fjord Wool Blanket", "1,249.50 NOK")
    assert found.description == "Lambswool from Norwegian farms, woven in Bergen."
    # RDF has no order: both photos, in some order.
    assert sorted(found.image_urls) == [
        "https://shop.example/images/fjord-blanket-folded.jpg",
        "https://shop.example/images/fjord-blanket-grey.jpg",
    ]
    assert sources(found) == {"name": "rdfa", "description": "rdfa", "price": "rdfa"}


def test_open_graph_alone_gives_the_product() -> None:
    found = fixture("open_graph_only.html")

    assert (found.name, found.price) == ("Halden Desk Lamp", "£1,249.00")
    assert sources(found) == {
        "name": "open-graph",
        "description": "open-graph",
        "price": "open-graph",
    }


def test_a_json_ld_graph_with_an_aggregate_offer_says_from_its_lowest_price() -> None:
    found = fixture("json_ld_graph_aggregate_offer.html")

    assert (found.name, found.price) == ("Tidewater Kayak Paddle", "from $129.00")
    # og:image is the blade photo again, smaller: counted once, the larger kept.
    assert found.images == (
        ("https://shop.example/cdn/paddle-blade_1200x1200.jpg", "json-ld"),
        ("https://shop.example/cdn/paddle-shaft_1200x1200.jpg", "json-ld"),
    )


def test_a_product_group_gives_its_lowest_variant_price_and_every_variants_photo() -> None:
    found = fixture("product_group_variants.html")

    assert (found.name, found.price) == ("Merino Beanie", "from €29.90")
    assert [url.rsplit("/", 1)[1] for url in found.image_urls] == [
        "beanie-tanne.jpg",
        "beanie-senf.jpg",
        "beanie-nacht.jpg",
    ]


def test_a_page_without_structured_data_gives_its_heading_and_the_price_under_it() -> None:
    found = fixture("no_structured_data.html")

    assert found.name == "Copper Pour-Over Kettle, 1 Litre, Gooseneck Spout"
    assert found.price == "$64.99"  # not the cart's $0.00 above it, nor a suggestion's below
    # The gallery its script carries, each photo at its largest.
    assert found.image_urls == (
        "https://shop.example/images/I/51kettle._AC_SL1500_.jpg",
        "https://shop.example/images/I/61spout._AC_SL1500_.jpg",
    )
    assert sources(found) == {"name": "heading", "price": "page text"}


def test_a_bigcommerce_page_gives_each_gallery_photo_once_at_its_largest() -> None:
    found = fixture("bigcommerce_cornerstone.html")

    assert (found.name, found.price) == ("Orchard Cider Press", "$249.95")
    assert found.description == "Oak tub, cast-iron screw: presses 12 litres a pass."
    stencil = "https://cdn11.shop.example/images/stencil/1280x1280/products/112"
    assert found.images == (
        (f"{stencil}/377/cider-press__81234.1581234567.jpg?c=2", "json-ld"),
        (f"{stencil}/378/cider-press-tub__91011.1581234570.jpg?c=2", "page gallery"),
    )


def test_a_woocommerce_page_reads_its_yoast_graph() -> None:
    found = fixture("woocommerce_yoast.html")

    assert (found.name, found.price) == ("Leinenhemd Nord", "€19.90")
    assert [url.rsplit("/", 1)[1] for url in found.image_urls] == [
        "leinenhemd-nord.jpg",
        "leinenhemd-nord-ruecken.jpg",
    ]


@pytest.mark.parametrize(
    ("written", "currency", "shown"),
    [
        ("10,75\u00a0€ 11,95\u00a0€", None, "€10.75"),  # decimal comma, symbol after
        ("$1,299.00", None, "$1,299.00"),  # thousands separator, symbol before
        ("1.299,00 EUR", None, "€1,299.00"),  # dots for thousands, a code after
        ("10.1400", "EUR", "€10.14"),  # four decimals, rounded as the shop shows it
        ("1 249,50 kr", "NOK", "1,249.50 NOK"),  # a space for thousands, the markup's code
        (2400, "JPY", "¥2,400"),  # a JSON number, a currency without cents
        (24.995, "GBP", "£25.00"),  # rounded half up
        ("CHF 24.90", None, "24.90 CHF"),
    ],
)
def test_a_price_is_read_as_shops_write_it(written: object, currency: str, shown: str) -> None:
    money = read_money(written, currency)
    assert money is not None
    assert display_price(money) == shown


@pytest.mark.parametrize("amount", [0, "0.00", -5, "free", "", True, None, float("nan")])
def test_an_amount_that_is_no_positive_number_is_no_price(amount: object) -> None:
    assert read_money(amount, "USD") is None


def test_several_prices_are_said_from_the_lowest() -> None:
    assert display_price(Money(Decimal("49.1"), "EUR"), starting_at=True) == "from €49.10"


@pytest.mark.parametrize(
    ("written", "url", "site", "name"),
    [
        ("KÄRCHER Hochdruckreiniger »K 3 Full Control« | OTTO", "https://www.otto.de/p/1", None,
         "KÄRCHER Hochdruckreiniger »K 3 Full Control«"),
        ("Details about Pony Cart Harness - Fit Up To 10/11 Hh", "https://www.ebay.co.uk/itm/1",
         None, "Pony Cart Harness - Fit Up To 10/11 Hh"),
        ("Amazon.com: Gothamite Rolling Duffle Bag", "https://www.amazon.com/dp/1", None,
         "Gothamite Rolling Duffle Bag"),
        ("Gothamite Rolling Duffle Bag - Amazon.com", "https://www.amazon.com/dp/1", None,
         "Gothamite Rolling Duffle Bag"),
        ("DJUNGELSKOG Soft toy at IKEA", "https://www.ikea.com/gb/p/1", None,
         "DJUNGELSKOG Soft toy"),
        ("TERREX ADILETTE SLIDES - Pool slides - Zalando.ie", "http://127.0.0.1:8000/p", None,
         "TERREX ADILETTE SLIDES - Pool slides"),
        ("Halden Desk Lamp | Northlight Studio", "http://127.0.0.1:8000/p", "Northlight Studio",
         "Halden Desk Lamp"),
        # A shop's name inside the product's own name stays.
        ("IKEA 365+ Pot - stainless steel", "https://www.ikea.com/gb/p/2", None,
         "IKEA 365+ Pot - stainless steel"),
        ("The One Device: The Secret History of the iPhone", "https://www.almedina.net/p", None,
         "The One Device: The Secret History of the iPhone"),
    ],
)  # fmt: skip
def test_a_name_loses_the_shops_name_around_it(
    written: str, url: str, site: str | None, name: str
) -> None:
    assert product_name(written, site_names(url, site)) == name


def test_an_entity_escaped_twice_in_json_ld_is_decoded_once() -> None:
    found = listing(json_ld({"@type": "Product", "name": "EUSELFIEW Stick - Black &amp; Silver"}))

    assert found.name == "EUSELFIEW Stick - Black & Silver"


@pytest.mark.parametrize(
    ("urls", "kept"),
    [
        # Shopify: _grande, _1024x1024 and _compact of one photo; http and https of one file.
        (
            [
                "http://cdn.shop.example/files/boot_grande.jpg?v=1",
                "https://cdn.shop.example/files/boot_1024x1024.jpg?v=1",
                "https://cdn.shop.example/files/boot_compact.jpg?v=1",
                "https://cdn.shop.example/files/boot-side_1024x1024.jpg?v=1",
            ],
            [
                "https://cdn.shop.example/files/boot_1024x1024.jpg?v=1",
                "https://cdn.shop.example/files/boot-side_1024x1024.jpg?v=1",
            ],
        ),
        # eBay's s-l300 and s-l1600; Zalando's ?imwidth.
        (
            [
                "https://i.img.example/images/g/9twAAOS/s-l300.jpg",
                "https://i.img.example/images/g/9twAAOS/s-l1600.jpg",
                "https://img.example/article/ab12/cd34.jpg?imwidth=103",
                "https://img.example/article/ab12/cd34.jpg?imwidth=1800",
            ],
            [
                "https://i.img.example/images/g/9twAAOS/s-l1600.jpg",
                "https://img.example/article/ab12/cd34.jpg?imwidth=1800",
            ],
        ),
        # Wayfair: a transformation per size, the file named two ways; an id then a slug.
        (
            [
                "https://img.example/im/9717/compr-r85/2779/27792084/penhook-2047-armchair.jpg",
                "https://img.example/im/3375/resize-h755-w755%5Ecompr-r85/2779/27792084/"
                "Penhook+20.47+Armchair.jpg",
                "https://img.example/i/otto/e72f372d-0610-5254-a777-85fa32672557?w=551",
                "https://img.example/i/otto/e72f372d-0610-5254-a777-85fa32672557/kaercher-k-3-full.jpg",
            ],
            [
                "https://img.example/im/3375/resize-h755-w755%5Ecompr-r85/2779/27792084/"
                "Penhook+20.47+Armchair.jpg",
                "https://img.example/i/otto/e72f372d-0610-5254-a777-85fa32672557?w=551",
            ],
        ),
    ],
)
def test_one_photo_at_several_sizes_is_kept_once_at_its_largest(
    urls: list[str], kept: list[str]
) -> None:
    assert [url for url, _ in distinct_photos((url, "json-ld") for url in urls)] == kept


def test_two_photos_of_one_product_are_two() -> None:
    assert photo_key("https://c.example/2/10134622/l_10134622_001.jpg") != photo_key(
        "https://c.example/2/10134622/l_10134622_002.jpg"
    )


@pytest.mark.parametrize(
    "document",
    [
        [{"@type": "BreadcrumbList"}, {"@type": "Product", "name": "Kite"}],  # a top-level list
        {"@graph": [{"@type": "WebSite"}, {"@type": ["Product", "Thing"], "name": "Kite"}]},
        {"@type": "ItemPage", "mainEntity": {"@type": "http://schema.org/Product", "name": "Kite"}},
        {"@type": "brand", "@graph": [{"@type": "product", "name": "Kite"}]},  # Salesforce's
    ],
)
def test_a_product_is_found_wherever_the_document_puts_it(document: Any) -> None:
    assert listing(json_ld(document)).name == "Kite"


def test_an_offer_nested_in_an_offer_and_a_price_specification_will_do() -> None:
    offers = [
        {"@type": "Offer", "availability": "https://schema.org/OutOfStock"},
        {"@type": "Offer", "priceSpecification": [{"price": 9.99, "priceCurrency": "GBP"}]},
    ]
    nested = {
        "@type": "Offer",
        "offers": {"@type": "Offer", "price": "115.0", "priceCurrency": "GBP"},
    }

    assert listing(json_ld({"@type": "Product", "name": "K", "offers": offers})).price == "£9.99"
    assert listing(json_ld({"@type": "Product", "name": "K", "offers": nested})).price == "£115.00"


def test_json_ld_goes_first_then_open_graph_and_each_field_says_where_it_came_from() -> None:
    head = (
        "<title>Kite &amp; Co | Shop</title>"
        '<meta property="og:type" content="product">'
        '<meta property="og:title" content="Kite Deluxe">'
        '<meta property="og:description" content="From Open Graph.">'
        '<meta property="og:image" content="https://shop.example/og.png">'
        '<meta property="product:price:amount" content="12.00">'
        '<meta property="product:price:currency" content="USD">'
    )

    found = listing(json_ld({"@type": "Product", "name": "Kite"}, head=head))

    assert (found.name, found.description, found.price) == ("Kite", "From Open Graph.", "$12.00")
    assert found.facts == (
        Fact("name", "json-ld"),
        Fact("description", "open-graph"),
        Fact("price", "open-graph"),
    )
    assert found.images == (("https://shop.example/og.png", "open-graph"),)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "<h1>How to care for linen</h1><p>Wash it cold.</p>",
            'a heading ("How to care for linen")',
        ),
        ("", 'a title ("Journal")'),
        # Two headings: neither is the page's main one, so no price under it counts.
        ("<h1>Kettle</h1><p>$64.99</p><h1>Teapot</h1>", 'a title ("Journal")'),
    ],
)
def test_a_page_without_a_product_says_what_it_found_and_what_is_missing(
    body: str, said: str
) -> None:
    html = (
        '<html><head><title>Journal</title><meta property="og:type" content="article">'
        '<meta property="og:image" content="https://shop.example/care.jpg"></head>'
        f"<body>{body}</body></html>"
    )

    found = read_listing(html, BASE)

    assert found == NoListing(
        "shows no product: no schema.org Product or Open Graph product data, and "
        f"{said} but no price on the page; give the productName and photos yourself"
    )


def test_a_stranger_s_deep_nesting_is_no_product_and_no_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000

    assert isinstance(
        read_listing(f'<script type="application/ld+json">{deep}</script>', BASE), NoListing
    )
