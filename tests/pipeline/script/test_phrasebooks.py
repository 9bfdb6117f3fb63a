"""The native phrase books (es, fr, de, pt): complete, sayable, drawable and really native."""

from __future__ import annotations

import importlib
import re
import string
import unicodedata
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import espeakng_loader
import pytest

from domain.enums import Style
from domain.script import ON_SCREEN_MAX_CHARS, ON_SCREEN_MAX_WORDS
from domain.templates import SpeakingRate
from domain.text import count_words
from pipeline.script.lines import PHRASEBOOKS as ENGLISH
from pipeline.script.lines import Phrasebook
from pipeline.shared.fonts import can_draw

LANGUAGES = ("es", "fr", "de", "pt")
PURPOSES = {"hook", "feature", "benefit"}
LIST_FIELDS = ("intros", "cta_leads")
# Characters each language writes and English does not; its books must use some of them.
TYPICAL = {"es": "ñ¿¡áéíóú", "fr": "éèêàçœ", "de": "äöüß", "pt": "ãõç"}
# Words a translation left in English would keep; none is a word in the four languages.
ENGLISH_ONLY = re.compile(
    r"\b(the|your|you|and|with|this|it|is|of|look|take|meet|make)\b", re.IGNORECASE
)
NAMES = ("Aurora", "Kora Studio", "Vela 2", "Ñandú", "Über")


def book_module(language: str) -> ModuleType:
    return importlib.import_module(f"pipeline.script.phrasebooks.{language}")


def spoken(book: Phrasebook) -> list[str]:
    """Every line the narrator may say."""
    lines = [line for name in LIST_FIELDS for line in getattr(book, name)]
    return [*lines, book.short_cta, book.unnamed]


def everything(book: Phrasebook) -> list[str]:
    return spoken(book) + [h for group in book.headlines.values() for h in group]


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_style_has_a_book_and_a_measured_rate(language: str) -> None:
    module = book_module(language)
    assert set(module.PHRASEBOOKS) == set(Style)
    assert set(module.SPEAKING) == set(Style)
    for style in Style:
        assert isinstance(module.PHRASEBOOKS[style], Phrasebook)
        rate = module.SPEAKING[style]
        assert isinstance(rate, SpeakingRate)
        assert 0.03 < rate.letter < 0.12
        assert 0 < rate.sentence < 1.0
        assert 0 <= rate.comma < 1.0


def test_the_voice_is_one_espeak_ng_ships(language: str) -> None:
    voice = book_module(language).VOICE
    assert isinstance(voice, str) and voice
    lang_dir = Path(espeakng_loader.get_data_path()) / "lang"
    known = set()
    for path in lang_dir.rglob("*"):
        if path.is_file():
            known.add(path.name.lower())
            lines = path.read_text(errors="replace").splitlines()
            known |= {line.split()[1] for line in lines if line.startswith("language ")}
    assert voice.lower() in known


@pytest.mark.parametrize("style", list(Style))
def test_every_field_is_there_with_at_least_the_english_count(language: str, style: Style) -> None:
    book = book_module(language).PHRASEBOOKS[style]
    english = ENGLISH[style]
    assert {f.name for f in fields(book)} == {f.name for f in fields(english)}
    for name in LIST_FIELDS:
        lines = getattr(book, name)
        assert len(lines) >= len(getattr(english, name)), name
        assert len(set(lines)) == len(lines), f"{name} repeats a line"
    assert book.short_cta.strip()
    assert set(book.headlines) == PURPOSES
    for purpose in PURPOSES:
        assert len(book.headlines[purpose]) >= len(english.headlines[purpose])
    # The hook and the lead into the call-to-action say the name, as in English.
    assert all("{name}" in line for line in book.intros)
    assert all("{name}" in line for line in book.cta_leads)


@pytest.mark.parametrize("style", list(Style))
def test_every_placeholder_is_name_and_formats(language: str, style: Style) -> None:
    book = book_module(language).PHRASEBOOKS[style]
    for line in everything(book):
        placeholders = {field for _, field, _, _ in string.Formatter().parse(line) if field}
        assert placeholders <= {"name"}, line
        for name in NAMES:
            said = line.format(name=name)
            assert "{" not in said and "}" not in said
            if "{name}" in line:
                assert name in said


@pytest.mark.parametrize("style", list(Style))
def test_lines_are_sentences_and_headlines_fit_the_screen(language: str, style: Style) -> None:
    book = book_module(language).PHRASEBOOKS[style]
    for line in spoken(book):
        assert line == line.strip() and "  " not in line
        assert line[-1] in ".!?", f"{line!r} does not end a sentence"
        assert unicodedata.is_normalized("NFC", line)
        assert can_draw(line.format(name="Aurora")), line
    for group in book.headlines.values():
        for headline in group:
            assert count_words(headline) <= ON_SCREEN_MAX_WORDS, headline
            assert len(headline) <= ON_SCREEN_MAX_CHARS, headline
            assert headline[-1] not in ".!?,;:", headline
            assert unicodedata.is_normalized("NFC", headline)
            assert can_draw(headline), headline


def test_the_books_are_written_in_their_language(language: str) -> None:
    books = book_module(language).PHRASEBOOKS.values()
    text = " ".join(line for book in books for line in everything(book))
    assert set(text.casefold()) & set(TYPICAL[language]), f"no {TYPICAL[language]!r} in {language}"
    english = [line for book in books for line in everything(book) if ENGLISH_ONLY.search(line)]
    assert english == []


def test_no_two_languages_share_a_book() -> None:
    seen: dict[str, str] = {}
    for language in LANGUAGES:
        for book in book_module(language).PHRASEBOOKS.values():
            for line in spoken(book):
                if "{name}" not in line and count_words(line) > 3:
                    assert seen.setdefault(line, language) == language, line
