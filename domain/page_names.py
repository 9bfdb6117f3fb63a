"""A product's name as a person reads it, not as a shop's <title> says it.

Shops wrap names for search engines: "KÄRCHER Hochdruckreiniger »K 3 Full Control« | OTTO",
"Details about Pony Cart Harness", "Amazon.com: Gothamite Duffle Bag", "DJUNGELSKOG brown bear,
Soft toy - IKEA", "Lamp at IKEA". A piece before or after a separator that names the site (its
og:site_name, its host's name, or anything written like a domain, "Zalando.ie") is dropped, and
so is eBay's "Details about". Tags are dropped and white space collapsed; entities were decoded
where the markup was read (domain.page_markup), so "&amp;" written on purpose stays decoded once.
Names too long for the ad are cut at a word by the caller (resolvers.product_url.shorten).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SEPARATORS = re.compile(r"\s+[|\-\u2013\u2014:~\u00b7\u2022]\s+|\s*[|:]\s+")
_PREFIXES = re.compile(r"^(?:details about|buy|shop)\s+", re.IGNORECASE)
_AT_SITE = re.compile(r"\s+(?:at|on|bei|chez|en)\s+(\S+(?:\s\S+)?)$", re.IGNORECASE)
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac"})


def clean_text(value: object) -> str | None:
    """Text as a person reads it: tags dropped, white space collapsed; None when empty."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    return " ".join(_TAG.sub(" ", value).split()) or None


def site_names(page_url: str, *named: str | None) -> frozenset[str]:
    """The names a site goes by, folded for comparison: what it calls itself (og:site_name,
    application-name) and its host's own label ("otto" for www.otto.de, "amazon" for
    amazon.co.uk)."""
    names = {_fold(n) for n in named if n}
    labels = (urlsplit(page_url).hostname or "").split(".")
    while len(labels) > 2 and labels[-2] in _SECOND_LEVEL:
        labels.pop()
    if len(labels) >= 2 and not labels[-1].isdigit():
        names.add(_fold(labels[-2]))
    return frozenset(n for n in names if n)


def _fold(text: str) -> str:
    return re.sub(r"\W", "", text.casefold())


def _names_site(piece: str, sites: frozenset[str]) -> bool:
    folded = _fold(piece)
    if not folded:
        return True
    if _DOMAIN.match(piece.strip()):
        return True
    return folded in sites


def product_name(value: object, sites: frozenset[str]) -> str | None:
    """The name without the site's name before or after it."""
    text = clean_text(value)
    if text is None:
        return None
    text = _PREFIXES.sub("", text)
    at_site = _AT_SITE.search(text)
    if at_site and _names_site(at_site.group(1), sites):
        text = text[: at_site.start()]
    pieces = _SEPARATORS.split(text)
    separators = _SEPARATORS.findall(text)
    if len(pieces) > 1 and _names_site(pieces[-1], sites):
        text = text[: len(text) - len(pieces[-1]) - len(separators[-1])]
    if len(pieces) > 1 and _names_site(pieces[0], sites):
        text = text[len(pieces[0]) + len(separators[0]) :]
    return text.strip() or None


def with_brand(name: str, brand: str | None) -> str:
    """A one-word name ("OFLEKI") with its brand before it ("Tommy Jeans OFLEKI"): alone it
    names nothing a viewer knows."""
    if brand and len(name.split()) == 1 and _fold(brand) not in _fold(name):
        return f"{brand} {name}"
    return name
