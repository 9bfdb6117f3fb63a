"""Text from people, made safe to store, say and show, and measured the way people read it.

Every text input goes through `clean_text` once, at the edge (createJob), so the rest of the
system only ever sees text that:
- is valid Unicode (no lone surrogates, no noncharacters) in NFC, so "é" typed two ways is one
  string and PostgreSQL accepts it;
- has no control characters (NUL included) and no bidirectional embeddings or overrides, which
  would make the ad show the words in another order than they were typed;
- has its whitespace collapsed to single spaces and nothing invisible at either end, and holds
  at least one visible character (a name of zero-width or non-breaking spaces is empty);
- is no longer than its limit in user-perceived characters (grapheme clusters: a family emoji
  or an accented letter is one character, however many code points it takes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

REQUIRED = "REQUIRED"
TOO_LONG = "TOO_LONG"
INVALID_TEXT = "INVALID_TEXT"

# A grapheme cluster rarely needs more than a handful of code points (a family emoji with skin
# tones takes 11); this bounds what one "character" may cost to store and render.
CODE_POINTS_PER_CHARACTER = 8

_GRAPHEME = regex.compile(r"\X")
# LRE, RLE, PDF, LRO, RLO: they reorder the text around them (isolates and marks do not).
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e")
# Not format characters (Cf), yet they draw nothing: Hangul fillers, the Braille blank, the
# combining grapheme joiner and variation selectors.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


@dataclass(frozen=True, slots=True)
class TextError(Exception):
    """Why a text input was refused; `code` is one of REQUIRED, TOO_LONG, INVALID_TEXT."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of `text`."""
    return _GRAPHEME.findall(text)


# A word, for limits and for timing speech: a run of letters, digits and joiners; in scripts
# written without spaces (Chinese, Japanese, Korean, Thai) every two characters count as one
# word, which is about what a narrator says in the time of an English word.
_WORD = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}]{1,2}|[\p{L}\p{M}\p{N}_'\u2019&$%-]+"
)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def grapheme_len(text: str) -> int:
    return len(graphemes(text))


def truncate(text: str, max_chars: int) -> str:
    """At most `max_chars` user-perceived characters, never splitting one."""
    return "".join(graphemes(text)[:max_chars])


def is_invisible(char: str) -> bool:
    """True for characters that draw nothing: format characters (zero-width spaces and joiners,
    bidi marks, soft hyphen, BOM), variation selectors and a few blank letters."""
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or char in _BLANK
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def has_visible(text: str) -> bool:
    return any(not char.isspace() and not is_invisible(char) for char in text)


def _code_point(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _refuse_unsafe(text: str, field: str) -> None:
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise TextError(
                INVALID_TEXT,
                f"{field} contains a lone surrogate ({_code_point(char)}), which is not text",
            )
        if unicodedata.category(char) == "Cc" and not char.isspace():
            raise TextError(
                INVALID_TEXT, f"{field} contains the control character {_code_point(char)}"
            )
        if char in _BIDI_OVERRIDES:
            raise TextError(
                INVALID_TEXT,
                f"{field} contains a bidirectional override ({_code_point(char)}), which would "
                "show the words in another order than typed",
            )
        if (0xFDD0 <= code <= 0xFDEF) or (code & 0xFFFE) == 0xFFFE:
            raise TextError(INVALID_TEXT, f"{field} contains the noncharacter {_code_point(char)}")


def _strip_invisible_ends(text: str) -> str:
    """Drop leading and trailing clusters that draw nothing; a selector or joiner inside a
    visible cluster (the U+FE0F of a red heart) stays with it."""
    clusters = graphemes(text)
    while clusters and not has_visible(clusters[0]):
        clusters.pop(0)
    while clusters and not has_visible(clusters[-1]):
        clusters.pop()
    return "".join(clusters)


def clean_text(value: str, *, field: str, max_chars: int) -> str:
    """The text as stored and used, or TextError naming `field` and what is wrong."""
    _refuse_unsafe(value, field)
    text = unicodedata.normalize("NFC", value)
    text = _strip_invisible_ends(" ".join(text.split()))
    if not has_visible(text):
        detail = " (it holds only invisible characters)" if value else ""
        raise TextError(REQUIRED, f"{field} must not be empty{detail}")
    length = grapheme_len(text)
    if length > max_chars:
        raise TextError(TOO_LONG, f"{field} is {length} characters; at most {max_chars}")
    if len(text) > max_chars * CODE_POINTS_PER_CHARACTER:
        raise TextError(
            TOO_LONG,
            f"{field} takes {len(text)} Unicode code points; at most "
            f"{max_chars * CODE_POINTS_PER_CHARACTER}",
        )
    return text


def max_code_points(max_chars: int) -> int:
    """The storage a field of `max_chars` characters needs, in code points."""
    return max_chars * CODE_POINTS_PER_CHARACTER
