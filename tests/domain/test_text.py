"""The text rules every input goes through: what is refused, what is cleaned, how it is counted."""

from __future__ import annotations

import pytest

from domain.text import TextError, clean_text, count_words, grapheme_len, truncate

FAMILY = "👨\u200d👩\u200d👧\u200d👦"


def clean(value: str, max_chars: int = 120) -> str:
    return clean_text(value, field="productName", max_chars=max_chars)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Aurora \u00a0 Cold\tBrew  ", "Aurora Cold Brew"),  # NBSP and tabs are spaces
        ("\u200bKite\u200b", "Kite"),  # invisible at the ends goes
        ("Cafe\u0301", "Café"),  # composed (NFC)
        ("I \u2764\ufe0f it", "I \u2764\ufe0f it"),  # a selector inside an emoji stays
    ],
)
def test_clean_text_normalises(value: str, expected: str) -> None:
    assert clean(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a\x00b", "INVALID_TEXT"),
        ("a\x1bb", "INVALID_TEXT"),
        ("a\ud83db", "INVALID_TEXT"),
        ("a\u202eb", "INVALID_TEXT"),
        ("a\ufffeb", "INVALID_TEXT"),
        ("", "REQUIRED"),
        ("\u200b\u200c\u2060\ufeff \u3164", "REQUIRED"),
        ("x" * 121, "TOO_LONG"),
        ("e" + "\u0301" * 1000, "TOO_LONG"),  # one character, 1001 code points
    ],
)
def test_clean_text_refuses(value: str, code: str) -> None:
    with pytest.raises(TextError) as refused:
        clean(value)
    assert refused.value.code == code
    assert refused.value.message.startswith("productName")


def test_limits_count_what_people_see() -> None:
    assert grapheme_len(FAMILY * 3) == 3 and len(FAMILY * 3) == 21
    assert clean(FAMILY * 120) == FAMILY * 120
    assert truncate(FAMILY * 3 + "abc", 4) == FAMILY * 3 + "a"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Aurora Cold Brew", 3),
        ("It's 10% off", 3),
        ("限時優惠", 2),  # two CJK characters make a spoken word
        (FAMILY * 5, 0),  # nothing to say
    ],
)
def test_words_are_counted_as_spoken(text: str, words: int) -> None:
    assert count_words(text) == words
