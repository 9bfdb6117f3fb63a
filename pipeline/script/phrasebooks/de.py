"""German phrase books (the viewer is addressed as du, lower case, as most ads do now).

No line claims anything about the product, and none needs its grammatical gender: the name is
said as it is ("Das ist {name}.", "Entdecke {name}."), never as er, sie or es, and where the
product is meant the line says "dafür" or nothing at all.
SPEAKING is measured on the espeak-ng voice VOICE at each style's rate and pitch
(`bench/phrase_rates.py`).
"""

from __future__ import annotations

from domain.enums import Style
from domain.templates import SpeakingRate
from pipeline.script.lines import Phrasebook

VOICE = "de"

PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        intros=(
            "Das ist {name}.",
            "Wir präsentieren {name}.",
            "Vorhang auf für {name}.",
            "Entdecke {name}.",
            "Darf ich vorstellen: {name}.",
            "Willkommen, {name}.",
        ),
        unnamed="Ab sofort erhältlich.",
        cta_leads=("Entdecke {name}.", "{name}."),
        short_cta="Jetzt entdecken.",
        headlines={
            "hook": ("Vorhang auf", "Etwas Besonderes", "Neu"),
            "feature": ("Ganz nah", "Bis ins Detail", "Im Detail"),
            "benefit": ("Für deinen Alltag", "Zum Entdecken", "Für dich"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        intros=(
            "Sag hallo zu {name}!",
            "Hier kommt {name}!",
            "Das ist {name}!",
            "Entdecke {name}!",
            "Bühne frei für {name}!",
            "Willkommen, {name}!",
        ),
        unnamed="Jetzt neu!",
        cta_leads=("Hol dir {name}!", "{name}!"),
        short_cta="Jetzt zugreifen!",
        headlines={
            "hook": ("Sag hallo", "Was Neues", "Neu"),
            "feature": ("Ganz nah", "Von allen Seiten", "In Aktion"),
            "benefit": ("Deine Wahl", "Für dich", "Du entscheidest"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        intros=(
            "Das ist {name}.",
            "Hier ist {name}.",
            "{name}.",
            "Entdecke {name}.",
            "Wir präsentieren {name}.",
            "Willkommen, {name}.",
        ),
        unnamed="Ab sofort erhältlich.",
        cta_leads=("{name}.", "Entdecke {name}."),
        short_cta="Mehr erfahren.",
        headlines={
            "hook": ("Weniger, aber besser", "Nur das Wesentliche", "Neu"),
            "feature": ("Ganz nah", "Ohne Umschweife", "Im Detail"),
            "benefit": ("Für deinen Alltag", "Für dich", "Jeden Tag"),
        },
    ),
    Style.BOLD: Phrasebook(
        intros=(
            "Das ist {name}.",
            "Hier kommt {name}.",
            "Bühne frei für {name}.",
            "Platz für {name}.",
            "Entdecke {name}.",
            "Alle Augen auf {name}.",
        ),
        unnamed="Jetzt neu.",
        cta_leads=("{name}.", "Hol dir {name}."),
        short_cta="Jetzt sichern.",
        headlines={
            "hook": ("Jetzt oder nie", "Neu", "Ohne Kompromisse"),
            "feature": ("Ganz nah", "Im Detail", "Jedes Detail"),
            "benefit": ("Für dich", "Deins", "Für dich gemacht"),
        },
    ),
}

# Measured by `bench/phrase_rates.py` on espeak-ng 'de' at each style's rate and pitch
# (40 lines per style, up to ~10 s; least squares fit: rms <= 0.27 s, worst line 0.90 s).
SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0717, sentence=0.305, comma=0.079),
    Style.ENERGETIC: SpeakingRate(letter=0.0565, sentence=0.382, comma=0.203),
    Style.MINIMAL: SpeakingRate(letter=0.0642, sentence=0.303, comma=0.281),
    Style.BOLD: SpeakingRate(letter=0.0637, sentence=0.38, comma=0.146),
}
