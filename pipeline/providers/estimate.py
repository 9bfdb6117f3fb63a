"""What a job will cost before it is created: the same prompts, prices and provider choice the
worker uses, sized without calling anything.

- Claude: input tokens from the actual prompts and tool schemas (about 4 characters a token),
  plus the image (Claude's w*h/750 for the photo as it is sent) and the tool-use system prompt;
  output tokens from a script of the same shape (every line filling its word budget) and a
  typical analysis.
- Speech: the characters of that script's voiceover.
- Video: one prediction per moving scene at REPLICATE_ESTIMATED_PREDICT_SECONDS each.
Offline stages cost 0. The figures are estimates; what a job really used is recorded per call.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal

from domain.enums import STAGE_ORDER, StageName, Style
from domain.pricing import CLAUDE_IMAGE_SIDE, image_tokens, to_micro
from domain.providers import CLAUDE, OFFLINE, OPENAI_TTS, REPLICATE, ProvidersConfig
from domain.script import ON_SCREEN_MAX_CHARS, word_budget
from domain.templates import get_template, scene_durations
from pipeline.script.claude_prompts import (
    ANALYSIS_SCHEMA,
    SYSTEM,
    analysis_prompt,
    script_prompt,
    script_schema,
)

CHARS_PER_TOKEN = 4
TOOL_SYSTEM_TOKENS = 313  # Anthropic's tool-use system prompt with a forced tool choice
ANALYSIS_OUTPUT_TOKENS = 250
TYPICAL_ANALYSIS = {
    "product": "x" * 40,
    "visible_text": ["x" * 20],
    "colours": ["x" * 8] * 3,
    "materials": ["x" * 10] * 2,
    "audience": "x" * 60,
    "selling_points": ["x" * 40] * 3,
}


@dataclass(frozen=True)
class StageEstimate:
    stage: StageName
    provider: str
    cost: Decimal
    detail: str


@dataclass(frozen=True)
class CostEstimate:
    stages: list[StageEstimate]

    @property
    def total(self) -> Decimal:
        return sum((s.cost for s in self.stages), Decimal(0))


def _tokens(*texts: str) -> int:
    return math.ceil(sum(len(t) for t in texts) / CHARS_PER_TOKEN)


def _likely_script(style: Style, cta_text: str, total_seconds: float) -> tuple[list[str], str]:
    """The voiceover lines and the JSON of a script of this job's shape: each line as long as its
    scene's word budget allows (writers fill their budgets), at a typical 6 characters a word."""
    template = get_template(style)
    durations = scene_durations(style, total_seconds)
    lines = ["x" * (6 * word_budget(template.words_per_second, d) - 1) for d in durations]
    scenes = [
        {
            "index": index,
            "duration_seconds": duration,
            "voiceover_text": line,
            "on_screen_text": cta_text if index == len(lines) else "x" * ON_SCREEN_MAX_CHARS,
            "visual_prompt": scene.visual_direction,
        }
        for index, (line, duration, scene) in enumerate(
            zip(lines, durations, template.scenes, strict=True), 1
        )
    ]
    return lines, json.dumps({"hook": lines[0], "cta": cta_text, "scenes": scenes})


def estimate_cost(
    config: ProvidersConfig,
    *,
    product_name: str,
    style: Style,
    cta_text: str,
    has_image: bool,
    total_seconds: float,
) -> CostEstimate:
    prices = config.prices
    lines, script_json = _likely_script(style, cta_text, total_seconds)
    estimates: dict[StageName, StageEstimate] = {}

    if StageName.SCRIPT_GEN in config.hosted:
        analysis = TYPICAL_ANALYSIS if has_image else None
        tokens_in = TOOL_SYSTEM_TOKENS + _tokens(
            SYSTEM,
            script_prompt(product_name, style, cta_text, total_seconds, analysis),
            json.dumps(script_schema()),
        )
        tokens_out = _tokens(script_json)
        if has_image:
            tokens_in += TOOL_SYSTEM_TOKENS + image_tokens(CLAUDE_IMAGE_SIDE, CLAUDE_IMAGE_SIDE)
            tokens_in += _tokens(SYSTEM, analysis_prompt(product_name), json.dumps(ANALYSIS_SCHEMA))
            tokens_out += ANALYSIS_OUTPUT_TOKENS
        estimates[StageName.SCRIPT_GEN] = StageEstimate(
            StageName.SCRIPT_GEN,
            f"{CLAUDE} ({config.claude.model})",
            to_micro(prices.claude(tokens_in, tokens_out)),
            f"about {tokens_in} input and {tokens_out} output tokens",
        )
    if StageName.VOICE_GEN in config.hosted:
        characters = sum(len(line) for line in lines)
        estimates[StageName.VOICE_GEN] = StageEstimate(
            StageName.VOICE_GEN,
            f"{OPENAI_TTS} ({config.speech.model})",
            to_micro(prices.tts(characters)),
            f"about {characters} characters",
        )
    if StageName.VIDEO_GEN in config.hosted:
        clips = sum(1 for scene in get_template(style).scenes if not scene.is_static)
        seconds = Decimal(str(config.replicate.estimated_predict_seconds)) * clips
        estimates[StageName.VIDEO_GEN] = StageEstimate(
            StageName.VIDEO_GEN,
            f"{REPLICATE} ({config.replicate.model})",
            to_micro(prices.video(seconds)),
            f"{clips} clips, about {seconds:g} s of prediction time",
        )
    return CostEstimate(
        [
            estimates.get(name)
            or StageEstimate(name, OFFLINE[name], Decimal("0.000000"), "offline")
            for name in STAGE_ORDER
        ]
    )
