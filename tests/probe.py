"""Probing rendered MP4s with PyAV (there is no ffprobe here): what a viewer would notice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str
    pix_fmt: str
    audio_rms: float


def probe(path: Path) -> Probe:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert container.duration is not None
        duration = container.duration / 1_000_000
        samples = [
            frame.to_ndarray().astype(np.float64).ravel() for frame in container.decode(audio)
        ]
    pcm = np.concatenate(samples)
    return Probe(
        duration=duration,
        width=video.codec_context.width,
        height=video.codec_context.height,
        video_codec=video.codec_context.name,
        audio_codec=audio.codec_context.name,
        pix_fmt=video.codec_context.pix_fmt or "",
        audio_rms=float(np.sqrt(np.mean(pcm**2))),
    )


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The RGB frame shown at `seconds`."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"no frame at {seconds}s")


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))
