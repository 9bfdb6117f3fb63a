"""The offline writer's phrase book: per style, per scene purpose, lines in that style's voice.

Each purpose has a few variants (the writer picks one from a hash of the product name, so two
products in one style do not sound identical) followed by shorter fallbacks used when a short
render leaves the narrator only a few words. `{name}` is the product, `{cta}` the call-to-action.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import Style


@dataclass(frozen=True)
class Lines:
    variants: tuple[str, ...]  # full lines, one is chosen per product
    fallbacks: tuple[str, ...]  # shorter lines, longest first, for tight word budgets


@dataclass(frozen=True)
class Phrasebook:
    hook: Lines
    feature: Lines
    benefit: Lines
    cta: Lines
    on_screen: dict[str, tuple[str, ...]]  # purpose -> headline variants (≤ 7 words)
    generic_cta: str  # end-card line when the call-to-action itself is too long to say


PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        hook=Lines(
            (
                "Some things are made to be noticed. This is {name}.",
                "Quiet confidence, crafted with care. Introducing {name}.",
                "Every detail considered, every moment refined. Meet {name}.",
            ),
            ("Introducing {name}.", "Pure, quiet elegance.", "Pure elegance."),
        ),
        feature=Lines(
            (
                "Look closer. Every line is finished by hand, in materials chosen to last.",
                "Fine materials and patient craftsmanship, with a finish that catches the light.",
                "Crafted slowly, by people who care about the smallest detail.",
            ),
            ("Crafted by hand, with care.", "Crafted with care."),
        ),
        benefit=Lines(
            (
                "It turns an ordinary day into something quietly extraordinary.",
                "Make it part of your day, and feel what true quality brings.",
                "An indulgence you will reach for again and again.",
            ),
            ("Quietly extraordinary, every day.", "Quietly extraordinary."),
        ),
        cta=Lines(("{name}. {cta}.", "Discover {name}. {cta}."), ("{cta}.",)),
        on_screen={
            "hook": ("Crafted to be remembered", "Quiet confidence", "Refined. Considered."),
            "feature": ("Finished by hand", "Made to last", "Every detail considered"),
            "benefit": ("Quietly extraordinary", "Everyday indulgence", "Timeless by design"),
        },
        generic_cta="Discover it today.",
    ),
    Style.ENERGETIC: Phrasebook(
        hook=Lines(
            (
                "Ready for a serious upgrade? Say hello to {name}!",
                "Stop scrolling! This is {name}, and it's about to make your day.",
                "Big energy, zero compromise. Meet {name}!",
            ),
            ("Meet {name}!", "Let's go, let's go!", "Let's go!"),
        ),
        feature=Lines(
            (
                "Packed with smart touches, it keeps up with everything you throw at it.",
                "Fast, fun and built to move, just like you!",
                "It's quick, it's bright, and it never slows you down!",
            ),
            ("Fast, fun, built to move!", "Built to move!"),
        ),
        benefit=Lines(
            (
                "More time for what you love, less time waiting around!",
                "Your days just got brighter, faster and way more fun!",
                "Turn every plain moment into a highlight!",
            ),
            ("Every day, way more fun!", "Way more fun!"),
        ),
        cta=Lines(("Don't wait! {cta}!", "{cta}, and join the fun!"), ("{cta}!",)),
        on_screen={
            "hook": ("Your new favourite thing", "Big energy. Zero compromise.", "Level up!"),
            "feature": ("Built to move", "Fast. Fun. Yours.", "Keeps up with you"),
            "benefit": ("Way more fun", "Every day, upgraded", "Pure good vibes"),
        },
        generic_cta="Grab yours now!",
    ),
    Style.MINIMAL: Phrasebook(
        hook=Lines(
            (
                "Less noise. More of what matters. This is {name}.",
                "Simple, by design. Meet {name}.",
                "Everything you need, and nothing you don't. Meet {name}.",
            ),
            ("Meet {name}.", "Simply, thoughtfully better.", "Simply better."),
        ),
        feature=Lines(
            (
                "One clear idea, done well. Nothing extra, nothing missing.",
                "Thoughtful design that does exactly what you need, and no more.",
                "Every part has a purpose, and every purpose is clear.",
            ),
            ("Clear, simple design.", "Nothing extra."),
        ),
        benefit=Lines(
            (
                "It fits quietly into your day, so you can focus on the rest.",
                "Clean, calm and easy to live with, day after day.",
                "Less to think about, more time for what you enjoy.",
            ),
            ("Calm, simple, easy.", "Calm and easy."),
        ),
        cta=Lines(("{name}. {cta}.", "Simple. {cta}."), ("{cta}.",)),
        on_screen={
            "hook": ("Simple, by design", "Less, but better", "Only what matters"),
            "feature": ("Nothing extra", "Designed with purpose", "Clear and considered"),
            "benefit": ("Calm, every day", "Easy to live with", "More room to breathe"),
        },
        generic_cta="Learn more today.",
    ),
    Style.BOLD: Phrasebook(
        hook=Lines(
            (
                "No half measures. {name} is here, and it means business.",
                "Built for those who refuse to settle. This is {name}.",
                "Forget ordinary. {name} changes the game.",
            ),
            ("This is {name}.", "No half measures. None.", "No half measures."),
        ),
        feature=Lines(
            (
                "Raw power, precision engineering, and not a single wasted detail.",
                "Engineered to outperform, designed to stand out, made to last.",
                "Every edge is sharper, every detail is stronger.",
            ),
            ("Engineered to outperform.", "Built to dominate."),
        ),
        benefit=Lines(
            (
                "When it counts, you will have the edge. Every single time.",
                "Stand taller, move faster, and own every moment.",
                "Set the standard others have to chase.",
            ),
            ("Own every single moment.", "Own every moment."),
        ),
        cta=Lines(("Take the lead. {cta}.", "{cta}. No excuses."), ("{cta}.",)),
        on_screen={
            "hook": ("No half measures", "Refuse to settle", "Forget ordinary"),
            "feature": ("Built to dominate", "Raw power. Pure precision.", "Zero wasted detail"),
            "benefit": ("Own every moment", "Always the edge", "Set the standard"),
        },
        generic_cta="Get yours now.",
    ),
}
