"""Voiceover files: WAVs written atomically, their length, and a pitch-keeping speed-up for a
line that would otherwise overrun its scene (never a cut: every word is heard)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from domain.outputs import VoiceScene
from domain.script import SceneScript
from domain.templates import voice_window
from pipeline.shared.ffmpeg import run_ffmpeg
from pipeline.shared.files import atomic_output, relative_to_work


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """Mono 16-bit PCM, replaced atomically."""
    samples = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with atomic_output(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())


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


SILENT_SECONDS = 0.1


def silent_take(
    scene: SceneScript, voice_dir: Path, work_dir: Path, voice: str, sample_rate: int
) -> VoiceScene | None:
    """A scene with nothing to say (an empty line: the writer never pads) gets a short silent
    WAV, so every later stage finds a take per scene; None when the scene has a line to say."""
    if scene.voiceover_text:
        return None
    path = voice_dir / f"scene_{scene.index}.wav"
    write_wav(path, np.zeros(round(SILENT_SECONDS * sample_rate)), sample_rate)
    offset, _ = voice_window(scene.duration_seconds)
    return VoiceScene(
        index=scene.index,
        path=relative_to_work(path, work_dir),
        duration_seconds=SILENT_SECONDS,
        offset_seconds=round(offset, 4),
        rate_wpm=0,
        voice=voice,
    )
