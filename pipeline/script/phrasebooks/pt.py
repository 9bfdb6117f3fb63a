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
        openers=(
            "Algumas coisas merecem ser apreciadas com calma.",
            "Reserve um momento para algo especial.",
            "De vez em quando, algo merece um segundo olhar.",
        ),
        intros=("Apresentamos {name}.", "Conheça {name}.", "Eis {name}."),
        hook_more=(
            "Sem pressa.",
            "Aprecie com calma.",
            "Leve o tempo que precisar.",
            "Deixe o olhar se demorar.",
            "Aproveite a vista.",
        ),
        look=(
            "Veja {name} de perto.",
            "Repare nos detalhes.",
            "Cada ângulo merece um olhar.",
            "Chegue um pouco mais perto.",
            "Observe com calma.",
        ),
        picture=(
            "Imagine seu dia a dia com {name}.",
            "Abra um espaço na sua rotina.",
            "Você vai saber a hora certa.",
            "Veja com seus próprios olhos.",
            "Encontre um lugar para {name}.",
        ),
        short_cta="Descubra mais.",
        short=("Veja de perto.", "Sem pressa."),
        cta_leads=("Descubra {name}.", "{name}."),
        headlines={
            "hook": ("Apresentamos", "Vale um segundo olhar", "Algo especial"),
            "feature": ("De perto", "Em cada detalhe", "Olhe de perto"),
            "benefit": ("Imagine", "Para descobrir", "Para o seu dia"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        openers=(
            "Que tal uma novidade?",
            "Espere, não passe direto!",
            "Você vai querer ver isso!",
        ),
        intros=("Diga olá para {name}!", "Conheça {name}!", "Chegou {name}!"),
        hook_more=(
            "Bora!",
            "Olha só!",
            "Vamos nessa!",
            "Lá vamos nós!",
            "Fique de olho!",
        ),
        look=(
            "Confira {name}!",
            "Dê uma boa olhada!",
            "Chegue mais perto!",
            "Veja de todos os ângulos!",
            "Tem muita coisa para ver aqui!",
        ),
        picture=(
            "Imagine seu dia com {name}!",
            "Imagine tudo o que você pode fazer!",
            "Seu próximo favorito pode estar bem aqui!",
            "Dê mais uma olhada!",
            "Quando você quiser!",
        ),
        short_cta="Garanta já!",
        short=("Olha só!", "Bora!"),
        cta_leads=("Não perca tempo!", "{name}!"),
        headlines={
            "hook": ("Diga olá", "Novidade", "Olha só"),
            "feature": ("Confira", "De perto", "Todos os ângulos"),
            "benefit": ("Imagine", "Você decide", "Do seu jeito"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        openers=(
            "Menos ruído. Mais do que importa.",
            "Coisas simples merecem um olhar.",
            "Uma ideia clara.",
        ),
        intros=("Conheça {name}.", "Apresentamos {name}.", "{name}."),
        hook_more=(
            "Nada mais.",
            "Simples assim.",
            "Dê uma olhada.",
            "Sem rodeios.",
            "Só o que é, e nada mais.",
        ),
        look=(
            "Veja {name}.",
            "Sem enfeites.",
            "Nada a esconder.",
            "Como é, sem filtro.",
            "Olhe com atenção.",
        ),
        picture=(
            "Pense no seu dia a dia.",
            "Abra espaço.",
            "Um lugar, simplesmente.",
            "Confira.",
            "Decida você.",
        ),
        short_cta="Saiba mais.",
        short=("Simples assim.", "Dê uma olhada."),
        cta_leads=("{name}.", "Simples."),
        headlines={
            "hook": ("Simples assim", "Menos, porém melhor", "Só o que importa"),
            "feature": ("Dê uma olhada", "De perto", "Sem rodeios"),
            "benefit": ("Para o seu dia", "Abra espaço", "Você decide"),
        },
    ),
    Style.BOLD: Phrasebook(
        openers=(
            "Esqueça o de sempre.",
            "Abra caminho.",
            "Hora de se destacar.",
        ),
        intros=("Apresentamos {name}.", "Conheça {name}.", "Chegou {name}."),
        hook_more=(
            "Sem concessões.",
            "Preste atenção.",
            "Olhe de novo.",
            "Todos os olhos aqui.",
            "Aqui. Agora.",
        ),
        look=(
            "Olhe para {name}.",
            "Encare de perto.",
            "De perto.",
            "Cada detalhe, à vista.",
            "Tire suas conclusões.",
        ),
        picture=(
            "Imagine o que vem por aí.",
            "Sua vez.",
            "Faça a diferença.",
            "Destaque-se.",
            "Dê o próximo passo.",
        ),
        short_cta="Garanta já.",
        short=("Olhe de novo.", "Destaque-se."),
        cta_leads=("{name}.", "Faça sua jogada."),
        headlines={
            "hook": ("Destaque-se", "Abra caminho", "É agora"),
            "feature": ("De perto", "Olhe de novo", "Cada detalhe"),
            "benefit": ("Sua vez", "Faça a diferença", "Destaque-se"),
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
