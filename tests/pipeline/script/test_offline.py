"""The ad script model and the offline writer."""

from __future__ import annotations

from typing import Any

import pytest

from domain.enums import Style
from domain.script import ON_SCREEN_MAX_CHARS, ON_SCREEN_MAX_WORDS, word_budget
from domain.templates import get_template
from domain.text import count_words
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.offline import write_script

PRODUCTS = ["Aurora Smart Bottle", "Nimbus Running Shoe", "Velvet Night Serum", "Kite"]


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("total", [30.0, 6.0])
@pytest.mark.parametrize("product", PRODUCTS)
def test_offline_script_validates_and_respects_budgets(
    style: Style, total: float, product: str
) -> None:
    script = write_script(product, style, "Shop now", total)
    template = get_template(style)
    assert [s.index for s in script.scenes] == [1, 2, 3, 4]
    assert sum(s.duration_seconds for s in script.scenes) == pytest.approx(total, abs=0.01)
    for scene in script.scenes:
        budget = word_budget(template.words_per_second, scene.duration_seconds)
        assert count_words(scene.voiceover_text) <= budget
        assert scene.voiceover_text or scene.index in (2, 3)  # nothing to say: silent
        assert scene.on_screen_text and scene.visual_prompt
    for scene in script.scenes[:3]:
        assert len(scene.on_screen_text) <= ON_SCREEN_MAX_CHARS
        assert count_words(scene.on_screen_text) <= ON_SCREEN_MAX_WORDS
    assert script.scenes[3].on_screen_text == "Shop now" == script.cta
    # The dump is what the worker stores; it must validate again unchanged.
    assert validate_script(script.model_dump(), style, total) == script


def test_scripts_vary_by_style() -> None:
    # A name and a CTA leave little to say; the styles still say it each their own way.
    voiceovers = {
        style: " ".join(s.voiceover_text for s in write_script("Kite", style, "Buy now", 15).scenes)
        for style in Style
    }
    assert len(set(voiceovers.values())) >= 3


def test_variants_differ_between_products_but_are_stable() -> None:
    texts = {
        name: [s.voiceover_text for s in write_script(name, Style.BOLD, "Go", 30).scenes]
        for name in PRODUCTS
    }
    assert len({tuple(t) for t in texts.values()}) > 1
    assert texts["Kite"] == [
        s.voiceover_text for s in write_script("Kite", Style.BOLD, "Go", 30).scenes
    ]


def _valid() -> dict[str, Any]:
    return write_script("Kite", Style.MINIMAL, "Try it free", 30).model_dump()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["scenes"][1].update(voiceover_text="word " * 40), "voiceover_text"),
        (
            lambda d: d["scenes"][0].update(
                on_screen_text="a much too long headline for any phone"
            ),
            "on_screen_text",
        ),
        (lambda d: d["scenes"][2].update(on_screen_text="   "), "on_screen_text"),
        (lambda d: d["scenes"][3].update(on_screen_text="Something else"), "on_screen_text"),
        (lambda d: d["scenes"].pop(), "scenes"),
        (lambda d: d["scenes"][0].update(duration_seconds=3.0), "duration_seconds"),
        (lambda d: d.update(hook=""), "hook"),
        (lambda d: d["scenes"][1].pop("visual_prompt"), "visual_prompt"),
    ],
)
def test_invalid_scripts_are_rejected_naming_the_field(mutate: Any, field: str) -> None:
    data = _valid()
    mutate(data)
    with pytest.raises(ScriptError) as caught:
        validate_script(data, Style.MINIMAL, 30)
    assert field in str(caught.value)


def test_over_long_cta_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ScriptError, match="call-to-action"):
        write_script(
            "Kite", Style.BOLD, "Visit our website today and order yours with free shipping now", 30
        )
