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
        openers=(
            "Certaines choses méritent qu'on prenne son temps.",
            "Accordez-vous un moment.",
            "Parfois, un second regard s'impose.",
        ),
        intros=("Voici {name}.", "Nous vous présentons {name}.", "Place à {name}."),
        hook_more=(
            "Prenez votre temps.",
            "Savourez l'instant.",
            "Laissez votre regard s'attarder.",
            "Rien ne presse.",
            "Admirez.",
        ),
        look=(
            "Découvrez {name} de plus près.",
            "Observez les détails.",
            "Chaque angle mérite un regard.",
            "Approchez-vous encore un peu.",
            "Prenez le temps de regarder.",
        ),
        picture=(
            "Imaginez votre quotidien avec {name}.",
            "Faites-lui une place.",
            "Laissez-vous tenter.",
            "Vous reconnaîtrez le bon moment.",
            "Jugez par vous-même.",
        ),
        short_cta="À découvrir.",
        short=("Approchez-vous.", "Prenez votre temps."),
        cta_leads=("Découvrez {name}.", "{name}."),
        headlines={
            "hook": ("Voici", "À regarder de près", "Un moment à part"),
            "feature": ("De plus près", "Dans chaque détail", "Regardez de près"),
            "benefit": ("Imaginez", "À vous de découvrir", "Pour votre quotidien"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        openers=(
            "Envie de nouveauté?",
            "Attendez, ne passez pas à côté!",
            "Ça, il faut le voir!",
        ),
        intros=("Dites bonjour à {name}!", "Voici {name}!", "Place à {name}!"),
        hook_more=(
            "C'est parti!",
            "Regardez-moi ça!",
            "Allez, on y va!",
            "Ouvrez grand les yeux!",
            "Ne manquez pas ça!",
        ),
        look=(
            "Jetez un œil à {name}!",
            "Regardez bien!",
            "Approchez-vous!",
            "Sous tous les angles!",
            "Il y a de quoi regarder!",
        ),
        picture=(
            "Imaginez votre journée avec {name}!",
            "Imaginez tout ce que vous pourriez faire!",
            "Votre prochain coup de cœur est peut-être ici!",
            "Allez, encore un coup d'œil!",
            "Quand vous voulez!",
        ),
        short_cta="Foncez!",
        short=("Regardez ça!", "C'est parti!"),
        cta_leads=("N'attendez plus!", "{name}!"),
        headlines={
            "hook": ("Dites bonjour", "Du nouveau", "Regardez ça"),
            "feature": ("Jetez un œil", "De près", "Sous tous les angles"),
            "benefit": ("Imaginez", "À vous de jouer", "Votre choix"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        openers=(
            "Moins de bruit. Plus d'essentiel.",
            "Les choses simples méritent un regard.",
            "Une idée claire.",
        ),
        intros=("Voici {name}.", "Découvrez {name}.", "{name}."),
        hook_more=(
            "Sans détour.",
            "Simplement.",
            "Regardez.",
            "C'est tout.",
            "Ni plus, ni moins.",
        ),
        look=(
            "Regardez {name}.",
            "Sans artifice.",
            "Rien à cacher.",
            "Regardez de près.",
            "Prenez le temps de voir.",
        ),
        picture=(
            "Imaginez votre quotidien.",
            "Faites-lui de la place.",
            "Une place, simplement.",
            "Voyez par vous-même.",
            "À vous de juger.",
        ),
        short_cta="En savoir plus.",
        short=("Simplement.", "Regardez."),
        cta_leads=("{name}.", "Tout simplement."),
        headlines={
            "hook": ("Simplement", "Moins, mais mieux", "L'essentiel"),
            "feature": ("Regardez", "De près", "Sans artifice"),
            "benefit": ("Au quotidien", "Pour vous, simplement", "Faites de la place"),
        },
    ),
    Style.BOLD: Phrasebook(
        openers=(
            "Oubliez l'ordinaire.",
            "Faites place.",
            "C'est le moment de sortir du lot.",
        ),
        intros=("Voici {name}.", "Place à {name}.", "Découvrez {name}."),
        hook_more=(
            "Sans compromis.",
            "Attention.",
            "Regardez encore.",
            "Ouvrez l'œil.",
            "Ici. Maintenant.",
        ),
        look=(
            "Regardez {name}.",
            "Regardez bien.",
            "De près.",
            "Chaque détail, en pleine lumière.",
            "Voyez par vous-même.",
        ),
        picture=(
            "Imaginez la suite.",
            "À vous de jouer.",
            "Faites la différence.",
            "Démarquez-vous.",
            "Osez.",
        ),
        short_cta="Foncez.",
        short=("Regardez encore.", "Osez."),
        cta_leads=("{name}.", "Passez à l'action."),
        headlines={
            "hook": ("Sortez du lot", "Faites place", "C'est le moment"),
            "feature": ("De près", "Regardez bien", "Sans détour"),
            "benefit": ("À vous de jouer", "Osez", "Démarquez-vous"),
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
