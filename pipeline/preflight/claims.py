"""Every price, number and percentage the ad shows or says, traced to the brief or the product
page: an ad that claims "50% off" or "$19" nobody gave is an ad the shop cannot run.

A number is traced when the same value is in the brief (the product's name, description, key
benefits, call-to-action, price) with a kind that fits: a percentage only by a percentage, a
price only by a price ("$24" by the page's "$24.00", "24,90 €" by "EUR 24.90"; not by "24
hours"), a plain number by the same value in any form. Digits only: numbers the copy spells
out ("three benefits") are words, not claims this finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

_CURRENCY = r"[$€£¥₹]|US\$|USD|EUR|GBP|CHF|JPY|CAD|AUD"
_NUMBER = re.compile(
    rf"(?P<pre>{_CURRENCY})?\s?"
    r"(?P<num>\d+(?:[.,\u202f\u00a0]\d{3})*(?:[.,]\d+)?)"
    rf"(?:\s?(?P<post>%|percent\b|per cent\b|{_CURRENCY}))?",
    re.IGNORECASE,
)
_OVERRIDES = re.compile(r"\{[^}]*\}")


class Kind(StrEnum):
    PERCENT = "percentage"
    PRICE = "price"
    NUMBER = "number"


@dataclass(frozen=True)
class Claim:
    text: str  # as written: "$24.00", "50%"
    value: Decimal
    kind: Kind
    where: str  # "scene 2 headline", "captions at 4.2 s", "scene 3 voiceover"


@dataclass(frozen=True)
class Source:
    text: str
    where: str  # "the product's name", "the product page's price (microdata)"


def _value(digits: str) -> Decimal | None:
    """ "1,299.00" and "1.299,00" are 1299; "19,90" is 19.9."""
    cleaned = re.sub(r"[\u202f\u00a0]", "", digits)
    marks = [c for c in cleaned if c in ".,"]
    if marks:
        last = cleaned.rfind(marks[-1])
        decimals = len(cleaned) - last - 1
        is_decimal = len(set(marks)) > 1 or (len(marks) == 1 and decimals != 3)
        whole = re.sub(r"[.,]", "", cleaned[:last]) if is_decimal else re.sub(r"[.,]", "", cleaned)
        cleaned = f"{whole}.{cleaned[last + 1 :]}" if is_decimal else whole
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def numbers_in(text: str, where: str) -> list[Claim]:
    claims: list[Claim] = []
    for found in _NUMBER.finditer(text):
        value = _value(found.group("num"))
        if value is None:
            continue
        post = (found.group("post") or "").strip().lower()
        kind = (
            Kind.PERCENT
            if post in ("%", "percent", "per cent")
            else Kind.PRICE
            if found.group("pre") or post
            else Kind.NUMBER
        )
        claims.append(Claim(found.group(0).strip(), value, kind, where))
    return claims


def plain_text(ass_text: str) -> str:
    """An ASS event's text as shown: override blocks out, hard breaks as spaces."""
    return _OVERRIDES.sub("", ass_text).replace("\\N", " ").replace("\\n", " ")


def traced_by(claim: Claim, sources: list[Source]) -> Source | None:
    """The first source with the same value of the same kind; for a plain number, else the
    first with the same value of any kind ("24" by "$24.00")."""
    fitting: Source | None = None
    for source in sources:
        for given in numbers_in(source.text, source.where):
            if given.value != claim.value:
                continue
            if given.kind == claim.kind:
                return source
            if claim.kind == Kind.NUMBER and fitting is None:
                fitting = source
    return fitting


def distinct(claims: list[Claim]) -> list[Claim]:
    """Each number once per place (a caption is one event per word lit)."""
    seen: set[tuple[str, str]] = set()
    out: list[Claim] = []
    for claim in claims:
        key = (claim.text, claim.where)
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return out
