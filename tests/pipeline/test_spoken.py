"""Numbers, prices and quantities are said the way a native speaker says them, and an English
brand name inside another language is marked to be said in English."""

from __future__ import annotations

import pytest

from pipeline.shared.spoken import looks_english, spoken_text, spoken_tokens


@pytest.mark.parametrize(
    ("language", "written", "said"),
    [
        ("es", "Solo 24,90 € el frasco.", "Solo veinticuatro euros con noventa el frasco."),
        ("es", "Frasco de 500 ml, 2x más rápido.",
         "Frasco de quinientos mililitros, dos veces más rápido."),
        ("es", "Listo en 1 h.", "Listo en una hora."),
        ("es", "Desde 1.299,00 €", "Desde mil doscientos noventa y nueve euros"),
        ("fr", "Seulement 19,90 €, 1,5 L, 20%.",
         "Seulement dix-neuf euros quatre-vingt-dix, un virgule cinq litres, vingt pour cent."),
        ("pt", "Só R$ 24,90, 2 h.", "Só vinte e quatro reais e noventa, duas horas."),
        ("de", "Nur 4,90 €, 1 h, 2x schneller.",
         "Nur vier Euro neunzig, eine Stunde, zweimal schneller."),
        ("en", "Only $12.90 for 500 ml.",
         "Only twelve dollars ninety for five hundred millilitres."),
        ("en", "Visit aurora.com, 24 hours a day.", "Visit aurora.com, 24 hours a day."),
    ],
)  # fmt: skip
def test_numbers_prices_and_units_are_said_in_words(language: str, written: str, said: str) -> None:
    assert spoken_text(written, language) == said


def test_each_written_word_keeps_its_own_spoken_form() -> None:
    """The captions show the written words; the sign said with its number says nothing."""
    tokens = spoken_tokens("Solo 24,90 € hoy.", "es")
    assert [t.written for t in tokens] == ["Solo", "24,90", "€", "hoy."]
    assert [t.spoken for t in tokens] == ["Solo", "veinticuatro euros con noventa", "", "hoy."]


def test_an_english_brand_is_said_in_english() -> None:
    name = "SmartBrew Coffee Señorío"
    english = frozenset(w for w in name.split() if looks_english(w, "es"))
    assert english == {"SmartBrew", "Coffee"}
    tokens = spoken_tokens("Conoce SmartBrew Coffee Señorío.", "es", english)
    assert [t.english for t in tokens] == [False, True, True, False]
    assert not looks_english("Coffee", "en")  # in English, everything is


def test_a_language_without_spoken_forms_is_said_as_written() -> None:
    """Italian (a hosted voice's language): the line goes to the voice as the script wrote it."""
    assert spoken_text("Caffè, ridefinito. 2x 24,90 €", "it") == "Caffè, ridefinito. 2x 24,90 €"
