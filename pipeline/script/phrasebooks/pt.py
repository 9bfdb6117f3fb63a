"""Portuguese phrase books (Brazilian Portuguese, addressing the viewer as você).

No line claims anything about the product, and none needs its grammatical gender: the name is
said as it is ("Conheça {name}.", "Apresentamos {name}."), never as "o", "a", "ele" or "ela", and
no adjective agrees with it. SPEAKING is measured on the espeak-ng voice VOICE (Brazilian) at
each style's rate and pitch (`bench/phrase_rates.py`), KOKORO_SPEAKING on the default Kokoro
voice at each style's pace (`bench/kokoro_rates.py`).
"""

from __future__ import annotations

from domain.enums import Style
from domain.templates import SpeakingRate
from pipeline.script.lines import Phrasebook

VOICE = "pt-br"

PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        intros=(
            "Apresentamos {name}.",
            "Conheça {name}.",
            "Eis {name}.",
            "Descubra {name}.",
            "Esta é a novidade: {name}.",
            "Chegou {name}.",
        ),
        unnamed="Já disponível.",
        cta_leads=("Descubra {name}.", "{name}."),
        short_cta="Descubra mais.",
        headlines={
            "hook": ("Apresentamos", "Algo especial", "Novidade"),
            "feature": ("De perto", "Em cada detalhe", "Em detalhe"),
            "benefit": ("Para o seu dia", "Para descobrir", "Para você"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        intros=(
            "Diga olá para {name}!",
            "Conheça {name}!",
            "Chegou {name}!",
            "Descubra {name}!",
            "Olha só: {name}!",
            "Apresentamos {name}!",
        ),
        unnamed="Já disponível!",
        cta_leads=("Garanta {name}!", "{name}!"),
        short_cta="Garanta já!",
        headlines={
            "hook": ("Diga olá", "Novidade", "Chegou"),
            "feature": ("De perto", "Todos os ângulos", "Em ação"),
            "benefit": ("Você decide", "Do seu jeito", "Para você"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        intros=(
            "Conheça {name}.",
            "Apresentamos {name}.",
            "{name}.",
            "Descubra {name}.",
            "Eis {name}.",
            "Chegou {name}.",
        ),
        unnamed="Já disponível.",
        cta_leads=("{name}.", "Conheça {name}."),
        short_cta="Saiba mais.",
        headlines={
            "hook": ("Menos, porém melhor", "Só o que importa", "Novidade"),
            "feature": ("De perto", "Sem rodeios", "Em detalhe"),
            "benefit": ("Para o seu dia", "Para você", "Todo dia"),
        },
    ),
    Style.BOLD: Phrasebook(
        intros=(
            "Apresentamos {name}.",
            "Conheça {name}.",
            "Chegou {name}.",
            "Abram caminho para {name}.",
            "Descubra {name}.",
            "Todos os olhares em {name}.",
        ),
        unnamed="Já disponível.",
        cta_leads=("{name}.", "Garanta {name}."),
        short_cta="Garanta já.",
        headlines={
            "hook": ("É agora", "Novidade", "Sem rodeios"),
            "feature": ("De perto", "Cada detalhe", "Em detalhe"),
            "benefit": ("Para você", "Feito para você", "Seu"),
        },
    ),
}

# Measured by `bench/phrase_rates.py` on espeak-ng 'pt-br' at each style's rate and pitch
# (40 lines per style, up to ~10 s; least squares fit: rms <= 0.18 s, worst line 0.41 s).
SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0741, sentence=0.457, comma=0.3),
    Style.ENERGETIC: SpeakingRate(letter=0.0645, sentence=0.293, comma=0.143),
    Style.MINIMAL: SpeakingRate(letter=0.0708, sentence=0.333, comma=0.337),
    Style.BOLD: SpeakingRate(letter=0.0696, sentence=0.351, comma=0.263),
}

# Measured by `bench/kokoro_rates.py` on Kokoro's pf_dora (the default Portuguese voice) at each
# style's pace (16 lines per style, up to ~8 s; least squares fit: rms <= 0.20 s, worst 0.46 s).
KOKORO_SPEAKING: dict[Style, SpeakingRate] = {
    Style.LUXURY: SpeakingRate(letter=0.0788, sentence=0.088, comma=0.096),
    Style.ENERGETIC: SpeakingRate(letter=0.0677, sentence=0.179, comma=0.096),
    Style.MINIMAL: SpeakingRate(letter=0.0713, sentence=0.173, comma=0.08),
    Style.BOLD: SpeakingRate(letter=0.0679, sentence=0.234, comma=0.114),
}
