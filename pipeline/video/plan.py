"""The render plan: what video_gen hands compositing instead of encoded scene clips.

Why a plan and not clips: the offline scenes are still images with simple motion. Encoding them
to clips would cost a full H.264 encode of 30 s that compositing then decodes and encodes again.
Instead video_gen draws pre-sized PNG layers and writes this plan (JSON), and compositing executes
it in its single ffmpeg filter graph: one encode in total. Timing is in frames so that the
transitions' overlaps add up to exactly the requested length. A scene may instead carry an
encoded clip from a hosted video model (`ScenePlan.clip`); text and captions go over it as usual.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.templates import SceneTemplate

PLAN_VERSION = 1
MAX_TRANSITION_SECONDS = 0.6
TRANSITION_SHARE = 0.15  # of the outgoing scene, so short renders get short transitions


class Placed(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str  # PNG, relative to work_dir
    x: int
    y: int


class ScenePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    start_frame: int  # where the scene starts on the final timeline
    frames: int  # clip length: the scene plus the outgoing transition's overlap
    transition: str  # xfade name into the next scene, or "cut"
    transition_frames: int
    background: str  # full-frame PNG (for a static scene: the whole finished frame)
    motion: str  # zoom_in, zoom_out, pan_left, pan_right, push_up, static
    product: Placed | None  # the product layer at full size, top-left corner at full zoom
    product_side: int
    headline: Placed | None
    # A hosted video clip (relative to work_dir) shown instead of background and product: scaled
    # and cropped to fill the frame, its last frame held if it is shorter than the scene.
    clip: str | None = None


class CaptionPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    scene_index: int
    image: Placed
    start_fraction: float  # of that scene's voiceover
    end_fraction: float


class RenderPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = PLAN_VERSION
    width: int
    height: int
    fps: int
    total_frames: int
    scenes: list[ScenePlan]
    captions: list[CaptionPlan]

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
