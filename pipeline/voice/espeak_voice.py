"""espeak-ng as a narrator: for languages without a neural voice, and the fallback when the
neural one cannot load. Synthesis runs in a child process (`pipeline.voice.espeak`, see there for
why); the child re-speaks an over-long line at a faster rate. espeak-ng reports no word timings
here, so captions time its words by their length."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.enums import Style
from pipeline.errors import StageError, TransientStageError
from pipeline.shared.child import run_child
from pipeline.spec import ProgressFn

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the repository root, where `pipeline` lives


@dataclass(frozen=True)
class VoiceStyle:
    rate: int  # words per minute
    pitch: int  # 0..100, 50 is neutral


VOICE_STYLES: dict[Style, VoiceStyle] = {
    Style.LUXURY: VoiceStyle(rate=150, pitch=40),
    Style.ENERGETIC: VoiceStyle(rate=180, pitch=62),
    Style.MINIMAL: VoiceStyle(rate=160, pitch=50),
    Style.BOLD: VoiceStyle(rate=165, pitch=32),
}


async def synthesise(request: dict[str, Any], progress: ProgressFn) -> list[dict[str, Any]]:
    """Run the espeak child on `request`; one result dict per item, in order."""
    count = len(request["items"])
    results: list[dict[str, Any]] = []

    async def on_line(line: str) -> None:
        if line.startswith("{"):
            results.append(json.loads(line))
            await progress(int(90 * len(results) / count))

    env = {"PYTHONPATH": str(PACKAGE_ROOT)}
    outcome = await run_child(
        [sys.executable, "-m", "pipeline.voice.espeak"],
        stdin_data=json.dumps(request).encode(),
        on_stdout_line=on_line,
        env=env,
    )
    if outcome.returncode < 0:
        raise TransientStageError(f"espeak-ng synthesis was killed (signal {-outcome.returncode})")
    if outcome.returncode != 0 or len(results) != count:
        tail = "\n".join(outcome.stderr_tail)
        raise StageError(f"espeak-ng synthesis failed (exit {outcome.returncode}):\n{tail}")
    return results
