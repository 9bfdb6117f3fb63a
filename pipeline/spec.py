"""The types shared by every stage: what a job asks for and what a stage hands back.

They live apart from `pipeline.stages` so that stage modules can import them without importing
each other; `pipeline.stages` re-exports them as the worker-facing contract.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from domain.enums import FULL_RESOLUTION, AspectRatio, MusicChoice, StageName, Style
from domain.outputs import Completed, Output, StageOutput
from domain.templates import scene_durations
from pipeline.errors import StageError


@dataclass(frozen=True)
class Reuse:
    """What a variant may take from the job it is a variant of, decided once by the worker from
    the variant's axes (domain.variants). The stages ask it; none works it out again."""

    source: Completed  # the source's stage outputs
    files: Path  # the source's files, laid out as in its work dir (voice tracks, ad, plan)
    music_seed: str  # the original's id: a variant's bed is picked as its original's was
    music: bool  # the source's music bed, as stored (no MUSIC axis)
    picture: bool  # only the music changes: the source's whole picture under a new mix
    end_card: bool  # only the CTA changes: the source's picture up to the end card


@dataclass(frozen=True)
class BrandFace:
    family: str  # the name libass finds it by
    file: str  # relative to the fonts package (bundled) or absolute (uploaded, in MEDIA_DIR)


@dataclass(frozen=True)
class Brand:
    """The job's brand kit as the render uses it (pipeline.video.brand), built by the worker
    from the job's snapshot (domain.brand): colours "#rrggbb", the text colour made readable."""

    primary: str
    accent: str
    text: str
    logo: Path | None = None  # absolute: a PNG or WebP with transparency
    heading: BrandFace | None = None
    body: BrandFace | None = None


@dataclass(frozen=True)
class JobSpec:
    """Everything a stage needs to know about one ad; built by the worker from the job row."""

    job_id: str
    product_name: str
    style: Style
    cta_text: str
    aspect_ratio: AspectRatio
    # Absolute path of a decoded-and-validated PNG/JPEG/WebP, or None: the first of
    # product_images, for the stages that show one photo.
    product_image: Path | None
    work_dir: Path  # absolute per-job dir; all outputs go inside it
    total_seconds: float = 30.0  # every scene duration is scaled by total/30
    resolution: int = FULL_RESOLUTION  # the frame's short side in pixels (drafts: 360, 540, 720)
    fps: int = 30
    description: str | None = None  # what the product is and does, in the maker's words
    benefits: tuple[str, ...] = ()  # up to three key benefits
    product_images: tuple[Path, ...] = ()  # every photo (absolute paths), in the maker's order
    music: MusicChoice = MusicChoice.AUTO  # a bed matched to the style, or none
    music_track: Path | None = None  # the maker's own track (absolute path), instead of ours
    music_beats: tuple[float, ...] | None = None  # its beats (seconds), found at upload
    price: str | None = None  # for the end card, e.g. "$24.00" (from the product page)
    # Which of the brief's fields the product page gave, and from what markup: (("price",
    # "microdata"), ...), so the preflight can say where a number on screen came from.
    facts: tuple[tuple[str, str], ...] = ()
    language: str = "en"  # BCP 47 primary subtag
    voice: str | None = None  # a voice id (domain.voices); None: the language's or style's own
    hook_variant: int = 0  # which alternative opening the writer takes (variants)
    music_variant: int = 0  # which alternative track of the style's mood (variants)
    reuse: Reuse | None = None  # a variant: what it may take from its source
    brand: Brand | None = None  # a brand kit's colours, fonts and logo

    @property
    def is_draft(self) -> bool:
        """A preview: drawn smaller than 1080p, its sound encoded faster (the mix is the same)."""
        return self.resolution < FULL_RESOLUTION

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the ad's frame in pixels."""
        return self.aspect_ratio.size_at(self.resolution)

    def scene_durations(self) -> list[float]:
        """Scene lengths in seconds, the template's scaled so that they sum to total_seconds."""
        return scene_durations(self.style, self.total_seconds)


ProgressFn = Callable[[int], Awaitable[None]]  # 0..100, called often; the worker throttles


@dataclass(frozen=True)
class StageResult:
    output: StageOutput  # typed (domain.outputs); file paths RELATIVE to work_dir
    provider: str  # e.g. "offline-template", "espeak-ng", "ffmpeg-motion", "ffmpeg"
    cost_usd: float = 0.0


StageFn = Callable[[JobSpec, Completed, ProgressFn], Awaitable[StageResult]]


def needs(output: Output | None, stage: str, upstream: StageName) -> Output:
    """An earlier stage's output that `stage` cannot run without; a StageError if it is missing."""
    if output is None:
        raise StageError(f"{stage} needs the {upstream} outputs, which are missing")
    return output


async def no_progress(_: int) -> None:
    """A ProgressFn for callers that do not track progress."""
