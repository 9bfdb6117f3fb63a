"""What a job will cost before it is created: the same prompts, prices and provider choice the
worker uses, sized without calling anything.

- Claude: input tokens from the actual prompts and tool schemas (about 4 characters a token),
  plus the image (Claude's w*h/750 for the photo as it is sent) and the tool-use system prompt;
  output tokens from a script of the same shape (the offline writer's, which keeps the same
  word budgets) and a typical analysis.
- Speech: the characters of that script's voiceover.
- Video: one prediction per moving scene at REPLICATE_ESTIMATED_PREDICT_SECONDS each.
Offline stages cost 0. The figures are estimates; what a job really used is recorded per call.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal

from pipeline.providers.claude_prompts import (
    ANALYSIS_SCHEMA,
    SYSTEM,
    analysis_prompt,
    script_prompt,
    script_schema,
)
from pipeline.providers.config import ProvidersConfig
from pipeline.providers.images import MAX_SIDE, image_tokens
from pipeline.providers.usage import to_micro
from pipeline.script import ScriptError, word_budget
from pipeline.script_writer import PROVIDER as OFFLINE_SCRIPT
from pipeline.script_writer import write_script
from pipeline.spec import scene_durations
from pipeline.templates import STAGE_ORDER, StageName, Style, get_template
from pipeline.video import PROVIDER as OFFLINE_VIDEO
from pipeline.voice import PROVIDER as OFFLINE_VOICE

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
OFFLINE_NAMES = {
    StageName.SCRIPT_GEN: OFFLINE_SCRIPT,
    StageName.VOICE_GEN: OFFLINE_VOICE,
    StageName.VIDEO_GEN: OFFLINE_VIDEO,
    StageName.COMPOSITING: "ffmpeg",
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


def _likely_script(
    product_name: str, style: Style, cta_text: str, total_seconds: float
) -> tuple[list[str], str]:
    """The voiceover lines and the JSON of a script of this job's shape: the offline writer's
    (same word budgets), or lines filling each budget when the inputs cannot make one."""
    try:
        script = write_script(product_name, style, cta_text, total_seconds)
        return [s.voiceover_text for s in script.scenes], script.model_dump_json()
    except ScriptError:
        template = get_template(style)
        durations = scene_durations(style, total_seconds)
        lines = ["x" * 6 * word_budget(template.words_per_second, d) for d in durations]
        return lines, json.dumps({"scenes": [{"voiceover_text": line} for line in lines]}) * 2


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
    lines, script_json = _likely_script(product_name, style, cta_text, total_seconds)
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
            tokens_in += TOOL_SYSTEM_TOKENS + image_tokens(MAX_SIDE, MAX_SIDE)
            tokens_in += _tokens(SYSTEM, analysis_prompt(product_name), json.dumps(ANALYSIS_SCHEMA))
            tokens_out += ANALYSIS_OUTPUT_TOKENS
        estimates[StageName.SCRIPT_GEN] = StageEstimate(
            StageName.SCRIPT_GEN,
            f"claude ({config.claude.model})",
            to_micro(prices.claude(tokens_in, tokens_out)),
            f"about {tokens_in} input and {tokens_out} output tokens",
        )
    if StageName.VOICE_GEN in config.hosted:
        characters = sum(len(line) for line in lines)
        estimates[StageName.VOICE_GEN] = StageEstimate(
            StageName.VOICE_GEN,
            f"openai-tts ({config.speech.model})",
            to_micro(prices.tts(characters)),
            f"about {characters} characters",
        )
    if StageName.VIDEO_GEN in config.hosted:
        clips = sum(1 for scene in get_template(style).scenes if not scene.is_static)
        seconds = Decimal(str(config.replicate.estimated_predict_seconds)) * clips
        estimates[StageName.VIDEO_GEN] = StageEstimate(
            StageName.VIDEO_GEN,
            f"replicate ({config.replicate.model})",
            to_micro(prices.video(seconds)),
            f"{clips} clips, about {seconds:g} s of prediction time",
        )
    return CostEstimate(
        [
            estimates.get(name)
            or StageEstimate(name, OFFLINE_NAMES[name], Decimal("0.000000"), "offline")
            for name in STAGE_ORDER
        ]
    )
