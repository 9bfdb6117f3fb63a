"""The offline writer's phrase book: per style, lines in that style's voice that claim nothing.

What a product is and does comes only from the person who made the job (the name, the
description, the key benefits). These lines only open, introduce, invite and close: they say
nothing about materials, taste, speed or durability, so no ad claims what its input did not say.
Each list holds several variants; the writer starts at the one a hash of the product name picks
(stable across retries, varied across products), uses each line once per ad, and stops adding
when the scene is full. `{name}` is a spoken form of the product's name.
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
    openers: tuple[str, ...]  # catch the eye, before the name
    intros: tuple[str, ...]  # say the name
    hook_more: tuple[str, ...]  # after the name, when the hook has room
    look: tuple[str, ...]  # feature scene: invite a closer look
    picture: tuple[str, ...]  # benefit scene: the viewer's day, not a claim about the product
    cta_leads: tuple[str, ...]  # before the call-to-action, on the end card
    # Said instead of a call-to-action too long for a very short end card (previews).
    short_cta: str
    # Two or three words: what any scene says when it is too short for anything else.
    short: tuple[str, ...]
    headlines: dict[str, tuple[str, ...]]  # purpose -> on-screen text (<= 7 words)


PHRASEBOOKS: dict[Style, Phrasebook] = {
    Style.LUXURY: Phrasebook(
        openers=(
            "Some things are worth slowing down for.",
            "Take a moment for something special.",
            "Every so often, something deserves a second look.",
        ),
        intros=("This is {name}.", "Introducing {name}.", "Meet {name}."),
        hook_more=(
            "Let it speak for itself.",
            "Take it in slowly.",
            "Take your time.",
            "Let your eyes linger.",
            "Enjoy the view.",
        ),
        look=(
            "Take a closer look at {name}.",
            "Notice the details.",
            "Every angle is worth a look.",
            "Look a little closer.",
            "Take your time with it.",
        ),
        picture=(
            "Picture it as part of your day.",
            "Imagine it, right where it belongs.",
            "Make a little room for it.",
            "You will know when it is right for you.",
            "See it for yourself.",
        ),
        short_cta="Discover it.",
        short=("Look closer.", "Take your time."),
        cta_leads=("Discover {name}.", "{name}."),
        headlines={
            "hook": ("Introducing", "Worth a closer look", "Something special"),
            "feature": ("A closer look", "In every detail", "Look closer"),
            "benefit": ("Picture it", "Yours to discover", "For your day"),
        },
    ),
    Style.ENERGETIC: Phrasebook(
        openers=(
            "Ready for something new?",
            "Stop scrolling for a second!",
            "Here is one you will want to see!",
        ),
        intros=("Say hello to {name}!", "Meet {name}!", "This is {name}!"),
        hook_more=(
            "Let's go!",
            "Check it out!",
            "Ready? Let's do this!",
            "Here we go!",
            "Eyes on this one!",
        ),
        look=(
            "Check out {name}!",
            "Take a good look!",
            "Get a little closer!",
            "See it from every side!",
            "There is a lot to see here!",
        ),
        picture=(
            "Picture it in your day!",
            "Imagine what you could do with it!",
            "Your next favourite thing could be right here!",
            "Go on, take another look!",
            "Ready when you are!",
        ),
        short_cta="Grab yours!",
        short=("Check it out!", "Let's go!"),
        cta_leads=("Don't wait!", "{name}!"),
        headlines={
            "hook": ("Say hello", "Something new", "Check this out"),
            "feature": ("Take a look", "Up close", "Every side"),
            "benefit": ("Picture it", "Imagine it", "Your call"),
        },
    ),
    Style.MINIMAL: Phrasebook(
        openers=(
            "Less noise. More of what matters.",
            "Simple things are worth a look.",
            "One clear idea.",
        ),
        intros=("This is {name}.", "Meet {name}.", "{name}."),
        hook_more=(
            "Nothing more.",
            "Simply.",
            "Take a look.",
            "Here it is.",
            "Just what it is, and nothing else.",
        ),
        look=(
            "Take a look at {name}.",
            "Here it is, plainly.",
            "Nothing to hide.",
            "See it as it is.",
            "Look closely.",
        ),
        picture=(
            "Picture it in your day.",
            "Make space for it.",
            "Room for it, simply.",
            "See for yourself.",
            "Decide for yourself.",
        ),
        short_cta="Learn more.",
        short=("Simply.", "Take a look."),
        cta_leads=("{name}.", "Simple."),
        headlines={
            "hook": ("Simply", "Less, but better", "Only what matters"),
            "feature": ("Take a look", "Up close", "Plainly"),
            "benefit": ("For your day", "Simply yours", "Make space"),
        },
    ),
    Style.BOLD: Phrasebook(
        openers=(
            "This is not business as usual.",
            "Make way.",
            "Time to stand out.",
        ),
        intros=("This is {name}.", "Meet {name}.", "Introducing {name}."),
        hook_more=(
            "No compromise.",
            "Pay attention.",
            "Look again.",
            "Eyes on this one.",
            "Right here. Right now.",
        ),
        look=(
            "Look at {name}.",
            "Take a hard look.",
            "Up close.",
            "Every detail, in plain sight.",
            "See it for yourself.",
        ),
        picture=(
            "Picture it in your hands.",
            "Make it yours.",
            "Imagine what comes next.",
            "Your move.",
            "Stand out.",
        ),
        short_cta="Get yours.",
        short=("Look again.", "Stand out."),
        cta_leads=("{name}.", "Make your move."),
        headlines={
            "hook": ("Stand out", "Make way", "This is it"),
            "feature": ("Up close", "Take a hard look", "Look closer"),
            "benefit": ("Make it yours", "Your move", "Stand out"),
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
