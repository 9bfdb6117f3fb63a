"""What adreel asks Claude: the product analysis and the script, each as a forced tool call.

Tool use with a JSON schema is the structured output: Claude must answer by calling the tool, so
its answer is JSON with the schema's shape. The script tool's schema is derived from the
`AdScript` model (refs inlined, the model validators' limits added as schema constraints), and
the prompt spells out the style's template (durations, purposes, word budgets), so a script that
follows the prompt passes `validate_script`. These are pure functions: `estimate` sizes the same
prompts to predict a job's tokens.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from domain.enums import Style
from domain.script import (
    CTA_MAX_CHARS,
    CTA_MAX_WORDS,
    HOOK_MAX_CHARS,
    ON_SCREEN_MAX_CHARS,
    ON_SCREEN_MAX_WORDS,
    SCENE_COUNT,
    AdScript,
    word_budget,
    word_target,
)
from domain.templates import get_template, scene_durations
from domain.voices import LANGUAGE_NAMES

ANALYSIS_TOOL = "record_product_analysis"
SCRIPT_TOOL = "write_ad_script"

SYSTEM = (
    "You are a senior copywriter and creative director for short vertical video ads. "
    "You write tight, concrete, honest copy: no claims the product photo or name cannot support."
)

ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "product": {"type": "string", "description": "What the product is, in a few words."},
        "visible_text": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Text printed on the product or packaging, verbatim.",
        },
        "colours": {"type": "array", "items": {"type": "string"}},
        "materials": {"type": "array", "items": {"type": "string"}},
        "audience": {"type": "string", "description": "Who is likely to buy it."},
        "selling_points": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["product", "visible_text", "colours", "materials", "audience", "selling_points"],
    "additionalProperties": False,
}

SCENE_DESCRIPTIONS = {
    "index": "Scene number, 1 to 4, in order.",
    "duration_seconds": "Exactly the duration given for this scene.",
    "voiceover_text": "What the narrator says; at most the scene's word budget.",
    "on_screen_text": (
        f"Short headline: at most {ON_SCREEN_MAX_WORDS} words and {ON_SCREEN_MAX_CHARS} "
        "characters. Scene 4: exactly the cta."
    ),
    "visual_prompt": "A one-sentence prompt for an image-to-video model animating the photo.",
}


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]), defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k not in ("$defs", "title")}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def script_schema() -> dict[str, Any]:
    """AdScript's JSON schema, self-contained, with the limits its validators enforce."""
    raw = AdScript.model_json_schema()
    schema: dict[str, Any] = _inline_refs(raw, raw.get("$defs", {}))
    schema.pop("description", None)
    scenes = schema["properties"]["scenes"]
    scenes["minItems"] = scenes["maxItems"] = SCENE_COUNT
    scene = scenes["items"]
    scene["properties"]["index"].update(minimum=1, maximum=SCENE_COUNT)
    scene["properties"]["on_screen_text"]["maxLength"] = CTA_MAX_CHARS
    for name, text in SCENE_DESCRIPTIONS.items():
        scene["properties"][name]["description"] = text
    schema["properties"]["hook"]["description"] = "The opening line (scene 1's voiceover)."
    schema["properties"]["cta"]["description"] = "The call-to-action, exactly as given."
    return schema


def analysis_prompt(product_name: str) -> str:
    return (
        f"This is a photo of the product {product_name!r} for a 30-second video ad. "
        f"Describe it with the {ANALYSIS_TOOL} tool: what the product is, any visible text "
        "(verbatim), its colours and materials, who is likely to buy it and its selling points "
        "as a viewer of the ad would see them."
    )


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language)


def script_prompt(
    product_name: str,
    style: Style,
    cta_text: str,
    total_seconds: float,
    analysis: dict[str, Any] | None,
    description: str | None = None,
    benefits: Sequence[str] = (),
    language: str = "en",
) -> str:
    template = get_template(style)
    lines = [
        f"Write the script of a {total_seconds:g}-second {template.name.lower()} video ad for "
        f"{product_name!r}, with the {SCRIPT_TOOL} tool.",
        f"Write the voiceover and every on_screen_text in {language_name(language)} (BCP 47 "
        f"{language!r}), as a native copywriter would; keep the call-to-action as given.",
        f"Style: {template.description}",
        f"Call-to-action (cta), to be used exactly: {cta_text!r}.",
        f"The hook is at most {HOOK_MAX_CHARS} characters; scene 4's on_screen_text is the cta "
        f"(at most {CTA_MAX_WORDS} words), other on_screen_text at most {ON_SCREEN_MAX_WORDS} "
        f"words and {ON_SCREEN_MAX_CHARS} characters.",
        "No filler: every line says something about the product, its use or the offer (never "
        '"Here it is", "Take a look", "Let\'s go!"), no phrase is said twice, and the hook is one '
        "short line that names the product.",
        "The scenes, each with its exact duration_seconds and the most words the narrator can "
        "say in it:",
    ]
    durations = scene_durations(style, total_seconds)
    for scene, duration in zip(template.scenes, durations, strict=True):
        budget = word_budget(template.words_per_second, duration)
        target = word_target(template.words_per_second, duration)
        lines.append(
            f"- scene {scene.index} ({scene.purpose}): duration_seconds {duration}, about "
            f"{target} and at most {budget} words of voiceover. Visual direction: "
            f"{scene.visual_direction}"
        )
    lines.append(
        "Fill scenes 1-3 with their word count (the narrator speaks for most of each scene: no "
        "dead air). Say the call-to-action once, in scene 4, and nowhere else."
    )
    if description:
        lines.append(f"What the maker says the product is and does: {description!r}")
    if benefits:
        lines.append(
            "Its key benefits, in the maker's words (work them into scene 3): "
            + "; ".join(repr(b) for b in benefits)
        )
    lines.append(
        "Claim nothing about the product that the maker's words or the photo do not support."
    )
    if analysis:
        lines.append(
            "What the product photo shows (use it; never contradict it):\n"
            + json.dumps(analysis, ensure_ascii=False)
        )
    return "\n".join(lines)


def repair_prompt(problem: str) -> str:
    return (
        f"That script breaks the rules: {problem}. Call {SCRIPT_TOOL} again with a corrected "
        "script; keep what was fine."
    )
