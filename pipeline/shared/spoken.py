"""What the narrator says for each written word: numbers, prices and quantities in words, the
way a native speaker of the language says them, and English brand names marked to be said in
English.

espeak-ng (the phonemiser) reads "24,90 €" digit group by digit group and "500 ml" letter by
letter; a person says "veinticuatro euros con noventa" and "quinientos mililitros". The text is
rewritten word by word (whitespace tokens) so that each caption word keeps its own spoken form
and the narrator can time it: a token said together with the one before or after it (the "€"
of "24,90 €", the "ml" of "500 ml" when the number says it) says nothing of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from num2words import num2words

# Language of each supported locale in num2words.
_NUM2WORDS = {"en": "en", "es": "es", "fr": "fr", "pt": "pt_BR", "de": "de"}

# Unit -> (singular, plural) per language; "{n}" joins the number in German's "zweimal".
_UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "es": {
        "ml": ("mililitro", "mililitros"), "cl": ("centilitro", "centilitros"),
        "l": ("litro", "litros"), "g": ("gramo", "gramos"), "mg": ("miligramo", "miligramos"),
        "kg": ("kilo", "kilos"), "mm": ("milímetro", "milímetros"),
        "cm": ("centímetro", "centímetros"), "m": ("metro", "metros"),
        "km": ("kilómetro", "kilómetros"), "h": ("hora", "horas"), "min": ("minuto", "minutos"),
        "w": ("vatio", "vatios"), "gb": ("gigas", "gigas"), "%": ("por ciento", "por ciento"),
        "x": ("vez", "veces"),
    },
    "fr": {
        "ml": ("millilitre", "millilitres"), "cl": ("centilitre", "centilitres"),
        "l": ("litre", "litres"), "g": ("gramme", "grammes"), "mg": ("milligramme", "milligrammes"),
        "kg": ("kilo", "kilos"), "mm": ("millimètre", "millimètres"),
        "cm": ("centimètre", "centimètres"), "m": ("mètre", "mètres"),
        "km": ("kilomètre", "kilomètres"), "h": ("heure", "heures"), "min": ("minute", "minutes"),
        "w": ("watt", "watts"), "gb": ("giga", "gigas"), "%": ("pour cent", "pour cent"),
        "x": ("fois", "fois"),
    },
    "pt": {
        "ml": ("mililitro", "mililitros"), "cl": ("centilitro", "centilitros"),
        "l": ("litro", "litros"), "g": ("grama", "gramas"), "mg": ("miligrama", "miligramas"),
        "kg": ("quilo", "quilos"), "mm": ("milímetro", "milímetros"),
        "cm": ("centímetro", "centímetros"), "m": ("metro", "metros"),
        "km": ("quilômetro", "quilômetros"), "h": ("hora", "horas"), "min": ("minuto", "minutos"),
        "w": ("watt", "watts"), "gb": ("giga", "gigas"), "%": ("por cento", "por cento"),
        "x": ("vez", "vezes"),
    },
    "de": {
        "ml": ("Milliliter", "Milliliter"), "cl": ("Zentiliter", "Zentiliter"),
        "l": ("Liter", "Liter"), "g": ("Gramm", "Gramm"), "mg": ("Milligramm", "Milligramm"),
        "kg": ("Kilo", "Kilo"), "mm": ("Millimeter", "Millimeter"),
        "cm": ("Zentimeter", "Zentimeter"), "m": ("Meter", "Meter"),
        "km": ("Kilometer", "Kilometer"), "h": ("Stunde", "Stunden"), "min": ("Minute", "Minuten"),
        "w": ("Watt", "Watt"), "gb": ("Gigabyte", "Gigabyte"), "%": ("Prozent", "Prozent"),
        "x": ("{n}mal", "{n}mal"),
    },
    "en": {
        "ml": ("millilitre", "millilitres"), "cl": ("centilitre", "centilitres"),
        "l": ("litre", "litres"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams"),
        "kg": ("kilo", "kilos"), "mm": ("millimetre", "millimetres"),
        "cm": ("centimetre", "centimetres"), "m": ("metre", "metres"),
        "km": ("kilometre", "kilometres"), "h": ("hour", "hours"), "min": ("minute", "minutes"),
        "w": ("watt", "watts"), "gb": ("gigabyte", "gigabytes"), "%": ("percent", "percent"),
        "x": ("time", "times"),
    },
}  # fmt: skip
_FEMININE = {
    "es": {"hora", "horas", "vez", "veces"},
    "pt": {"hora", "horas", "vez", "vezes"},
    "de": {"Stunde", "Minute"},
}

# Currency sign or code -> (singular, plural) per language, and how cents follow the units.
_CURRENCIES: dict[str, dict[str, tuple[str, str]]] = {
    "€": {"es": ("euro", "euros"), "fr": ("euro", "euros"), "pt": ("euro", "euros"),
          "de": ("Euro", "Euro"), "en": ("euro", "euros")},
    "$": {"es": ("dólar", "dólares"), "fr": ("dollar", "dollars"), "pt": ("dólar", "dólares"),
          "de": ("Dollar", "Dollar"), "en": ("dollar", "dollars")},
    "R$": {"es": ("real", "reales"), "fr": ("réal", "reais"), "pt": ("real", "reais"),
           "de": ("Real", "Real"), "en": ("real", "reais")},
    "£": {"es": ("libra", "libras"), "fr": ("livre", "livres"), "pt": ("libra", "libras"),
          "de": ("Pfund", "Pfund"), "en": ("pound", "pounds")},
}  # fmt: skip
_CODES = {
    "eur": "€", "euro": "€", "euros": "€", "usd": "$", "us$": "$", "dólares": "$",
    "dollars": "$", "brl": "R$", "reais": "R$", "reales": "R$", "gbp": "£", "libras": "£",
}  # fmt: skip
_CENTS = {"es": "{units} con {cents}", "fr": "{units} {cents}", "pt": "{units} e {cents}",
          "de": "{units} {cents}", "en": "{units} {cents}"}  # fmt: skip
_COMMA = {"es": "coma", "fr": "virgule", "pt": "vírgula", "de": "Komma", "en": "point"}

_EDGE = regex.compile(
    r"^(?P<lead>[\p{Ps}\p{Pi}\"'¡¿]*)(?P<core>.*?)(?P<trail>[.,;:!?…\p{Pe}\p{Pf}\"']*)$"
)
_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_CURRENCY = r"R\$|US\$|\$|€|£"
_PRICE = regex.compile(
    rf"^(?:(?P<pre>{_CURRENCY})(?P<n1>{_NUMBER})|(?P<n2>{_NUMBER})(?P<post>{_CURRENCY})?)$"
)
_QUANTITY = regex.compile(rf"^(?P<n>{_NUMBER})(?P<unit>ml|cl|l|g|mg|kg|mm|cm|m|km|h|min|w|gb|%|x)$",
                          regex.IGNORECASE)  # fmt: skip
_SIGN = regex.compile(rf"^(?:{_CURRENCY})$")
# Letters a brand name in English shows and Spanish, French and Portuguese words rarely do.
_ENGLISH = regex.compile(r"\p{Ll}\p{Lu}|(?i:w|th|sh|ee|oo|ck|ght|[^aeiou]y$)")


@dataclass(frozen=True)
class Said:
    """A whitespace token as written and what is said for it ("" when a neighbour says it)."""

    written: str
    spoken: str
    english: bool = False  # said with English sounds (a brand name in another language)


def looks_english(word: str, language: str) -> bool:
    """A product name's word that a native of `language` would say the English way."""
    return language in ("es", "fr", "pt") and bool(_ENGLISH.search(word)) and word.isascii()


def _value(number: str, language: str) -> tuple[int, int | None, str | None]:
    """(whole part, cents of a two-digit decimal or None, other decimals as digits or None)."""
    thousands = "," if language == "en" else "."
    decimal = "." if language == "en" else ","
    cleaned = regex.sub(r"[\u00a0\u202f]", "", number)
    whole, _, fraction = cleaned.rpartition(decimal)
    if not whole or (len(fraction) == 3 and decimal not in whole):
        whole, fraction = cleaned, ""
    other = "." if decimal == "," else ","
    if fraction == "" and regex.fullmatch(rf"\d+[{regex.escape(other)}]\d{{1,2}}", whole):
        whole, fraction = whole.split(other)  # "24.90" in a comma language: still a price
    whole = whole.replace(thousands, "").replace(other, "").replace(decimal, "")
    if not fraction:
        return int(whole), None, None
    if len(fraction) == 2:
        return int(whole), int(fraction), None
    return int(whole), None, fraction


def cardinal(value: int, language: str) -> str:
    return str(num2words(value, lang=_NUM2WORDS[language])).replace(",", "")


def _agree(words: str, noun: str, language: str) -> str:
    """'uno' before a noun is 'un' (una, um, uma, duas, ein): the number agrees with it."""
    feminine = noun in _FEMININE.get(language, set())
    if language == "es" and words.endswith("uno"):
        return words[:-3] + ("una" if feminine else ("ún" if words != "uno" else "un"))
    if language == "pt" and feminine:
        words = regex.sub(r"\bum$", "uma", words)
        return regex.sub(r"\bdois$", "duas", words)
    if language == "de" and words.endswith("eins"):
        return words[:-1] + ("e" if feminine else "")
    return words


def number_words(number: str, language: str) -> str:
    whole, cents, digits = _value(number, language)
    said = cardinal(whole, language)
    if cents is not None:
        said += f" {_COMMA[language]} {cardinal(cents, language)}"
    elif digits is not None:
        said += f" {_COMMA[language]} " + " ".join(cardinal(int(d), language) for d in digits)
    return said


def price_words(number: str, sign: str, language: str) -> str:
    whole, cents, digits = _value(number, language)
    if digits is not None:
        cents = int((digits + "0")[:2])
    singular, plural = _CURRENCIES[sign][language]
    noun = singular if whole == 1 else plural
    units = f"{_agree(cardinal(whole, language), noun, language)} {noun}"
    if not cents:
        return units
    return _CENTS[language].format(units=units, cents=cardinal(cents, language))


def quantity_words(number: str, unit: str, language: str) -> str:
    whole, cents, digits = _value(number, language)
    singular, plural = _UNITS[language][unit.lower()]
    noun = singular if whole == 1 and cents is None and digits is None else plural
    said = number_words(number, language)
    if cents is None and digits is None:
        said = _agree(said, noun, language)
    if "{n}" in noun:
        return noun.format(n=said)
    return f"{said} {noun}"


def _currency(core: str) -> str | None:
    if _SIGN.match(core):
        return "$" if core == "US$" else core
    return _CODES.get(core.lower())


def _joined(tokens: list[str], i: int) -> bool:
    """Token i follows the one before it with no mark in between."""
    return i > 0 and bool(tokens[i - 1]) and tokens[i - 1][-1].isalnum()


def spoken_tokens(text: str, language: str, english: frozenset[str] = frozenset()) -> list[Said]:
    """Each whitespace token of `text` with what is said for it; words in `english` (a brand's
    English words) are marked to be said in English."""
    tokens = text.split()
    if language not in _NUM2WORDS:  # a language only a hosted voice speaks (it, ja, …): as written
        return [Said(token, token) for token in tokens]
    parts = [_EDGE.match(token) for token in tokens]
    cores = [m["core"] if m else token for m, token in zip(parts, tokens, strict=True)]
    out: list[Said] = []
    for i, token in enumerate(tokens):
        match = parts[i]
        lead, core, trail = ("", token, "")
        if match:
            lead, core, trail = match["lead"], match["core"], match["trail"]
        after = cores[i + 1] if i + 1 < len(tokens) else ""
        before = cores[i - 1] if i else ""
        said = None
        if price := _PRICE.match(core):
            number = price["n1"] or price["n2"]
            # A sign or unit in the next token belongs to this number unless a mark parts them.
            joined = not trail
            sign = price["pre"] or price["post"] or (_currency(after) if joined else None)
            sign = sign or (_currency(before) if i and tokens[i - 1] == before else None)
            if sign:
                said = price_words(number, "$" if sign == "US$" else sign, language)
            elif joined and after.lower() in _UNITS[language]:
                said = quantity_words(number, after, language)
            elif regex.fullmatch(r"\d+", number):
                said = None  # a plain count: espeak-ng says it natively, in agreement
            else:
                said = number_words(number, language)
        elif quantity := _QUANTITY.match(core):
            said = quantity_words(quantity["n"], quantity["unit"], language)
        elif _currency(core) and (
            (not trail and _PRICE.match(after)) or (_PRICE.match(before) and _joined(tokens, i))
        ):
            said = ""  # the number beside it says the price
        elif core.lower() in _UNITS[language] and _PRICE.match(before) and _joined(tokens, i):
            said = ""  # "500 ml": the number said "quinientos mililitros"
        if said is None:
            out.append(Said(token, token, core in english))
        else:
            out.append(Said(token, f"{lead}{said}{trail}" if said else trail))
    return out


def spoken_text(text: str, language: str, english: frozenset[str] = frozenset()) -> str:
    """The whole line as it is said (what the phonemiser reads)."""
    said = " ".join(s.spoken for s in spoken_tokens(text, language, english) if s.spoken)
    return regex.sub(r"\s+(?=[.,;:!?…])", "", said)
