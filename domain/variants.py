"""Variants for A/B tests: what each axis changes, and so which stages a variant runs again.

A variant copies its source's completed stages that its axes leave alone (no attempt, no cost)
and runs the others; inside those, the stages reuse what did not change (a voice stage says only
the lines that differ, the compositing stage of a music-only variant re-mixes under the source's
picture).
"""

from __future__ import annotations

from domain.enums import StageName, Style, VariantAxis

MAX_VARIANTS = 5

# The stages a variant on this axis must run again.
RERUN: dict[VariantAxis, frozenset[StageName]] = {
    VariantAxis.HOOK: frozenset(StageName),  # the script, then what follows from it
    VariantAxis.CTA: frozenset(StageName),
    VariantAxis.STYLE: frozenset(StageName),
    VariantAxis.VOICE: frozenset(
        {StageName.VOICE_GEN, StageName.VIDEO_GEN, StageName.COMPOSITING}
    ),  # the captions follow the new voice's timing
    VariantAxis.MUSIC: frozenset({StageName.COMPOSITING}),
}

# Calls-to-action to try, per language: short, neutral, no claim about the product.
CTA_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "en": ("Shop now", "Get yours today", "Order today", "See more", "Try it today",
           "Find out more"),
    "es": ("Cómpralo ya", "Pide el tuyo hoy", "Descubre más", "Pruébalo hoy", "Compra ahora",
           "Haz tu pedido"),
    "fr": ("Achetez maintenant", "Commandez dès aujourd'hui", "Découvrez-en plus",
           "Essayez-le", "Voir plus", "À vous de jouer"),
    "de": ("Jetzt kaufen", "Heute bestellen", "Mehr erfahren", "Jetzt entdecken",
           "Gleich ausprobieren", "Hier bestellen"),
    "pt": ("Compre agora", "Peça o seu hoje", "Saiba mais", "Experimente hoje",
           "Garanta o seu", "Confira agora"),
}  # fmt: skip


def stages_to_rerun(axes: set[VariantAxis]) -> frozenset[StageName]:
    rerun: frozenset[StageName] = frozenset()
    for axis in axes:
        rerun |= RERUN[axis]
    return rerun


def other_styles(style: Style) -> list[Style]:
    """The other styles, in the order the enum lists them after this one."""
    order = list(Style)
    start = order.index(style)
    return [order[(start + k) % len(order)] for k in range(1, len(order))]


def cta_alternatives(language: str, current: str) -> list[str]:
    """Calls-to-action to try instead of `current` (an empty list: none for this language)."""
    taken = current.casefold().strip(" .!")
    return [c for c in CTA_ALTERNATIVES.get(language, ()) if c.casefold() != taken]
