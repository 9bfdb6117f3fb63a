"""The domain's words: styles, sizes, stages and the statuses a job, a stage and an attempt go
through. Every layer imports them from here; this module imports nothing of ours."""

from __future__ import annotations

from enum import StrEnum


class Style(StrEnum):
    LUXURY = "luxury"
    ENERGETIC = "energetic"
    MINIMAL = "minimal"
    BOLD = "bold"


class AspectRatio(StrEnum):
    PORTRAIT = "portrait"
    SQUARE = "square"
    LANDSCAPE = "landscape"

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, at the full 1080p the product is made at."""
        return _SIZES[self]

    def size_at(self, resolution: int) -> tuple[int, int]:
        """(width, height) with the short side `resolution` pixels (one of RESOLUTIONS): 360
        makes a 360x640 portrait draft."""
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS}, not {resolution}")
        width, height = _SIZES[self]
        return width * resolution // FULL_RESOLUTION, height * resolution // FULL_RESOLUTION


# The short side of the frame: 1080 is the product; the smaller ones are drafts (previews and
# tests) drawn from the same proportional layout. Each keeps a 16:9 side whole and even.
FULL_RESOLUTION = 1080
RESOLUTIONS = (360, 540, 720, FULL_RESOLUTION)

_SIZES = {
    AspectRatio.PORTRAIT: (1080, 1920),
    AspectRatio.SQUARE: (1080, 1080),
    AspectRatio.LANDSCAPE: (1920, 1080),
}


class StageName(StrEnum):
    """The pipeline's stages, in the order they run."""

    SCRIPT_GEN = "script_gen"
    VOICE_GEN = "voice_gen"
    VIDEO_GEN = "video_gen"
    COMPOSITING = "compositing"


STAGE_ORDER: tuple[StageName, ...] = tuple(StageName)


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class StageStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class AttemptOutcome(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"  # the stage raised; a transient failure is tried again in a new attempt
    CRASHED = "crashed"  # its worker died (found by the run that took the job over)
    CANCELLED = "cancelled"  # cancelJob
    INTERRUPTED = "interrupted"  # its worker was shut down; the stage runs again
    SUPERSEDED = "superseded"  # another run took the job over while this one still lived


class MusicChoice(StrEnum):
    AUTO = "auto"  # a bed matched to the style (or the job's own track, when it has one)
    NONE = "none"


class AdDuration(StrEnum):
    """How long an ad is (domain.length): the writer's choice from the brief, or forced."""

    AUTO = "auto"  # 15 s for a name and a call-to-action, up to 30 s as the brief says more
    SECONDS_15 = "seconds_15"
    SECONDS_30 = "seconds_30"


class VariantAxis(StrEnum):
    """What a variant changes from its source (createVariants)."""

    HOOK = "hook"  # the opening line
    CTA = "cta"  # the call-to-action
    STYLE = "style"  # the whole look and voice of another style
    VOICE = "voice"  # another voice for the same language
    MUSIC = "music"  # another music bed
