"""voice_gen, offline provider: one espeak-ng voiceover WAV per scene, each fitted to its scene.

Synthesis runs in a child process (`pipeline.voice.espeak`, see there for why). Each line must end
before its scene does, leaving a short lead-in and tail: the child re-speaks an over-long line
at a faster rate; if espeak's top rate is still too slow, ffmpeg's `atempo` speeds the WAV up.
Nothing is ever cut, so every word of the script is heard.
"""

from __future__ import annotations

import json
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.enums import Style
from domain.outputs import Completed, VoiceOutput, VoiceScene
from domain.templates import get_template
from pipeline.errors import StageError, TransientStageError
from pipeline.script.model import completed_script
from pipeline.shared.child import run_child
from pipeline.shared.ffmpeg import run_ffmpeg
from pipeline.shared.files import atomic_output, relative_to_work, remove_temp_files
from pipeline.spec import JobSpec, ProgressFn, StageResult

PROVIDER = "espeak-ng"
VOICE_DIR = "voice"
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


def voice_window(duration: float) -> tuple[float, float]:
    """(offset, max_length) of a scene's voiceover: a lead-in after the cut and a tail before
    the next scene, so lines never run into each other or a transition."""
    lead = min(0.25, 0.05 * duration)
    tail = min(0.35, 0.08 * duration)
    return lead, duration - lead - tail


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def atempo_chain(factor: float) -> str:
    """atempo takes 0.5..2.0 per instance; chain instances for larger speed-ups."""
    parts = []
    while factor > 2.0:
        parts.append("atempo=2.0")
        factor /= 2.0
    parts.append(f"atempo={factor:.5f}")
    return ",".join(parts)


async def speed_up_to_fit(path: Path, max_seconds: float) -> float:
    """Time-stretch a WAV (pitch kept) so it lasts at most max_seconds; returns the new length."""
    factor = wav_seconds(path) / max_seconds * 1.01
    with atomic_output(path) as tmp:
        args = ["-i", str(path), "-af", atempo_chain(factor), "-c:a", "pcm_s16le", "-y", str(tmp)]
        await run_ffmpeg(args, progress=None, duration=None)
    return wav_seconds(path)


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


async def generate_voice(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """voice_gen stage: reads the script from script_gen's outputs, writes voice/scene_N.wav."""
    script = completed_script(completed, "voice_gen")
    voice_dir = spec.work_dir / VOICE_DIR
    voice_dir.mkdir(parents=True, exist_ok=True)
    style = VOICE_STYLES[spec.style]
    items: list[dict[str, Any]] = []
    windows: list[tuple[float, float]] = []
    for scene in script.scenes:
        offset, max_seconds = voice_window(scene.duration_seconds)
        windows.append((offset, max_seconds))
        path = voice_dir / f"scene_{scene.index}.wav"
        items.append({"text": scene.voiceover_text, "path": str(path), "max_seconds": max_seconds})
    request = {
        "voice": get_template(spec.style).voice,
        "rate": style.rate,
        "pitch": style.pitch,
        "items": items,
    }
    await progress(0)
    try:
        results = await synthesise(request, progress)
        scenes = []
        for scene, item, result, (offset, max_seconds) in zip(
            script.scenes, items, results, windows, strict=True
        ):
            path = Path(str(item["path"]))
            seconds = float(result["duration_seconds"])
            if seconds > max_seconds:
                seconds = await speed_up_to_fit(path, max_seconds)
            scenes.append(
                VoiceScene(
                    index=scene.index,
                    path=relative_to_work(path, spec.work_dir),
                    duration_seconds=round(seconds, 4),
                    offset_seconds=round(offset, 4),
                    rate_wpm=int(result["rate"]),
                )
            )
    finally:
        remove_temp_files(voice_dir)
    await progress(100)
    return StageResult(output=VoiceOutput(scenes=scenes), provider=PROVIDER)
