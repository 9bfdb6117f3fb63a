"""The offline writer's copy is about this product: what the brief says, and nothing it does not."""

from __future__ import annotations

import re

import pytest

from domain.enums import Style
from domain.script import spoken_seconds
from domain.templates import get_template, voice_window
from pipeline.script.lines import PHRASEBOOKS
from pipeline.script.offline import write_script

DESCRIPTION = (
    "Cold brew coffee, slow steeped for eighteen hours in small batches. "
    "Smooth and low in acidity, it keeps for two weeks in the fridge."
)
BENEFITS = (
    "Ready to pour, no machine needed",
    "Less bitter than hot-brewed coffee",
    "Keeps for two weeks",
)
# What an ad must not say unless its maker did: qualities, superlatives, promises.
CLAIMS = re.compile(
    r"\b(best|fastest|finest|lasts?|last(?:ing)?|durable|built|made to|quality|premium|"
    r"guarantee\w*|proven|award\w*|waterproof|organic|natural|healthy|fresh|cheap\w*|free|"
    r"save\w*|smooth|powerful|light(?:weight)?|comfort\w*|perfect|ever|never|always|world)\b",
    re.IGNORECASE,
)


def spoken(script: object) -> list[str]:
    return [scene.voiceover_text for scene in script.scenes]  # type: ignore[attr-defined]


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("name", ["Aurora Cold Brew", "Kite", "ESP32-C6 DevKit", "Velvet Serum"])
def test_without_a_brief_the_copy_claims_nothing(style: Style, name: str) -> None:
    script = write_script(name, style, "Shop now", 30.0)
    for text in [*spoken(script), *(s.on_screen_text for s in script.scenes)]:
        assert not CLAIMS.search(text.replace(name, "")), text


@pytest.mark.parametrize("style", list(Style))
def test_the_phrase_books_claim_nothing(style: Style) -> None:
    book = PHRASEBOOKS[style]
    lines = [
        *book.intros, book.unnamed, *book.cta_leads, book.short_cta,
        *(h for group in book.headlines.values() for h in group),
    ]  # fmt: skip
    assert [line for line in lines if CLAIMS.search(line)] == []


@pytest.mark.parametrize("style", list(Style))
def test_the_copy_carries_the_benefits_and_the_description(style: Style) -> None:
    script = write_script(
        "Aurora Cold Brew", style, "Order yours today", 30.0, DESCRIPTION, BENEFITS
    )
    hook, feature, benefit, _ = spoken(script)
    assert "Aurora Cold Brew" in hook
    # The description in the feature scene, the benefits (as written) in the benefit scene.
    assert feature.startswith("Cold brew coffee, slow steeped for eighteen hours")
    for text in BENEFITS:
        assert text in benefit, (text, benefit)
    # Headlines come from the brief when they fit the screen.
    assert script.scenes[2].on_screen_text == "Ready to pour, no machine needed"
    # Claims only where the maker made them: "smooth" is in the description, not elsewhere.
    assert "moot" not in hook
    assert not CLAIMS.search(hook.replace("Aurora Cold Brew", ""))


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("brief", [True, False])
def test_the_cta_is_said_once_on_the_end_card(style: Style, brief: bool) -> None:
    extra = (DESCRIPTION, BENEFITS) if brief else (None, ())
    script = write_script("Aurora Cold Brew", style, "Order yours today", 30.0, *extra)
    texts = spoken(script)
    assert sum(t.count("Order yours today") for t in texts) == 1
    assert "Order yours today" in texts[3]
    assert script.scenes[3].on_screen_text == "Order yours today" == script.cta


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("brief", [True, False])
def test_every_line_is_sayable_in_its_scene(style: Style, brief: bool) -> None:
    """Each line fits its scene's voice window at the narrator's measured timing (the voice
    tests measure the real speech); the hook scene is sized to its line, not padded."""
    extra = (DESCRIPTION, BENEFITS) if brief else (None, ())
    script = write_script("Aurora Cold Brew", style, "Order yours today", 30.0, *extra)
    rate = get_template(style).speaking
    for scene in script.scenes[:3]:
        window = voice_window(scene.duration_seconds)[1]
        said = spoken_seconds(scene.voiceover_text, rate) if scene.voiceover_text else 0.0
        assert said <= window, (scene, said, window)
    assert script.scenes[0].duration_seconds <= 3.5
    assert all(scene.voiceover_text for scene in script.scenes[1:3]) == brief
    sentences = [s for text in spoken(script) if text for s in re.split(r"(?<=[.!?]) ", text)]
    assert len(sentences) == len(set(sentences)), "a line is said twice"


def test_a_long_description_is_cut_at_a_clause_not_mid_word() -> None:
    long = (
        "A hand-thrown stoneware mug, glazed in small batches in our studio by the sea, fired "
        "twice, and finished by hand with a speckled glaze that nobody else makes quite like us."
    )
    script = write_script("Tide Mug", Style.MINIMAL, "Shop now", 15.0, long, ())
    feature = script.scenes[1].voiceover_text
    # As much of the sentence as fits, ending where a clause ends.
    assert feature.startswith("A hand-thrown stoneware mug, glazed in small batches")
    said = feature.split(".")[0]
    assert long.startswith(said) and long[len(said)] == ","
