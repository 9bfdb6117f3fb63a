"""The offline script writer: a fitting script from product name, style and CTA, no model needed.

It fills the style's phrase book (`pipeline.script.lines`) with the product and CTA, picking a
variant per scene from a hash of the product name (stable across retries, varied across
products), and falls back to shorter lines when a scene's word budget is tight (short renders).
The result goes through `validate_script`, the same gate a hosted writer's output must pass.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from domain.enums import Style
from domain.outputs import Completed, ScriptOutput
from domain.script import (
    CTA_MAX_CHARS,
    CTA_MAX_WORDS,
    HOOK_MAX_CHARS,
    AdScript,
    char_count,
    word_budget,
)
from domain.templates import get_template, scene_durations
from domain.text import count_words
from pipeline.script.lines import PHRASEBOOKS, Lines, Phrasebook
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.names import fits_screen, spoken_forms
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.video.textcards import can_draw

PROVIDER = "offline-template"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _spoken_cta(cta: str) -> str:
    """The CTA as the narrator's sentence: no trailing punctuation, the template adds it."""
    return cta.rstrip(" .!?")


def _pick(options: tuple[str, ...], seed: bytes, slot: int) -> int:
    return seed[slot % len(seed)] % len(options)


def _voice_candidates(
    lines: Lines, chosen: int, names: list[str], cta: str, *, extra: tuple[str, ...] = ()
) -> list[str]:
    """Every line this scene could say, in order of preference: the chosen variant first, then
    the others, then the shorter fallbacks; each with the fullest spoken form of the name
    first. Lines that need the name are left out when it has nothing to say."""
    ordered = [lines.variants[chosen]]
    ordered += [v for i, v in enumerate(lines.variants) if i != chosen]
    ordered += [*lines.fallbacks, *extra]
    candidates = []
    for line in ordered:
        fills = names if "{name}" in line else names[:1] or [""]
        candidates += [_clean(line.format(name=name, cta=cta)) for name in fills]
    return candidates


def _fits(line: str, budget: int, max_chars: int | None) -> bool:
    return count_words(line) <= budget and (max_chars is None or char_count(line) <= max_chars)


def write_script(product_name: str, style: Style, cta_text: str, total_seconds: float) -> AdScript:
    """Build and validate the offline script; StageError if the inputs cannot make one.

    Any name createJob accepts makes a valid script: lines use a spoken form of the name that
    fits the scene (pipeline.script.names), and the hook headline shows the name only where it fits
    the screen and the font can draw it.
    """
    name = _clean(product_name)
    cta = _clean(cta_text)
    if not name:
        raise ScriptError("product name is empty")
    if not cta:
        raise ScriptError("call-to-action is empty")
    if char_count(cta) > CTA_MAX_CHARS or count_words(cta) > CTA_MAX_WORDS:
        raise ScriptError(
            f"call-to-action {cta!r} is too long for the end card "
            f"(at most {CTA_MAX_CHARS} characters and {CTA_MAX_WORDS} words)"
        )
    template = get_template(style)
    book: Phrasebook = PHRASEBOOKS[style]
    seed = hashlib.sha256(name.casefold().encode("utf-8")).digest()
    names = spoken_forms(name)
    spoken_cta = _spoken_cta(cta)
    durations = scene_durations(style, total_seconds)

    scenes: list[dict[str, Any]] = []
    for slot, (scene, duration) in enumerate(zip(template.scenes, durations, strict=True)):
        lines: Lines = getattr(book, scene.purpose)
        budget = word_budget(template.words_per_second, duration)
        extra = (book.generic_cta,) if scene.purpose == "cta" else ()
        candidates = _voice_candidates(
            lines, _pick(lines.variants, seed, slot), names, spoken_cta, extra=extra
        )
        max_chars = HOOK_MAX_CHARS if slot == 0 else None  # scene 1's line is the hook
        voiceover = next((c for c in candidates if _fits(c, budget, max_chars)), None)
        if voiceover is None:
            raise ScriptError(f"no {style} line fits the {duration:g} s {scene.purpose} scene")
        if scene.purpose == "cta":
            on_screen = cta
        else:
            headlines = book.on_screen[scene.purpose]
            on_screen = headlines[_pick(headlines, seed, slot + 8)]
            if scene.purpose == "hook" and fits_screen(name) and can_draw(name):
                on_screen = name
        scenes.append(
            {
                "index": scene.index,
                "duration_seconds": duration,
                "voiceover_text": voiceover,
                "on_screen_text": on_screen,
                "visual_prompt": scene.visual_direction.replace("The product", name).replace(
                    "the product", name
                ),
            }
        )
    data = {"hook": scenes[0]["voiceover_text"], "cta": cta, "scenes": scenes}
    return validate_script(data, style, total_seconds)


async def generate_script(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """script_gen stage, offline provider. Pure computation: idempotent by construction."""
    await progress(0)
    script = write_script(spec.product_name, spec.style, spec.cta_text, spec.total_seconds)
    await progress(100)
    return StageResult(output=ScriptOutput(script=script), provider=PROVIDER)
