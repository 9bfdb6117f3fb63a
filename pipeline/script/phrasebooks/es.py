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
        intros=(
            "Esto es {name}.",
            "Te presentamos {name}.",
            "Así es {name}.",
            "Descubre {name}.",
            "Conoce {name}.",
            "Llega {name}.",
        ),
        unnamed="Ya disponible.",
        cta_leads=("Descubre {name}.", "{name}."),
        short_cta="Descubre más.",
        headlines={
            "hook": ("Te presentamos", "Algo especial", "Novedad"),
            "feature": ("De cerca", "En cada detalle", "Al detalle"),
            "benefit": ("Para tu día a día", "Por descubrir", "Para ti"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        intros=(
            "¡Saluda a {name}!",
            "¡Aquí llega {name}!",
            "¡Esto es {name}!",
            "¡Conoce {name}!",
            "¡Llega {name}!",
            "¡Descubre {name}!",
        ),
        unnamed="¡Ya disponible!",
        cta_leads=("¡Hazte con {name}!", "¡{name}!"),
        short_cta="¡Ve a por ello!",
        headlines={
            "hook": ("Saluda", "Algo nuevo", "Novedad"),
            "feature": ("De cerca", "Todos los ángulos", "En acción"),
            "benefit": ("Tú decides", "A tu ritmo", "Para ti"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        intros=(
            "Esto es {name}.",
            "Te presentamos {name}.",
            "{name}.",
            "Conoce {name}.",
            "Así es {name}.",
            "Descubre {name}.",
        ),
        unnamed="Ya disponible.",
        cta_leads=("{name}.", "Conoce {name}."),
        short_cta="Más información.",
        headlines={
            "hook": ("Menos, pero mejor", "Solo lo esencial", "Novedad"),
            "feature": ("De cerca", "Tal cual", "Al detalle"),
            "benefit": ("Para tu día", "Para ti", "Cada día"),
        },
    ),
    Style.BOLD: Phrasebook(
        intros=(
            "Esto es {name}.",
            "Aquí está {name}.",
            "Te presentamos {name}.",
            "Abran paso a {name}.",
            "Llega {name}.",
            "Todas las miradas en {name}.",
        ),
        unnamed="Ya disponible.",
        cta_leads=("{name}.", "Consigue {name}."),
        short_cta="Ve a por ello.",
        headlines={
            "hook": ("Es tu momento", "Novedad", "Sin filtros"),
            "feature": ("De cerca", "Al detalle", "Cada detalle"),
            "benefit": ("Para ti", "Hecho para ti", "Tuyo"),
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
