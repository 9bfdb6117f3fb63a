"""Which music bed an ad gets: decided once per ad, before its picture is cut.

`decide_bed` is the only place that decides it: the job's own track, one of the bundled tracks
matched to its style (a pure function of the style, the seed and the variant shift, so the same
job always gets the same track), or none. The video stage stores the result (domain.music.
MusicBed) with its output, cuts on its beats, and compositing mixes what was stored (`bed_for`,
`bed_to_mix`); a variant that keeps its source's music takes the source's stored bed.
"""

from __future__ import annotations

from pathlib import Path

from domain.enums import MusicChoice
from domain.music import NO_MUSIC, BedSource, MusicBed
from pipeline.errors import StageError
from pipeline.music.beats import bundled_beats
from pipeline.music.tracks import STYLE_BED_LU, STYLE_FADE_OUT, pick_track, track_path
from pipeline.spec import JobSpec


def _on_timeline(beats: tuple[float, ...], start: float, seconds: float) -> tuple[float, ...]:
    return tuple(round(b - start, 3) for b in beats if 0.0 < b - start < seconds)


def decide_bed(spec: JobSpec, seconds: float) -> MusicBed:
    """The bed for an ad `seconds` long, decided from its brief."""
    level, fade = STYLE_BED_LU[spec.style], STYLE_FADE_OUT[spec.style]
    if spec.music_track is not None:
        beats = _on_timeline(spec.music_beats or (), 0.0, seconds)
        return MusicBed(source=BedSource.UPLOAD, level_lu=level, fade_out_seconds=fade, beats=beats)
    if spec.music == MusicChoice.NONE:
        return NO_MUSIC
    seed = spec.reuse.music_seed if spec.reuse is not None else spec.job_id
    track = pick_track(spec.style, seed, spec.music_variant)
    return MusicBed(
        source=BedSource.BUNDLED,
        track=track.id,
        start_seconds=track.start_seconds,
        level_lu=level,
        fade_out_seconds=fade,
        beats=_on_timeline(bundled_beats(track.id), track.start_seconds, seconds),
    )


def bed_for(spec: JobSpec, seconds: float) -> MusicBed:
    """The ad's bed: its variant source's, stored, when it keeps the source's music; else
    decided now."""
    reuse = spec.reuse
    if reuse is not None and reuse.music:
        video = reuse.source.video
        if video is not None and video.music is not None:
            return video.music
    return decide_bed(spec, seconds)


def bed_to_mix(spec: JobSpec, stored: MusicBed | None, seconds: float) -> MusicBed:
    """What compositing mixes: the bed the picture was cut to, stored with the video stage's
    output. A variant that changes only its music runs no video stage (its picture is its
    source's, stored bed included): its new bed is decided here, by the one stage it runs."""
    if spec.reuse is not None and spec.reuse.picture:
        return decide_bed(spec, seconds)
    return stored if stored is not None else bed_for(spec, seconds)  # None: stored before beds


def bed_file(spec: JobSpec, bed: MusicBed) -> Path | None:
    """The audio file of a decided bed on this machine (None: no music)."""
    if bed.source == BedSource.NONE:
        return None
    if bed.source == BedSource.UPLOAD:
        if spec.music_track is None:
            raise StageError("the ad's music is the maker's own track, which is missing")
        return spec.music_track
    assert bed.track is not None
    try:
        return track_path(bed.track)
    except LookupError as exc:
        raise StageError(f"the ad's music track {bed.track} is not installed: {exc}") from exc
