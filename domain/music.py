"""The music bed an ad gets, as decided: which track, where in it the ad starts, its beats.

Decided once (pipeline.music.bed), before the picture is cut, and stored with the video stage's
output: the cuts land on these beats and compositing mixes this bed. A retry, and a variant that
keeps its source's music, read it; nothing decides it again.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

YOUR_TRACK = "your track"


class BedSource(StrEnum):
    BUNDLED = "bundled"  # one of the bundled tracks, matched to the style
    UPLOAD = "upload"  # the maker's own track (the job's musicTrack)
    NONE = "none"  # no music (music: NONE)


class MusicBed(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: BedSource
    track: str | None = None  # a bundled track's id
    start_seconds: float = 0.0  # where in the track the ad starts
    level_lu: float = 0.0  # the bed's level under the voice, before ducking
    fade_out_seconds: float = 0.0
    beats: tuple[float, ...] = ()  # on the ad's timeline: seconds from the ad's start

    @property
    def label(self) -> str | None:
        """What the finished ad says it used: the track's id, "your track", or None."""
        if self.source == BedSource.UPLOAD:
            return YOUR_TRACK
        return self.track


NO_MUSIC = MusicBed(source=BedSource.NONE)
