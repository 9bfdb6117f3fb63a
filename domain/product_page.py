"""Product pages, the part that is pure: what a shop's page says about its product.

Read in order of trust, field by field: schema.org Product JSON-LD (what Shopify, WooCommerce
and most themes emit for search engines: `@graph`, top-level lists, `Product` or `ProductGroup`,
offers as an object, a list or an AggregateOffer), then Open Graph (`og:*`, `product:price:*`),
then `<title>` and the meta description. Text is decoded and stripped of tags; image URLs are
made absolute against the page's own URL. The fetching, and the guard around it, is
`resolvers/product_page.py`.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

PRODUCT_TYPES = frozenset({"Product", "ProductGroup"})
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
WHOLE_UNITS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})  # currencies shown without cents
# "24", "24.9", "1,299.00", "1.299,00", "1 299,00": whole units with optional thousands
# separators, then up to two decimals after a point or a comma.
_AMOUNT = re.compile(r"(\d{1,3}(?:[,. \u00a0']\d{3})+|\d+)(?:[.,](\d{1,2}))?")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass(frozen=True, slots=True)
class Listing:
    """What a page says about its product, before any image is fetched."""

    name: str | None = None
    description: str | None = None
    price: str | None = None  # for display: "$24.00", "€19.90", "24.90 CHF"
    image_urls: tuple[str, ...] = ()  # absolute http(s), page order, each once


def join_url(base: str, url: str) -> str | None:
    """`url` resolved against `base` ("//cdn..." and "/files/..." too), without its fragment
    (never sent); None when it cannot be parsed."""
    try:
        return urljoin(base, url.strip()).partition("#")[0]
    except ValueError:
        return None


class _PageParser(HTMLParser):
    """Collects the JSON-LD scripts, the <meta> properties and the first <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.json_ld: list[str] = []
        self.meta: list[tuple[str, str]] = []
        self.title: str | None = None
        self._capturing: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        kind = values.get("type", "").partition(";")[0].strip().lower()
        json_ld = tag == "script" and kind == "application/ld+json"
        if json_ld or (tag == "title" and self.title is None):
            self._capturing, self._text = tag, []
        elif tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name")
            if key:
                self.meta.append((key.strip().lower(), values["content"]))

    def handle_data(self, data: str) -> None:
        if self._capturing:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._capturing:
            return
        if tag == "script":
            self.json_ld.append("".join(self._text))
        else:
            self.title = "".join(self._text)
        self._capturing = None

    def first(self, *keys: str) -> str | None:
        """The first value of the first of `keys` the page has."""
        return next((value for key in keys for name, value in self.meta if name == key), None)


def read_listing(text: str, base_url: str) -> Listing | None:
    """What the page says about its product, or None when it names none.

    A page has a product if it carries schema.org Product (or ProductGroup) JSON-LD, or Open
    Graph product data (og:type product, or a product price) and a name. A name and an image
    are not enough: every blog post has an og:title and an og:image."""
    parser = _PageParser()
    # Python 3.11's html.parser raises on a "<![" it does not know ("<![if !IE]>"); HTML reads
    # one as a comment anyway, and "<!-[" is one to the parser too.
    parser.feed(text.replace("<![", "<!-["))
    parser.close()
    nodes = [node for script in parser.json_ld for node in _nodes(_load(script))]
    # By @id, the nodes that say something: {"@id": ...} alone is a reference to one.
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    product = next((node for node in nodes if _types(node) & PRODUCT_TYPES), None)
    found = _from_json_ld(product, index) if product is not None else Listing()
    og_price = display_price(
        parser.first("product:price:amount", "og:price:amount"),
        parser.first("product:price:currency", "og:price:currency"),
    )
    name = found.name or _clean(parser.first("og:title")) or _clean(parser.title)
    og_product = "product" in (parser.first("og:type") or "").lower() or og_price is not None
    if product is None and not (og_product and name):
        return None
    og_images = [value for key, value in parser.meta if key in ("og:image", "og:image:url")]
    images = found.image_urls or tuple(og_images)
    description = found.description or _clean(parser.first("og:description", "description"))
    return Listing(
        name=name,
        description=description,
        price=found.price or og_price,
        image_urls=_absolute(images, base_url),
    )


def _load(script: str) -> Any:
    try:
        # strict=False: themes put raw newlines and tabs inside JSON strings.
        return json.loads(script, strict=False)
    except (ValueError, RecursionError):
        return None


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every node of a JSON-LD document in document order, top-level lists, @graph and
    mainEntity included (walked with a stack: a stranger's nesting cannot exhaust ours)."""
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            stack += [item.get("mainEntity"), item.get("@graph")]
    return found


def _types(node: dict[str, Any]) -> set[str]:
    """The node's types by short name: "Product", "http://schema.org/Product" and
    "schema:Product" are all "Product"."""
    value = node.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _from_json_ld(product: dict[str, Any], index: dict[str, dict[str, Any]]) -> Listing:
    """A Product, or a ProductGroup: the group's text and images, its first variant's price
    (a group rarely has offers of its own)."""
    variants = [v for v in _listed(product.get("hasVariant")) if isinstance(v, dict)]
    variant = variants[0] if variants else {}
    return Listing(
        name=_clean(product.get("name")) or _clean(variant.get("name")),
        description=_clean(product.get("description")) or _clean(variant.get("description")),
        price=_offer_price(product.get("offers")) or _offer_price(variant.get("offers")),
        image_urls=_image_urls(product.get("image"), index)
        or _image_urls(variant.get("image"), index),
    )


def _offer_price(offers: Any) -> str | None:
    """The first offer's price that can be shown: an Offer's price, an AggregateOffer's
    lowPrice, or the price of its priceSpecification."""
    for offer in _listed(offers):
        if not isinstance(offer, dict):
            continue
        specs = [s for s in _listed(offer.get("priceSpecification")) if isinstance(s, dict)]
        spec = specs[0] if specs else {}
        amount = offer.get("lowPrice") or offer.get("price") or spec.get("price")
        shown = display_price(amount, offer.get("priceCurrency") or spec.get("priceCurrency"))
        if shown:
            return shown
    return None


def _image_urls(value: Any, index: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """A URL, a list of them, an ImageObject (or a reference to one by @id), or a list of
    those."""
    urls: list[str] = []
    for item in _listed(value):
        if isinstance(item, dict):
            reference = item.get("@id")
            if "url" not in item and "contentUrl" not in item and isinstance(reference, str):
                item = index.get(reference, item)
            item = item.get("url") or item.get("contentUrl")
        if isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return tuple(urls)


def _absolute(urls: tuple[str, ...], base_url: str) -> tuple[str, ...]:
    """Resolved against the page's URL, http(s) only, each once."""
    resolved = (join_url(base_url, url) for url in urls)
    return tuple(dict.fromkeys(u for u in resolved if u and u.startswith(("http://", "https://"))))


def _clean(value: Any) -> str | None:
    """Text as a person reads it: entities decoded, tags dropped, whitespace collapsed."""
    if not isinstance(value, str):
        return None
    return " ".join(_TAG.sub(" ", html.unescape(value)).split()) or None


def display_price(amount: Any, currency: Any) -> str | None:
    """A price for the end card: "$24.00", "€19.90", "¥2,400", "24.90 CHF"; None for an amount
    that is not a positive number (a price of 0 is a shop's placeholder, not an offer)."""
    value = _amount(amount)
    if value is None or not value.is_finite() or value <= 0:
        return None
    code = currency.strip().upper() if isinstance(currency, str) else ""
    number = f"{value:,.{0 if code in WHOLE_UNITS else 2}f}"
    if code in SYMBOLS:
        return SYMBOLS[code] + number
    return f"{number} {code}" if re.fullmatch(r"[A-Z]{3}", code) else number


def _amount(value: Any) -> Decimal | None:
    """A JSON number as it is; text as shops write it ("1,299.00", "19,90", "1.299,00")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _AMOUNT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    whole, cents = match.groups()
    return Decimal(re.sub(r"\D", "", whole) + "." + (cents or "0"))
