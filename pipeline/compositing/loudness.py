"""Loudness normalisation of the voice track, measured once and applied as a plain gain.

ffmpeg's `loudnorm` in one pass costs ~0.5 s of a 30 s ad on the filter thread, which every
video frame waits behind (it resamples to 192 kHz for its true-peak meter). Measuring the mixed
voiceovers with `ebur128` (integrated loudness per EBU R128) takes ~0.05 s in a separate quick
run; the main graph then applies `volume` to reach the target and `alimiter` to keep peaks
under the ceiling. Same standard, a tenth of the cost.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.shared.child import run_child
from pipeline.shared.ffmpeg import FfmpegError, ffmpeg_exe

TARGET_LUFS = -16.0
CEILING_DBFS = -1.5
MAX_GAIN_DB = 20.0
_INTEGRATED = re.compile(r"^\s*I:\s+(-?[\d.]+|-inf)\s+LUFS", re.MULTILINE)


def mix_filter(first_input: int, delays_ms: Sequence[int], total_seconds: float) -> str:
    """Each voiceover delayed to its scene's start, mixed without level change, padded/trimmed
    to the ad's exact length. Ends in an unlabelled output for the caller to extend."""
    parts = []
    for n, delay in enumerate(delays_ms):
        parts.append(f"[{first_input + n}:a]aresample=48000,adelay=delays={delay}:all=1[vo{n}]")
    labels = "".join(f"[vo{n}]" for n in range(len(delays_ms)))
    parts.append(
        f"{labels}amix=inputs={len(delays_ms)}:normalize=0:duration=longest,"
        f"apad=whole_dur={total_seconds:.4f},atrim=end={total_seconds:.4f}"
    )
    return ";".join(parts)


def gain_filter(measured_lufs: float | None) -> str:
    """volume + limiter reaching TARGET_LUFS; silence (no measurable loudness) is left alone."""
    gain = 0.0
    if measured_lufs is not None and math.isfinite(measured_lufs):
        gain = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, TARGET_LUFS - measured_lufs))
    limit = 10 ** (CEILING_DBFS / 20)
    return f"volume={gain:.2f}dB,alimiter=limit={limit:.4f}:level=false"


async def measure_mix(
    wavs: Sequence[Path], delays_ms: Sequence[int], total_seconds: float
) -> float | None:
    """Integrated loudness (LUFS) of the mixed voiceovers, or None if it is silent."""
    inputs = [arg for wav in wavs for arg in ("-i", str(wav))]
    graph = mix_filter(0, delays_ms, total_seconds) + ",ebur128=framelog=quiet"
    args = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "info", *inputs]
    args += ["-filter_complex", graph, "-f", "null", "-"]
    result = await run_child(args)
    if result.returncode != 0:
        raise FfmpegError("measuring the voiceover loudness failed", result.stderr_tail)
    found = _INTEGRATED.findall("\n".join(result.stderr_tail))
    if not found or found[-1] == "-inf":
        return None
    value = float(found[-1])
    return value if value > -70 else None
