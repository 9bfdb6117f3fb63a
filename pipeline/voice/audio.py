"""Voiceover files: WAVs written atomically, their length, and a pitch-keeping speed-up for a
line that would otherwise overrun its scene (never a cut: every word is heard)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from pipeline.shared.ffmpeg import run_ffmpeg
from pipeline.shared.files import atomic_output


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
