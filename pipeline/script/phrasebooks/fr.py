"""French phrase books (France; the viewer is addressed as vous, as ads normally do).

No line claims anything about the product, and none needs its grammatical gender: the name is
said as it is ("Voici {name}.", "Découvrez {name}.") and the only pronoun for it is the
gender-neutral "lui" ("Faites-lui une place."). No space before ! and ?: the captions split the
voiceover on whitespace, and a lone "!" would show as a word of its own.
SPEAKING is measured on the espeak-ng voice VOICE at each style's rate and pitch
(`bench/phrase_rates.py`), KOKORO_SPEAKING on the default Kokoro voice at each style's pace
(`bench/kokoro_rates.py`).
"""

from __future__ import annotations

from domain.enums import Style
from domain.templates import SpeakingRate
from pipeline.script.lines import Phrasebook

VOICE = "fr"  # the voice file roa/fr by name; "fr-fr" only reaches it by language, and
# "fr-fr+f3" then loses its variant (espeak_SetVoiceByName knows no "fr-fr")

PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        intros=(
            "Voici {name}.",
            "Nous vous présentons {name}.",
            "Place à {name}.",
            "Découvrez {name}.",
            "Faites connaissance avec {name}.",
            "Voici venir {name}.",
        ),
        unnamed="Disponible dès maintenant.",
        cta_leads=("Découvrez {name}.", "{name}."),
        short_cta="À découvrir.",
        headlines={
            "hook": ("Voici", "Un moment à part", "Nouveauté"),
            "feature": ("De plus près", "Dans chaque détail", "En détail"),
            "benefit": ("Pour votre quotidien", "À vous de découvrir", "Pour vous"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        intros=(
            "Dites bonjour à {name}!",
            "Voici {name}!",
            "Place à {name}!",
            "Découvrez {name}!",
            "Voilà {name}!",
            "Faites connaissance avec {name}!",
        ),
        unnamed="Disponible maintenant!",
        cta_leads=("Foncez sur {name}!", "{name}!"),
        short_cta="Foncez!",
        headlines={
            "hook": ("Dites bonjour", "Du nouveau", "Nouveauté"),
            "feature": ("De près", "Sous tous les angles", "En action"),
            "benefit": ("Votre choix", "Pour vous", "À vous"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        intros=(
            "Voici {name}.",
            "Découvrez {name}.",
            "{name}.",
            "Nous vous présentons {name}.",
            "Place à {name}.",
            "Voilà {name}.",
        ),
        unnamed="Disponible maintenant.",
        cta_leads=("{name}.", "Découvrez {name}."),
        short_cta="En savoir plus.",
        headlines={
            "hook": ("Moins, mais mieux", "L'essentiel", "Nouveauté"),
            "feature": ("De près", "Sans artifice", "En détail"),
            "benefit": ("Au quotidien", "Pour vous", "Chaque jour"),
        },
    ),
    Style.BOLD: Phrasebook(
        intros=(
            "Voici {name}.",
            "Place à {name}.",
            "Découvrez {name}.",
            "Faites place à {name}.",
            "Voilà {name}.",
            "Tous les regards sur {name}.",
        ),
        unnamed="Disponible maintenant.",
        cta_leads=("{name}.", "Adoptez {name}."),
        short_cta="Foncez.",
        headlines={
            "hook": ("C'est le moment", "Nouveauté", "Sans détour"),
            "feature": ("De près", "En détail", "Chaque détail"),
            "benefit": ("Pour vous", "À vous", "Fait pour vous"),
        },
    ),
}

# Measured by `bench/phrase_rates.py` on espeak-ng 'fr' at each style's rate and pitch
# (40 lines per style, up to ~10 s; least squares fit: rms <= 0.24 s, worst line 0.52 s).
SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0506, sentence=0.524, comma=0.484),
    Style.ENERGETIC: SpeakingRate(letter=0.0466, sentence=0.329, comma=0.273),
    Style.MINIMAL: SpeakingRate(letter=0.05, sentence=0.426, comma=0.322),
    Style.BOLD: SpeakingRate(letter=0.0504, sentence=0.369, comma=0.348),
}

# Measured by `bench/kokoro_rates.py` on Kokoro's ff_siwis (the default French voice) at each
# style's pace (16 lines per style, up to ~7 s; least squares fit: rms <= 0.20 s, worst 0.48 s;
# BOLD's comma came out at -0.001 s, kept at 0).
KOKORO_SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.066, sentence=0.239, comma=0.24),
    Style.ENERGETIC: SpeakingRate(letter=0.0618, sentence=0.101, comma=0.049),
    Style.MINIMAL: SpeakingRate(letter=0.0635, sentence=0.221, comma=0.01),
    Style.BOLD: SpeakingRate(letter=0.0616, sentence=0.223, comma=0.0),
}
