"""Words that say something (issue #30): the offline writer never pads. Across 50 briefs of
every kind in every style and language: no phrase said twice, no filler line (the explicit list
in tests/pipeline/script/filler.py), every line about the product, its use or the offer, and a
hook that is one line said in at most 2.5 s at the narrator's measured rate. A thin brief makes
a shorter ad under AUTO; SECONDS_15 and SECONDS_30 force the length."""

from __future__ import annotations

import itertools
import re

import pytest

from domain.enums import AdDuration, Style
from domain.length import ad_seconds
from domain.script import HOOK_SPOKEN_SECONDS, AdScript, spoken_seconds
from pipeline.script.lines import phrasebook, speaking_rate
from pipeline.script.names import spoken_forms
from pipeline.script.offline import sentences, write_script
from tests.pipeline.script.filler import FILLER, QUOTED, is_filler, key

LANGUAGES = ("en", "es", "fr", "de", "pt")
NAMES = (
    "Kite",
    "Aurora Cold Brew",
    "Nimbus Ultralight Trail Running Shoe Pro Max Edition 2",
    "超級無敵保溫杯",
    "Кофе Арабика",
    "مصباح القمر",
    "Ñandú",
    "🚀✨",
    "ESP32-C6 DevKit",
    "Velvet Night Serum",
)
CTAS = ("Shop now", "Order yours today", "Go", "Visit our shop for ten percent off")
DESCRIPTIONS = (
    "A steel bottle that keeps drinks cold for 24 hours. It fits every cup holder.",
    "Cold brew coffee, slow steeped for eighteen hours in small batches. Smooth and low in "
    "acidity, it keeps for two weeks in the fridge.",
    "A lamp that dims with a touch.",
)
BENEFITS = (
    ("Leak-proof lid", "Dishwasher safe"),
    ("Ready to pour, no machine needed", "Less bitter than hot-brewed coffee", "Keeps for weeks"),
    ("Warm light",),
)


def briefs() -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    """50 briefs: a name and a CTA; with a description; with benefits; with both; long names,
    names in other scripts, names with nothing to say."""
    kinds = itertools.cycle(["name", "description", "benefits", "both", "name"])
    out: list[tuple[str, str, str | None, tuple[str, ...]]] = []
    for n, (name, kind) in enumerate(zip(itertools.cycle(NAMES), kinds, strict=False)):
        if n == 50:
            break
        description = DESCRIPTIONS[n % 3] if kind in ("description", "both") else None
        benefits = BENEFITS[n % 3] if kind in ("benefits", "both") else ()
        out.append((name, CTAS[n % len(CTAS)], description, benefits))
    return out


def said(script: AdScript) -> list[str]:
    return [
        s for scene in script.scenes if scene.voiceover_text for s in split(scene.voiceover_text)
    ]


def split(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def has_content(sentence: str, name: str, brief: list[str], offer: set[str]) -> bool:
    """Says the name, is (a clause-cut of) the maker's own words, or is the offer."""
    words = key(sentence)
    if any(key(form) and key(form) in words for form in spoken_forms(name)):
        return True
    return words in offer or any(b.startswith(words) for b in brief)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_padding_and_no_repeats_in_any_brief(language: str) -> None:
    assert FILLER[language], "the filler list names this language's lines"
    for style, (name, cta, description, benefits) in itertools.product(Style, briefs()):
        seconds = ad_seconds(AdDuration.AUTO, description, benefits)
        script = write_script(name, style, cta, seconds, description, benefits, language=language)
        book = phrasebook(language, style)
        lines = said(script)
        where = f"{style}/{language} {name!r}: {lines}"
        assert len({key(s) for s in lines}) == len(lines), f"a phrase said twice in {where}"
        assert not [s for s in lines if is_filler(s, language, name)], where
        brief = [key(s) for s in [*sentences(description), *sentences(" ".join(benefits)),
                                  *sentences(cta)]]  # fmt: skip
        brief += [key(s) for b in benefits for s in sentences(b)]
        offer = {key(book.short_cta), key(book.unnamed)}
        assert all(has_content(s, name, brief, offer) for s in lines), where
        # On screen, a label over the picture ("Up close") is no padding; the lines are.
        for scene in script.scenes[:3]:
            assert key(scene.on_screen_text) not in {key(q) for q in QUOTED}, where
        # The hook: one line, said in at most 2.5 s at the narrator's rate.
        rate = speaking_rate(language, style)
        assert script.scenes[0].voiceover_text == script.hook
        assert len(split(script.hook)) == 1, where
        assert spoken_seconds(script.hook, rate) <= HOOK_SPOKEN_SECONDS, where
        assert sum(s.duration_seconds for s in script.scenes) == pytest.approx(seconds, abs=0.01)


@pytest.mark.parametrize("style", list(Style))
def test_a_thin_brief_makes_a_shorter_ad(style: Style) -> None:
    thin = ad_seconds(AdDuration.AUTO)
    rich = ad_seconds(AdDuration.AUTO, DESCRIPTIONS[1], BENEFITS[1])
    assert thin == 15.0 and 15.0 < rich <= 30.0
    assert ad_seconds(AdDuration.AUTO, DESCRIPTIONS[2]) == 15.0  # one short sentence fits in 15
    script = write_script("Kite", style, "Shop now", thin)
    assert sum(s.duration_seconds for s in script.scenes) == pytest.approx(15.0, abs=0.01)
    assert script.scenes[0].duration_seconds <= 3.5  # the hook scene holds one short line
    full = write_script("Aurora", style, "Order now", rich, DESCRIPTIONS[1], BENEFITS[1])
    assert full.scenes[1].voiceover_text and full.scenes[2].voiceover_text


@pytest.mark.parametrize("duration", [AdDuration.SECONDS_15, AdDuration.SECONDS_30])
def test_a_forced_length_is_kept_whatever_the_brief(duration: AdDuration) -> None:
    expected = {AdDuration.SECONDS_15: 15.0, AdDuration.SECONDS_30: 30.0}[duration]
    for description, benefits in [(None, ()), (DESCRIPTIONS[1], BENEFITS[1])]:
        seconds = ad_seconds(duration, description, benefits)
        assert seconds == expected
        script = write_script("Kite", Style.BOLD, "Shop now", seconds, description, benefits)
        assert sum(s.duration_seconds for s in script.scenes) == pytest.approx(expected, abs=0.01)
        lines = said(script)
        assert len({key(s) for s in lines}) == len(lines)
