"""The offline writer's phrase book: per style, the few lines an ad says beside the maker's own.

What a product is and does comes only from the person who made the job (the name, the
description, the key benefits), and an ad never pads: every line it says tells the viewer
something about the product, its use or the offer. So a phrase book holds only lines that carry
the product's name (the hook, the lead into the call-to-action) or the offer, and headlines to
show over a scene the brief gives nothing to say. No opener, no "take a look", no "here it is":
a line that says nothing tells a viewer to scroll on. The writer starts at the line a hash of
the product name picks (stable across retries, varied across products) and says each at most
once per ad. `{name}` is a spoken form of the product's name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from domain.enums import Style
from domain.templates import SpeakingRate, get_template
from domain.voices import KOKORO, LANGUAGE_NAMES, OFFLINE_LANGUAGES


@dataclass(frozen=True)
class Phrasebook:
    # The hook: one line that says the name, in at most HOOK_SPOKEN_SECONDS. A HOOK variant
    # takes the next one, so each book has more than resolvers.variants.HOOK_CHOICES.
    intros: tuple[str, ...]
    # The hook of a product whose name has nothing to say (emoji, symbols): the offer.
    unnamed: str
    cta_leads: tuple[str, ...]  # before the call-to-action on the end card; each says {name}
    # Said instead of a call-to-action too long for a very short end card (previews).
    short_cta: str
    # purpose -> on-screen text (<= 7 words) for a scene the brief gives no words of its own
    headlines: dict[str, tuple[str, ...]]


PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        intros=(
            "This is {name}.",
            "Introducing {name}.",
            "Meet {name}.",
            "Presenting {name}.",
            "Discover {name}.",
            "Allow us to introduce {name}.",
        ),
        unnamed="Now available.",
        cta_leads=("Discover {name}.", "{name}."),
        short_cta="Discover it.",
        headlines={
            "hook": ("Introducing", "Something special", "New"),
            "feature": ("In every detail", "In detail", "Up close"),
            "benefit": ("Yours to discover", "For your day", "For you"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        intros=(
            "Say hello to {name}!",
            "Meet {name}!",
            "This is {name}!",
            "Here comes {name}!",
            "Introducing {name}!",
            "Get ready for {name}!",
        ),
        unnamed="Out now!",
        cta_leads=("Grab {name}!", "{name}!"),
        short_cta="Grab yours!",
        headlines={
            "hook": ("Say hello", "Something new", "Brand new"),
            "feature": ("Up close", "Every side", "In action"),
            "benefit": ("Your call", "Made for you", "All yours"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        intros=(
            "This is {name}.",
            "Meet {name}.",
            "{name}.",
            "Introducing {name}.",
            "Say hello to {name}.",
            "Presenting {name}.",
        ),
        unnamed="Now available.",
        cta_leads=("{name}.", "Meet {name}."),
        short_cta="Learn more.",
        headlines={
            "hook": ("Less, but better", "Only what matters", "New"),
            "feature": ("Up close", "Plainly", "As it is"),
            "benefit": ("For your day", "Yours", "Everyday"),
        },
    ),
    Style.BOLD: Phrasebook(
        intros=(
            "This is {name}.",
            "Meet {name}.",
            "Introducing {name}.",
            "Make way for {name}.",
            "Here comes {name}.",
            "All eyes on {name}.",
        ),
        unnamed="Out now.",
        cta_leads=("{name}.", "Get {name}."),
        short_cta="Get yours.",
        headlines={
            "hook": ("This is it", "New", "All new"),
            "feature": ("Up close", "In plain sight", "Every detail"),
            "benefit": ("Make it yours", "For you", "Yours"),
        },
    ),
}


class NoPhrasebook(LookupError):
    """The offline writer has no phrase book for this language."""


def _language_module(language: str) -> ModuleType:
    if language not in OFFLINE_LANGUAGES or language == "en":
        name = LANGUAGE_NAMES.get(language, language)
        raise NoPhrasebook(
            f"the offline writer has no phrase book for {name} ({language}); it writes "
            + ", ".join(OFFLINE_LANGUAGES)
        )
    return importlib.import_module(f"pipeline.script.phrasebooks.{language}")


def phrasebook(language: str, style: Style) -> Phrasebook:
    """The style's phrase book in `language` (written for it, not translated)."""
    if language == "en":
        return PHRASEBOOKS[style]
    books: dict[Style, Phrasebook] = _language_module(language).PHRASEBOOKS
    return books[style]


def speaking_rate(language: str, style: Style, engine: str | None = None) -> SpeakingRate:
    """How long the offline voice for `language` takes to say a line in this style: Piper's
    measured timing in English, Kokoro's where it speaks the language (its default, or
    `engine` "kokoro"), espeak-ng's otherwise (each measured per language)."""
    if language == "en":
        return get_template(style).speaking
    module = _language_module(language)
    neural: dict[Style, SpeakingRate] | None = getattr(module, "KOKORO_SPEAKING", None)
    if neural is not None and engine in (None, KOKORO):
        return neural[style]
    rates: dict[Style, SpeakingRate] = module.SPEAKING
    return rates[style]


def espeak_voice_for(language: str) -> str:
    """The espeak-ng voice the phrase books' timing was measured with."""
    voice: str = _language_module(language).VOICE
    return voice
