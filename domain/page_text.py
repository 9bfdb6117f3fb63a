"""What a page without structured data shows a person: its title, its main heading, and the
price shown under that heading.

Amazon's pages carry no schema.org data at all; a person still sees the product's name as the
page's main heading (<h1>) and its price just below it. The price is the first text after the
heading that is a price and nothing else ("$87.11", "Price: $87.11"), within the stretch of the
page that belongs to the heading (up to the next <h1>, or MAX_TEXTS texts on); a page with no
single <h1>, or with none of its prices there, has no price that can be told for sure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domain.page_price import Money, read_money

if TYPE_CHECKING:
    from lxml.html import HtmlElement

MAX_TEXTS = 400  # texts read after the heading before giving up
MAX_PRICE_TEXT = 24  # a price shown alone: "$87.11", "Price: $87.11", "1.299,00 €"
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head"})
_LABEL = re.compile(r"^[^\d]{0,12}$")  # what may stand before the amount: "Price:", "Now"


def title(tree: HtmlElement) -> str | None:
    found = tree.find(".//title")
    text = " ".join(found.text_content().split()) if found is not None else ""
    return text or None


def heading(tree: HtmlElement) -> HtmlElement | None:
    """The page's main heading: its one <h1> with text (two or more: none is the main one)."""
    headings = [h for h in tree.iter("h1") if h.text_content().strip()]
    return headings[0] if len(headings) == 1 else None


def heading_text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def price_near(element: HtmlElement) -> Money | None:
    """The first price shown on its own after `element`, or None."""
    seen = 0
    for node in element.itersiblings():
        for inner in node.iter():
            if inner.tag == "h1":
                return None
            if not isinstance(inner.tag, str) or inner.tag in _INVISIBLE:
                continue
            if any(a.tag in _INVISIBLE for a in inner.iterancestors()):
                continue
            for text in (inner.text, inner.tail):
                money = _alone(text)
                if money is not None:
                    return money
                seen += bool(text and text.strip())
            if seen > MAX_TEXTS:
                return None
    parent = element.getparent()
    return price_near(parent) if parent is not None and parent.tag != "body" else None


def _alone(text: str | None) -> Money | None:
    """A price with its currency and nothing else in `text` but a short label."""
    if not text or len(text.strip()) > MAX_PRICE_TEXT:
        return None
    money = read_money(text)
    if money is None or money.currency is None:
        return None
    before = text.strip().split(next(c for c in text.strip() if c.isdigit()), 1)[0]
    return money if _LABEL.match(before) else None
