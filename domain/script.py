"""The ad script: what is said and shown in each of the four scenes, and the rules it must keep.

The model is shared by every script writer (the offline template writer today, a Claude writer
later), so the rules live here and not in a writer: a script that passes `parse_script` fits
its template's timing (the narrator can say each line in its scene) and its frame (on-screen text
is short enough to read at a glance), and ends on the job's call-to-action.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from domain.enums import Style
from domain.templates import SpeakingRate, get_template, scene_durations, voice_window
from domain.text import count_words, grapheme_len

SCENE_COUNT = 4
ON_SCREEN_MAX_CHARS = 42
ON_SCREEN_MAX_WORDS = 7
# The end card shows the call-to-action alone, so it may be longer than a scene caption.
CTA_MAX_CHARS = 60
CTA_MAX_WORDS = 10
HOOK_MAX_CHARS = 120
# A hook is one line said in at most this long (at the narrator's measured timing): it names
# the product before a viewer scrolls on.
HOOK_SPOKEN_SECONDS = 2.5
MIN_WORD_BUDGET = 3
DURATION_TOLERANCE = 0.05
# No scene is shorter than this (or than its template share, in a very short preview): a
# picture needs a moment to be seen.
MIN_SCENE_SECONDS = 2.0

_SENTENCE_ENDS = re.compile(r"[.!?]+")
_CLAUSE_BREAKS = re.compile(r"[,;:\u2014]")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def char_count(text: str) -> int:
    """Length as a reader sees it (grapheme clusters), which every character limit uses."""
    return grapheme_len(text)


# A line sized to this share of its scene's voice window leaves room for the narrator to
# breathe; the voice stage fine-tunes the pace to land on it.
FILL = 0.88


def spoken_seconds(text: str, rate: SpeakingRate) -> float:
    """About how long the offline narrator takes to say `text` (see SpeakingRate)."""
    letters = sum(ch.isalnum() for ch in text)
    sentences = max(1, len(_SENTENCE_ENDS.findall(text)))
    commas = len(_CLAUSE_BREAKS.findall(text))
    return letters * rate.letter + sentences * rate.sentence + commas * rate.comma


def word_budget(words_per_second: float, duration_seconds: float) -> int:
    """The most words the narrator can say in a scene's voice window; never below a phrase."""
    _, window = voice_window(duration_seconds)
    return max(MIN_WORD_BUDGET, math.floor(words_per_second * window + 0.5))


def word_target(words_per_second: float, duration_seconds: float) -> int:
    """The words that fill a scene's voice window to FILL: what a writer aims for."""
    return max(MIN_WORD_BUDGET, round(word_budget(words_per_second, duration_seconds) * FILL))


class SceneScript(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    duration_seconds: float
    # Empty in a middle scene the brief gives nothing to say: the picture and the music carry
    # it (an ad never pads). The hook and the end card always speak.
    voiceover_text: Annotated[str, StringConstraints(strip_whitespace=True)]
    on_screen_text: Text
    visual_prompt: Text

    @model_validator(mode="after")
    def _fits_the_frame(self) -> Self:
        if not 1 <= self.index <= SCENE_COUNT:
            raise ValueError(f"index must be 1..{SCENE_COUNT}, got {self.index}")
        if self.duration_seconds <= 0:
            raise ValueError("duration_seconds must be positive")
        is_cta = self.index == SCENE_COUNT
        if not self.voiceover_text and self.index in (1, SCENE_COUNT):
            raise ValueError("voiceover_text is empty: the hook and the end card always speak")
        max_chars = CTA_MAX_CHARS if is_cta else ON_SCREEN_MAX_CHARS
        max_words = CTA_MAX_WORDS if is_cta else ON_SCREEN_MAX_WORDS
        if char_count(self.on_screen_text) > max_chars:
            raise ValueError(
                f"on_screen_text is {char_count(self.on_screen_text)} characters; "
                f"at most {max_chars} fit on screen"
            )
        if count_words(self.on_screen_text) > max_words:
            raise ValueError(
                f"on_screen_text has {count_words(self.on_screen_text)} words; "
                f"at most {max_words} can be read at a glance"
            )
        return self


class AdScript(BaseModel):
    """Validate with context {"style": ..., "total_seconds": ...} to check timing as well."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hook: Text
    cta: Text
    scenes: list[SceneScript]

    @model_validator(mode="after")
    def _fits_the_template(self, info: ValidationInfo) -> Self:
        if char_count(self.hook) > HOOK_MAX_CHARS:
            raise ValueError(
                f"hook is {char_count(self.hook)} characters; at most {HOOK_MAX_CHARS}"
            )
        indexes = [scene.index for scene in self.scenes]
        if indexes != list(range(1, SCENE_COUNT + 1)):
            raise ValueError(f"scenes must be exactly {SCENE_COUNT}, indexed 1..4; got {indexes}")
        end_card = self.scenes[-1].on_screen_text
        if end_card != self.cta:
            raise ValueError(
                f"scenes[4].on_screen_text must be the cta {self.cta!r}, not {end_card!r}"
            )
        context = info.context if isinstance(info.context, dict) else {}
        if "style" in context:
            self._check_timing(Style(context["style"]), float(context.get("total_seconds", 30.0)))
        return self

    def _check_timing(self, style: Style, total_seconds: float) -> None:
        """Scene lengths follow what there is to say (a writer chooses them), but they add up to
        the ad's length, none is too short to be seen, and each line is sayable in its scene."""
        template = get_template(style)
        total = sum(scene.duration_seconds for scene in self.scenes)
        if abs(total - total_seconds) > DURATION_TOLERANCE:
            raise ValueError(
                f"scenes' duration_seconds add up to {total:g} s; the ad is {total_seconds:g} s"
            )
        shares = scene_durations(style, total_seconds)
        for scene, share in zip(self.scenes, shares, strict=True):
            where = f"scenes[{scene.index}]"
            shortest = min(MIN_SCENE_SECONDS, share)
            if scene.duration_seconds < shortest - DURATION_TOLERANCE:
                raise ValueError(
                    f"{where}.duration_seconds is {scene.duration_seconds}; a scene lasts at "
                    f"least {shortest:g} s"
                )
            budget = word_budget(template.words_per_second, scene.duration_seconds)
            words = count_words(scene.voiceover_text)
            if words > budget:
                raise ValueError(
                    f"{where}.voiceover_text has {words} words; a {scene.duration_seconds:g} s "
                    f"scene fits at most {budget}"
                )


class ScriptInvalid(ValueError):
    """A script broke the rules; the message names each offending field."""


def parse_script(data: dict[str, Any], style: Style | str, total_seconds: float) -> AdScript:
    """Parse and check a script for `style` at `total_seconds`; ScriptInvalid names the fields."""
    try:
        return AdScript.model_validate(
            data, context={"style": Style(style), "total_seconds": total_seconds}
        )
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise ScriptInvalid("invalid ad script: " + "; ".join(problems)) from exc
