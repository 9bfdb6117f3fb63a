"""The script as the stages see it: the rules are domain.script's; here a broken or missing
script becomes a StageError that names what is wrong."""

from __future__ import annotations

from typing import Any

from domain.enums import StageName, Style
from domain.outputs import Completed
from domain.script import AdScript, ScriptInvalid, parse_script
from pipeline.errors import StageError
from pipeline.spec import needs


class ScriptError(StageError):
    """A script broke the rules; the message names each offending field."""


def validate_script(data: dict[str, Any], style: Style | str, total_seconds: float) -> AdScript:
    """Parse and check a script for `style` at `total_seconds`; raise ScriptError naming fields."""
    try:
        return parse_script(data, style, total_seconds)
    except ScriptInvalid as exc:
        raise ScriptError(str(exc)) from exc


def completed_script(completed: Completed, stage: str) -> AdScript:
    """The script script_gen produced, for a later `stage`; a StageError when it is missing."""
    return needs(completed.script, stage, StageName.SCRIPT_GEN).script
