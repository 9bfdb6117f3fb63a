"""Beats as an editor would check them: on a click track the beats fall on the clicks; every
bundled track's stored beats run at the tempo LICENSE-MUSIC says it was generated at; and the
stored beats are what the detector finds today, so a changed detector or a new music wheel
without a regenerated beats.json fails here."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline.music.beats import (
    bundled_beats,
    detect_beats,
    detect_beats_in_samples,
    licence_bpm,
    tempo_bpm,
)
from pipeline.music.tracks import library

RATE = 44_100
CLICK_BPM, CLICK_OFFSET = 120.0, 0.23
TEMPO_TOLERANCE = 0.04
ON_THE_CLICK = 0.015  # seconds


def click_track(path: Path, seconds: float) -> list[float]:
    """A WAV of 2 kHz clicks (5 ms, decaying) at CLICK_BPM from CLICK_OFFSET over steady noise;
    the click times."""
    rng = np.random.default_rng(7)
    audio = rng.normal(0.0, 0.02, int(seconds * RATE))
    at = np.arange(int(0.005 * RATE)) / RATE
    click = 0.7 * np.sin(2 * np.pi * 2000 * at) * np.exp(-at / 0.0015)
    times = list(np.arange(CLICK_OFFSET, seconds - 0.01, 60 / CLICK_BPM))
    for time in times:
        start = round(time * RATE)
        audio[start : start + len(click)] += click
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return times


def test_beats_fall_on_the_clicks(tmp_path: Path) -> None:
    clicks = click_track(tmp_path / "clicks.wav", 20.0)
    beats = np.array(detect_beats(tmp_path / "clicks.wav"))
    misses = [click for click in clicks if np.abs(beats - click).min() > ON_THE_CLICK]
    assert len(misses) <= 0.1 * len(clicks), misses
    assert tempo_bpm(beats.tolist()) == pytest.approx(CLICK_BPM, rel=0.01)


def test_max_seconds_reads_only_the_start(tmp_path: Path) -> None:
    click_track(tmp_path / "clicks.wav", 20.0)
    beats = detect_beats(tmp_path / "clicks.wav", max_seconds=8.0)
    assert 12 <= len(beats) <= 16
    assert beats[-1] < 8.0


def test_silence_has_no_beats() -> None:
    assert detect_beats_in_samples(np.zeros(10 * RATE, dtype=np.float32), RATE) == ()
    assert tempo_bpm([]) is None
    assert tempo_bpm([1.0]) is None


def test_every_installed_track_has_stored_beats_at_its_listed_tempo() -> None:
    listed = licence_bpm()
    tracks = library()
    assert {track.id for track in tracks} <= set(listed)
    for track in tracks:
        beats = bundled_beats(track.id)
        assert list(beats) == sorted(beats) and beats[0] >= 0.0
        assert beats[-1] <= track.seconds
        assert tempo_bpm(beats) == pytest.approx(listed[track.id], rel=TEMPO_TOLERANCE), track.id


def test_an_unknown_track_says_how_to_store_its_beats() -> None:
    with pytest.raises(LookupError, match=r"python -m pipeline\.music\.beats") as raised:
        bundled_beats("no_such_track")
    assert type(raised.value) is LookupError


@pytest.mark.slow(seconds=0.2)
def test_stored_beats_are_what_the_detector_finds() -> None:
    track = next(track for track in library() if track.id == "calm_acoustic_s411")
    found = detect_beats(track.path, bpm=licence_bpm()[track.id])
    stored = bundled_beats(track.id)
    assert len(found) == len(stored)
    assert np.abs(np.array(found) - np.array(stored)).max() <= 0.001


@pytest.mark.slow(seconds=6)
def test_without_the_listed_tempo_every_track_is_at_it_or_double() -> None:
    """Unaided, the detector finds each track's pulse: never 2:3 or 4:3 of it (the dotted
    rhythms that fool the autocorrelation alone), at most the eighth notes (beats.py)."""
    listed = licence_bpm()
    ratios = {}
    for track in library():
        found = tempo_bpm(detect_beats(track.path))
        assert found is not None, track.id
        ratios[track.id] = found / listed[track.id]
    off = {track_id: round(r, 3) for track_id, r in ratios.items() if not _level(r)}
    assert off == {}
    assert sum(abs(r - 1) <= TEMPO_TOLERANCE for r in ratios.values()) >= len(ratios) // 2


def _level(ratio: float) -> bool:
    return any(abs(ratio / level - 1) <= TEMPO_TOLERANCE for level in (1.0, 2.0))
