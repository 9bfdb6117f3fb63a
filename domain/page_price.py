"""Prices as shops write them, read with Zyte's `price-parser`, and shown as an end card says
them.

A shop writes "10,75 €", "$1,299.00", "1.299,00 EUR", "26,00 €", "10.1400" or a JSON number;
`price-parser` reads the amount (decimal commas, thousands separators, symbols) and the currency
(a symbol or a code), and the markup's own currency (priceCurrency, og:price:currency) is the
hint it falls back on. More decimals than the currency shows ("10.1400") are rounded half up,
the way a till rounds. Several offers (sizes, colours, sellers) give the lowest, said as
"from" when they differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from price_parser import Price

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
CODES = {"€": "EUR", "£": "GBP", "¥": "JPY", "US$": "USD"}
WHOLE_UNITS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})  # currencies shown without cents
_CODE = re.compile(r"[A-Z]{3}")
_SCHEMA_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str | None  # an ISO code ("EUR") where one is known, else the symbol shown ("$")


def read_money(value: object, currency: object = None) -> Money | None:
    """The amount in `value` (text as a shop writes it, or a JSON number), in the currency it
    names or else `currency`; None for no positive amount (a price of 0 is a placeholder)."""
    if isinstance(value, bool) or value is None:
        return None
    hint = currency.strip() if isinstance(currency, str) and currency.strip() else None
    text = repr(value) if isinstance(value, float) else str(value)
    found: str | None = None
    if isinstance(value, int | float) or _SCHEMA_NUMBER.fullmatch(text):
        # schema.org's own notation (a point for decimals, no separators): "24.995" is not
        # twenty-four thousand, as price-parser would read it on a shop's page.
        try:
            amount: Decimal | None = Decimal(text.strip())
        except InvalidOperation:
            return None
    else:
        price = Price.fromstring(text, currency_hint=hint)
        amount, found = price.amount, price.currency
    if amount is None or not amount.is_finite() or amount <= 0:
        return None
    # The markup's own currency code wins over a symbol in the text ("kr" is four currencies).
    code = hint if hint and _CODE.fullmatch(hint.upper()) else found or hint
    return Money(amount, _currency(code))


def _currency(found: str | None) -> str | None:
    if found is None:
        return None
    found = found.strip()
    if _CODE.fullmatch(found.upper()):
        return found.upper()
    return CODES.get(found, found)


def display_price(money: Money, *, starting_at: bool = False) -> str:
    """ "$24.00", "€10.75", "¥2,400", "24.90 CHF"; "from €49.10" when `starting_at`."""
    code = money.currency or ""
    places = Decimal(1) if code in WHOLE_UNITS else Decimal("0.01")
    amount = money.amount.quantize(places, rounding=ROUND_HALF_UP)
    number = f"{amount:,.{0 if code in WHOLE_UNITS else 2}f}"
    if code in SYMBOLS:
        shown = SYMBOLS[code] + number
    elif _CODE.fullmatch(code):
        shown = f"{number} {code}"
    else:
        shown = code + number
    return f"from {shown}" if starting_at else shown


def lowest_price(prices: list[Money]) -> str | None:
    """The lowest of the offers in the first offer's currency, "from" when they differ."""
    if not prices:
        return None
    currency = prices[0].currency
    same = [p for p in prices if p.currency == currency or p.currency is None]
    low = min(same, key=lambda p: p.amount)
    return display_price(low, starting_at=any(p.amount != low.amount for p in same))
