"""The render plan: what video_gen hands compositing instead of encoded scene clips.

Why a plan and not clips: the offline scenes are still images with simple motion. Encoding them
to clips would cost a full H.264 encode of 30 s that compositing then decodes and encodes again.
Instead video_gen draws pre-sized PNG layers and writes this plan (JSON), and compositing executes
it in its single ffmpeg filter graph: one encode in total. Timing is in frames so that the
transitions' overlaps add up to exactly the requested length.

The scenes (background, headline, transitions between them) and the hero (the product, or the
name set in type) are separate: the hero is ONE layer over the whole ad, moving along keyframes
on the centre line of the headlines, so a transition between two scenes never shows two copies
of the product. Captions are an ASS file the voice's word timings made.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.templates import SceneTemplate

PLAN_VERSION = 2
MAX_TRANSITION_SECONDS = 0.6
TRANSITION_SHARE = 0.12  # of the outgoing scene, so short renders get short transitions


class Placed(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str  # PNG, relative to work_dir
    x: int
    y: int


class ScenePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    start_frame: int  # where the scene starts on the final timeline
    frames: int  # the scene plus the outgoing transition's overlap
    transition: str  # xfade name into the next scene, or "cut"
    transition_frames: int
    background: str  # full-frame PNG
    headline: Placed | None
    # A hosted video clip (relative to work_dir) shown instead of the background, scaled and
    # cropped to fill the frame, its last frame held if it is shorter than the scene; the hero
    # is hidden over it (the clip shows the product).
    clip: str | None = None


class Keyframe(BaseModel):
    """Where the hero is at a frame: its scale (1.0 = the PNG as drawn) and its centre."""

    model_config = ConfigDict(frozen=True)

    frame: int
    scale: float
    x: int  # centre, pixels
    y: int


class Hero(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str  # RGBA PNG (with its soft shadow)
    width: int
    height: int
    keyframes: list[Keyframe]  # eased between, in frame order; held after the last
    hidden_scenes: list[int] = []  # scenes a hosted clip fills


class RenderPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = PLAN_VERSION
    width: int
    height: int
    fps: int
    total_frames: int
    scenes: list[ScenePlan]
    hero: Hero | None
    captions: str | None  # ASS file, relative to work_dir
    look: str  # "cutout" (product cut out), "photo" (the photo full-bleed) or "type" (no photo)

    @property
    def duration_seconds(self) -> float:
        return self.total_frames / self.fps


def transition_frames(scene: SceneTemplate, duration: float, fps: int, is_last: bool) -> int:
    if is_last or scene.transition == "cut":
        return 0
    return max(1, round(min(MAX_TRANSITION_SECONDS, duration * TRANSITION_SHARE) * fps))


def scene_frames(durations: list[float], fps: int) -> tuple[list[int], int]:
    """Start frame of each scene and the total frame count, rounding the cumulative times so
    the rounding error never accumulates."""
    starts = []
    elapsed = 0.0
    for duration in durations:
        starts.append(round(elapsed * fps))
        elapsed += duration
    return starts, round(elapsed * fps)
