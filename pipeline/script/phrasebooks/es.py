"""Spanish phrase books (Spain and Latin America alike, addressing the viewer as tú).

No line claims anything about the product, and none needs its grammatical gender: the name is
said as it is ("Descubre {name}.", "Esto es {name}."), and where a pronoun is needed it is the
gender-neutral "le" ("Hazle un hueco") or the neuter "lo" of set phrases ("No te lo pierdas").
SPEAKING is measured on the espeak-ng voice VOICE at each style's rate and pitch
(`bench/phrase_rates.py`), KOKORO_SPEAKING on the default Kokoro voice at each style's pace
(`bench/kokoro_rates.py`).
"""

from __future__ import annotations

from domain.enums import Style
from domain.templates import SpeakingRate
from pipeline.script.lines import Phrasebook

VOICE = "es"

PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        openers=(
            "Hay cosas que merecen su tiempo.",
            "Concédete un momento.",
            "De vez en cuando, algo merece una segunda mirada.",
            "Hay momentos que se disfrutan despacio.",
        ),
        intros=("Esto es {name}.", "Te presentamos {name}.", "Así es {name}."),
        hook_more=(
            "Sin prisas.",
            "Tómate tu tiempo.",
            "Déjate llevar.",
            "Disfruta de la vista.",
            "Deja que tu mirada se detenga.",
        ),
        look=(
            "Descubre {name} de cerca.",
            "Fíjate en los detalles.",
            "Cada ángulo merece una mirada.",
            "Acércate un poco más.",
            "Sin prisa, detalle a detalle.",
        ),
        picture=(
            "Imagina tu día a día con {name}.",
            "Hazle un hueco en tu día.",
            "Encuéntrale su lugar.",
            "Sabrás cuándo es el momento.",
            "Mira con tus propios ojos.",
        ),
        short_cta="Descubre más.",
        short=("Sin prisa.", "Mira de cerca."),
        cta_leads=("Descubre {name}.", "{name}."),
        headlines={
            "hook": ("Te presentamos", "Merece una mirada", "Algo especial"),
            "feature": ("De cerca", "En cada detalle", "Mira de cerca"),
            "benefit": ("Para tu día a día", "Por descubrir", "Sin prisa"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        openers=(
            "¿Buscas algo nuevo?",
            "¡Espera, no pases de largo!",
            "¡Esto tienes que verlo!",
            "¡Atención, que llega algo nuevo!",
        ),
        intros=("¡Saluda a {name}!", "¡Aquí llega {name}!", "¡Esto es {name}!"),
        hook_more=(
            "¡Vamos!",
            "¡Échale un ojo!",
            "¡Allá vamos!",
            "¡Prepárate!",
            "¡Mira esto!",
        ),
        look=(
            "¡Echa un vistazo a {name}!",
            "¡Fíjate bien!",
            "¡Acércate un poco más!",
            "¡Desde todos los ángulos!",
            "¡Aquí hay mucho que ver!",
        ),
        picture=(
            "¡Imagina tu día con {name}!",
            "¡Imagina todo lo que puedes hacer!",
            "¡Lo que buscabas podría estar aquí!",
            "¡Venga, mira otra vez!",
            "¡Cuando tú quieras!",
        ),
        short_cta="¡Ve a por ello!",
        short=("¡Mira esto!", "¡Vamos!"),
        cta_leads=("¡No te lo pierdas!", "¡{name}!"),
        headlines={
            "hook": ("Saluda", "Algo nuevo", "Mira esto"),
            "feature": ("Echa un vistazo", "De cerca", "Todos los ángulos"),
            "benefit": ("Imagina", "Tú decides", "A tu ritmo"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        openers=(
            "Menos ruido. Más de lo que importa.",
            "Lo sencillo merece una mirada.",
            "Una idea clara.",
        ),
        intros=("Esto es {name}.", "Te presentamos {name}.", "{name}."),
        hook_more=(
            "Sin rodeos.",
            "Sin más.",
            "Echa un vistazo.",
            "Aquí está.",
            "Lo que es, y nada más.",
        ),
        look=(
            "Echa un vistazo a {name}.",
            "A la vista.",
            "Nada que esconder.",
            "Tal como es.",
            "Mira con calma.",
        ),
        picture=(
            "Piensa en tu día a día.",
            "Hazle sitio.",
            "Un lugar, sin más.",
            "Compruébalo por ti.",
            "Decide tú.",
        ),
        short_cta="Más información.",
        short=("Sin más.", "Echa un vistazo."),
        cta_leads=("{name}.", "Así de sencillo."),
        headlines={
            "hook": ("Sin más", "Menos, pero mejor", "Solo lo esencial"),
            "feature": ("Echa un vistazo", "De cerca", "Tal cual"),
            "benefit": ("Para tu día", "Simplemente", "Hazle sitio"),
        },
    ),
    Style.BOLD: Phrasebook(
        openers=(
            "Esto no es lo de siempre.",
            "Prepárate.",
            "Es hora de destacar.",
        ),
        intros=("Esto es {name}.", "Aquí está {name}.", "Te presentamos {name}."),
        hook_more=(
            "Sin concesiones.",
            "Presta atención.",
            "Mira otra vez.",
            "No apartes la vista.",
            "Aquí. Ahora.",
        ),
        look=(
            "Mira {name}.",
            "Mira bien.",
            "De cerca.",
            "Cada detalle, a la vista.",
            "Juzga tú.",
        ),
        picture=(
            "Imagina lo que viene.",
            "Tu turno.",
            "Sin miedo.",
            "Destaca.",
            "Marca la diferencia.",
        ),
        short_cta="Ve a por ello.",
        short=("Mira otra vez.", "Destaca."),
        cta_leads=("{name}.", "Da el paso."),
        headlines={
            "hook": ("Destaca", "Abre paso", "Es tu momento"),
            "feature": ("De cerca", "Mira bien", "Sin filtros"),
            "benefit": ("Tu turno", "Da el paso", "Marca la diferencia"),
        },
    ),
}

# Measured by `bench/phrase_rates.py` on espeak-ng 'es' at each style's rate and pitch
# (40 lines per style, up to ~10 s; least squares fit: rms <= 0.19 s, worst line 0.43 s).
SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0672, sentence=0.479, comma=0.32),
    Style.ENERGETIC: SpeakingRate(letter=0.0575, sentence=0.374, comma=0.198),
    Style.MINIMAL: SpeakingRate(letter=0.0642, sentence=0.379, comma=0.334),
    Style.BOLD: SpeakingRate(letter=0.065, sentence=0.32, comma=0.262),
}

# Measured by `bench/kokoro_rates.py` on Kokoro's ef_dora (the default Spanish voice) at each
# style's pace (16 lines per style, up to ~7 s; least squares fit: rms <= 0.15 s, worst 0.34 s).
KOKORO_SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0735, sentence=0.21, comma=0.08),
    Style.ENERGETIC: SpeakingRate(letter=0.065, sentence=0.198, comma=0.061),
    Style.MINIMAL: SpeakingRate(letter=0.0672, sentence=0.273, comma=0.07),
    Style.BOLD: SpeakingRate(letter=0.0665, sentence=0.144, comma=0.134),
}
