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
        openers=(
            "Manche Dinge verdienen einen zweiten Blick.",
            "Nimm dir einen Moment Zeit.",
            "Für das Besondere lohnt es sich, innezuhalten.",
        ),
        intros=("Das ist {name}.", "Wir präsentieren {name}.", "Vorhang auf für {name}."),
        hook_more=(
            "Lass dir Zeit.",
            "Ganz in Ruhe.",
            "Lass den Moment wirken.",
            "Lass deinen Blick verweilen.",
            "Genieße den Anblick.",
        ),
        look=(
            "Sieh dir {name} genauer an.",
            "Achte auf die Details.",
            "Jeder Blickwinkel lohnt sich.",
            "Komm ein wenig näher.",
            "Nimm dir Zeit zum Hinsehen.",
        ),
        picture=(
            "Stell dir deinen Alltag mit {name} vor.",
            "Schaff ein wenig Raum dafür.",
            "Du wirst spüren, wann der Moment gekommen ist.",
            "Überzeug dich selbst.",
            "Gib dem Besonderen seinen Platz.",
        ),
        short_cta="Jetzt entdecken.",
        short=("Sieh genauer hin.", "Lass dir Zeit."),
        cta_leads=("Entdecke {name}.", "{name}."),
        headlines={
            "hook": ("Vorhang auf", "Einen zweiten Blick wert", "Etwas Besonderes"),
            "feature": ("Ganz nah", "Bis ins Detail", "Genauer hinsehen"),
            "benefit": ("Stell dir vor", "Zum Entdecken", "Für deinen Alltag"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        openers=(
            "Lust auf was Neues?",
            "Stopp, nicht weiterscrollen!",
            "Das hier willst du sehen!",
        ),
        intros=("Sag hallo zu {name}!", "Hier kommt {name}!", "Das ist {name}!"),
        hook_more=(
            "Los geht's!",
            "Schau mal her!",
            "Bereit? Dann los!",
            "Auf geht's!",
            "Augen auf!",
        ),
        look=(
            "Schau dir {name} an!",
            "Schau genau hin!",
            "Komm näher ran!",
            "Von allen Seiten!",
            "Hier gibt's viel zu sehen!",
        ),
        picture=(
            "Stell dir deinen Tag mit {name} vor!",
            "Stell dir vor, was alles möglich ist!",
            "Dein neues Lieblingsstück? Vielleicht genau hier!",
            "Komm, schau noch mal hin!",
            "Bereit, wenn du es bist!",
        ),
        short_cta="Jetzt zugreifen!",
        short=("Schau mal!", "Los geht's!"),
        cta_leads=("Worauf wartest du?", "{name}!"),
        headlines={
            "hook": ("Sag hallo", "Was Neues", "Schau mal"),
            "feature": ("Schau hin", "Ganz nah", "Von allen Seiten"),
            "benefit": ("Stell dir vor", "Deine Wahl", "Du entscheidest"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        openers=(
            "Weniger Lärm. Mehr vom Wesentlichen.",
            "Einfache Dinge verdienen einen Blick.",
            "Eine klare Idee.",
        ),
        intros=("Das ist {name}.", "Hier ist {name}.", "{name}."),
        hook_more=(
            "Ganz in Ruhe.",
            "Ganz einfach.",
            "Schau hin.",
            "Nichts weiter.",
            "So, wie es ist.",
        ),
        look=(
            "Sieh dir {name} an.",
            "Ohne Umschweife.",
            "Nichts zu verbergen.",
            "Sieh genau hin.",
            "Ein ruhiger Blick.",
        ),
        picture=(
            "Stell dir deinen Alltag vor.",
            "Schaff Platz dafür.",
            "Ein Platz, ganz einfach.",
            "Überzeug dich selbst.",
            "Entscheide selbst.",
        ),
        short_cta="Mehr erfahren.",
        short=("Ganz einfach.", "Schau hin."),
        cta_leads=("{name}.", "So einfach."),
        headlines={
            "hook": ("Ganz einfach", "Weniger, aber besser", "Nur das Wesentliche"),
            "feature": ("Schau hin", "Ganz nah", "Ohne Umschweife"),
            "benefit": ("Für deinen Alltag", "Einfach für dich", "Schaff Platz"),
        },
    ),
    Style.BOLD: Phrasebook(
        openers=(
            "Vergiss das Gewohnte.",
            "Platz da.",
            "Zeit, aufzufallen.",
        ),
        intros=("Das ist {name}.", "Hier kommt {name}.", "Bühne frei für {name}."),
        hook_more=(
            "Keine Kompromisse.",
            "Aufgepasst.",
            "Schau noch mal hin.",
            "Alle Augen hierher.",
            "Hier. Jetzt.",
        ),
        look=(
            "Sieh dir {name} an.",
            "Schau genau hin.",
            "Ganz nah.",
            "Jedes Detail, klar im Blick.",
            "Überzeug dich selbst.",
        ),
        picture=(
            "Stell dir vor, was als Nächstes kommt.",
            "Dein Zug.",
            "Fall auf.",
            "Mach den ersten Schritt.",
            "Zeig, wer du bist.",
        ),
        short_cta="Jetzt sichern.",
        short=("Schau hin.", "Fall auf."),
        cta_leads=("{name}.", "Mach deinen Zug."),
        headlines={
            "hook": ("Fall auf", "Platz da", "Jetzt oder nie"),
            "feature": ("Ganz nah", "Schau genau hin", "Im Detail"),
            "benefit": ("Dein Zug", "Fall auf", "Zeig dich"),
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
