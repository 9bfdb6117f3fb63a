"""Product pages, the part that is pure: what a shop's page says about its product, and where
each fact came from.

Every kind of markup is read (domain.page_markup, with extruct) and merged field by field in
this order of trust, the first that says something winning:

1. JSON-LD ("json-ld"): what Shopify, WooCommerce, BigCommerce and most themes write for search
   engines; a Product, or a ProductGroup with its variants (`hasVariant`);
2. microdata ("microdata"): itemprop attributes on the visible page (eBay, Spartoo, Magento);
3. RDFa ("rdfa"): typeof/property attributes;
4. Open Graph ("open-graph"): og:title, og:description, every og:image, og:price:* and
   product:price:*;
5. what a person sees ("heading", "title", "page text"): the main heading, the <title>, a price
   shown just under the heading, the meta description, the page's gallery.

Photos are gathered from all of them (domain.page_gallery: each photo once, at its largest). A
page with one offer per size or colour gives its lowest price, "from" when they differ
(domain.page_price); names lose the shop's name around them (domain.page_names). The fetching,
and the guard around it, is resolvers/product_page.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from domain import page_gallery, page_text
from domain.page_markup import Markup, Node, read_markup, types
from domain.page_names import clean_text, product_name, site_names, with_brand
from domain.page_price import Money, display_price, lowest_price, read_money

PRODUCT_TYPES = frozenset({"product", "productgroup", "individualproduct", "productmodel"})
STRUCTURED = ("json-ld", "microdata", "rdfa")


@dataclass(frozen=True, slots=True)
class Fact:
    """Where one field of the listing came from: `source` is "json-ld", "microdata", "rdfa",
    "open-graph", "heading", "title", "page text" or "page gallery"."""

    field: str
    source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """What a page says about its product, before any image is fetched."""

    name: str | None = None
    description: str | None = None
    price: str | None = None  # for display: "$24.00", "€19.90", "from €49.10", "24.90 CHF"
    # Absolute http(s), one per photo, in order of trust, with where each was found.
    images: tuple[tuple[str, str], ...] = ()
    facts: tuple[Fact, ...] = ()

    @property
    def image_urls(self) -> tuple[str, ...]:
        return tuple(url for url, _ in self.images)


@dataclass(frozen=True, slots=True)
class NoListing:
    """A page with no product on it; `reason` says what was found and what is missing, to be
    read after "productUrl "."""

    reason: str


def join_url(base: str, url: str) -> str | None:
    """`url` resolved against `base` ("//cdn..." and "/files/..." too), without its fragment
    (never sent); None when it cannot be parsed."""
    try:
        return urljoin(base, url.strip()).partition("#")[0]
    except ValueError:
        return None


@dataclass
class _Product:
    """One source's product: the main node and its variants."""

    source: str
    node: Node
    variants: list[Node] = field(default_factory=list)


def _products(markup: Markup) -> list[_Product]:
    """Per structured source, the page's product, with its variants: a ProductGroup's
    hasVariant, and the other Product nodes of the same name (one per colour or size)."""
    found: list[_Product] = []
    for source in STRUCTURED:
        nodes = [n for n in markup.nodes.get(source, []) if types(n) & PRODUCT_TYPES]
        named = [n for n in nodes if clean_text(n.get("name"))] or nodes
        if not named:
            continue
        main = named[0]
        variants = [v for v in _listed(main.get("hasVariant")) if isinstance(v, dict)]
        name = (clean_text(main.get("name")) or "").casefold()
        variants += [
            n
            for n in named[1:]
            if n not in variants and (clean_text(n.get("name")) or "").casefold() == name
        ]
        found.append(_Product(source, main, variants))
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _offers(offers: Any, depth: int = 0) -> list[Money]:
    """Every price an offer states: an Offer's price, an AggregateOffer's lowPrice and
    highPrice, a priceSpecification's price, and offers nested in offers (eBay's)."""
    prices: list[Money] = []
    for offer in _listed(offers):
        if not isinstance(offer, dict) or depth > 4:
            continue
        specs = [s for s in _listed(offer.get("priceSpecification")) if isinstance(s, dict)]
        currency = offer.get("priceCurrency") or next(
            (s.get("priceCurrency") for s in specs if s.get("priceCurrency")), None
        )
        amounts = [offer.get("lowPrice"), offer.get("price"), offer.get("highPrice")]
        stated = [m for m in (read_money(_first(a), currency) for a in amounts) if m]
        if not stated:
            specified = (read_money(_first(s.get("price")), currency) for s in specs)
            stated = [m for m in specified if m][:1]
        prices += stated + _offers(offer.get("offers"), depth + 1)
    return prices


def _first(value: Any) -> Any:
    return next(iter(value), None) if isinstance(value, list) else value


def _image_urls(value: Any, index: dict[str, Node]) -> list[str]:
    """A URL, a list of them, an ImageObject (or a reference to one by @id, as Yoast writes
    them), or a list of those."""
    urls: list[str] = []
    for item in _listed(value):
        if isinstance(item, dict):
            reference = item.get("@id")
            if "url" not in item and "contentUrl" not in item and isinstance(reference, str):
                item = index.get(reference, item)
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        item = _first(item)
        if isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return urls


def _brand(node: Node) -> str | None:
    brand = _first(node.get("brand"))
    return clean_text(brand.get("name") if isinstance(brand, dict) else brand)


class _Reading:
    """The listing as it is merged: each field set once, by the first source that has it."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.facts: list[Fact] = []

    def offer(self, field_name: str, value: str | None, source: str) -> None:
        if value and field_name not in self.values:
            self.values[field_name] = value
            self.facts.append(Fact(field_name, source))


def read_listing(text: str, base_url: str) -> Listing | NoListing:
    """What the page says about its product, or why it shows none.

    A page has a product if it carries a schema.org Product (or ProductGroup) in any markup, or
    Open Graph product data (og:type product, or a price) and a name, or, with no structured
    data, a main heading with a price shown under it. A name and an image are not enough:
    every blog post has an og:title and an og:image."""
    markup = read_markup(text, base_url)
    og = markup.open_graph
    first = {key: value for key, value in reversed(og)}
    sites = site_names(base_url, first.get("og:site_name"), _meta(markup, "application-name"))
    products = _products(markup)
    reading = _Reading()
    photos: list[tuple[str, str]] = []

    for product in products:
        node, source = product.node, product.source
        name = product_name(node.get("name"), sites)
        reading.offer("name", name and with_brand(name, _brand(node)), source)
        reading.offer("description", clean_text(node.get("description")), source)
        prices = _offers(node.get("offers"))
        for variant in product.variants:
            prices += _offers(variant.get("offers"))
        reading.offer("price", lowest_price(prices), source)
        index = {
            n["@id"]: n
            for n in markup.nodes[source]
            if isinstance(n.get("@id"), str) and len(n) > 1  # {"@id": ...} alone refers
        }
        for item in [node, *product.variants]:
            photos += [(url, source) for url in _image_urls(item.get("image"), index)]

    og_price = read_money(
        first.get("product:price:amount") or first.get("og:price:amount"),
        first.get("product:price:currency") or first.get("og:price:currency"),
    )
    og_product = "product" in first.get("og:type", "").lower() or og_price is not None
    if products or og_product:
        reading.offer("name", product_name(first.get("og:title"), sites), "open-graph")
    reading.offer("description", clean_text(first.get("og:description")), "open-graph")
    reading.offer("price", display_price(og_price) if og_price else None, "open-graph")
    photos += [
        (url, "open-graph")
        for key, url in og
        if key in ("og:image", "og:image:url", "og:image:secure_url")
    ]

    if not products and not og_product:
        missing = _from_page_text(markup, reading, sites)
        if missing:
            return NoListing(missing)
    reading.offer("description", clean_text(_meta(markup, "description")), "page text")

    # Photos a script names: the gallery itself where the markup names no photo (Amazon's),
    # else only larger sizes of the photos named (eBay's).
    in_scripts = [(url, "page script") for url in page_gallery.script_photos(markup.tree)]
    if not photos:
        photos, in_scripts = in_scripts, []
    name = reading.values.get("name")
    if name:
        photos += [(u, "page gallery") for u in page_gallery.named_images(markup.tree, name)]
    images = page_gallery.distinct_photos(
        _absolute(photos, base_url), [url for url, _ in _absolute(in_scripts, base_url)]
    )
    return Listing(
        name=name,
        description=reading.values.get("description"),
        price=reading.values.get("price"),
        images=tuple(images),
        facts=tuple(reading.facts),
    )


def _from_page_text(markup: Markup, reading: _Reading, sites: frozenset[str]) -> str | None:
    """A page with no product data: its main heading and the price under it, as a person
    reads them. None when they make a product; else what was found and what is missing."""
    heading = page_text.heading(markup.tree)
    title = page_text.title(markup.tree)
    money = page_text.price_near(heading) if heading is not None else None
    if heading is not None and money is not None:
        reading.offer("name", product_name(page_text.heading_text(heading), sites), "heading")
        reading.offer("name", product_name(title, sites), "title")
        reading.offer("price", display_price(money), "page text")
        return None
    found = (
        f'a heading ("{_quoted(page_text.heading_text(heading))}")'
        if heading is not None
        else f'a title ("{_quoted(title)}")'
        if title
        else "no heading"
    )
    return (
        "shows no product: no schema.org Product or Open Graph product data, and "
        f"{found} but no price on the page; give the productName and photos yourself"
    )


def _quoted(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 60 else text[:57].rstrip() + "..."


def _meta(markup: Markup, name: str) -> str | None:
    for meta in markup.tree.iter("meta"):
        content = meta.get("content")
        if (meta.get("name") or "").lower() == name and isinstance(content, str):
            return content
    return None


def _absolute(photos: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    """Resolved against the page's URL, http(s) only."""
    resolved = ((join_url(base_url, url), source) for url, source in photos)
    return [(u, s) for u, s in resolved if u and u.startswith(("http://", "https://"))]
