"""The beats of a maker's own music track, found at createJob so that the ad's cuts can land on
them as they do on a bundled track's.

A sanctioned crossing into pipeline/ (tests/test_architecture.py): the beat tracker is the one
that found the bundled tracks' beats (pipeline.music.beats), so both are found the same
way. It is imported on the first upload with a track, never at start-up, and runs in a thread:
it blocks for ffmpeg and some numpy (about 0.1 s per 30 s of music). A track plays from its
start under the ad, so only its first BEATS_SECONDS are analysed: twice the longest ad, so that
the tracker's trimming of weak beats at the end never reaches the part that plays.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

BEATS_SECONDS = 60.0


async def track_beats(path: Path) -> tuple[float, ...] | None:
    """Beat times in seconds (to the millisecond) from the start of the track at `path`; None
    when ffmpeg could not decode it for the tracker (the ad is then cut without them)."""
    from pipeline.music.beats import detect_beats
    from pipeline.shared.ffmpeg import FfmpegError

    try:
        beats = await asyncio.to_thread(detect_beats, path, max_seconds=BEATS_SECONDS)
    except FfmpegError as error:
        log.warning("music.beats_not_found", error=str(error).splitlines()[0])
        return None
    return tuple(round(beat, 3) for beat in beats)
