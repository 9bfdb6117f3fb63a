"""The render plan: what video_gen hands compositing instead of encoded scene clips.

Why a plan and not clips: the offline pictures are stills with simple motion. Encoding them to
clips would cost a full H.264 encode of 30 s that compositing then decodes and encodes again.
Instead video_gen draws pre-sized PNG stills and writes this plan (JSON), and compositing executes
it in its single ffmpeg filter graph: one encode in total. Timing is in frames.

An ad is a shot list, the way social ads are cut: each scene is two to four shots of ~1.5-3 s,
placed on a beat of the music bed where one falls near. A shot is one still (the frame's size or
larger) seen through a frame-sized window that glides across it: pans and drifts are moving
crops, which cost ffmpeg nothing per frame beyond a pointer offset, so more shots do not make the
render slower. Motion in layers, each paid for only over its own box or its own few frames:
- a cut-out product is its own layer (`Shot.layer`) moving against its backdrop's drift;
- a cut on a beat lands with a short scale punch (`Shot.punch`, a few frames);
- a shot comes in on a hard cut, or a slide, or (the end card) a zoom through (`Shot.enter`);
- the end card's price tag slides in (`EndCard.tag`).
Over each scene its headline animates in word by word (a few pre-drawn steps, each word rising
into place); captions are an ASS file the voice's word timings made.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

PLAN_VERSION = 4
# The plan's files, under the job's VIDEO_DIR: whoever draws a plan writes them, compositing
# reads them; neither knows the other.
PLAN_FILE = "plan.json"
CAPTIONS_FILE = "captions.ass"
MIN_SHOT_SECONDS = 1.5
MAX_SHOT_SECONDS = 3.0
SHOT_SECONDS = 2.3  # the length aimed at before beats move the cuts
BEAT_REACH = 0.45  # a cut moves at most this far to land on a beat (seconds)


class LookKind(StrEnum):
    """What an ad is built around, decided from its first photo."""

    CUTOUT = "cutout"  # the product cut out of its photo, over the style's backdrop
    PHOTO = "photo"  # the photo as it is (no confident cut-out)
    TYPE = "type"  # no photo: the product's name set in type


class ShotKind(StrEnum):
    WHOLE = "whole"  # the whole product over the backdrop, drifting
    DETAIL = "detail"  # a close-up on one of its most detailed regions
    PAN = "pan"  # the product larger than the frame, the frame panning across it
    CARD = "card"  # the photo as a tilted print, or the cut-out larger, off-centre
    PAIR = "pair"  # two photos, or a photo and its close-up
    TYPE = "type"  # the name set huge in the accent colour, the product in front
    END = "end"  # the end card (pipeline.video.shots.end_card)


class LayerMotion(StrEnum):
    """How a product layer moves against its backdrop (its path is the layer's start and end)."""

    PARALLAX = "parallax"  # against the backdrop's drift, a steady pace: the camera circling it
    FLOAT = "float"  # a slow rise across the backdrop's drift, easing out as it settles
    POP = "pop"  # in from off the frame, a little past its place and back (a price tag)


class TransitionKind(StrEnum):
    """How a shot comes in from the one before it."""

    CUT = "cut"
    SLIDE = "slide"  # the shot pushes the one before out sideways (between shots of one scene)
    ZOOM = "zoom"  # the picture before zooms in and gives way (into the end card)


class Rect(BaseModel):
    model_config = ConfigDict(frozen=True)

    x: int
    y: int
    w: int
    h: int


class Layer(BaseModel):
    """An RGBA image over a shot (or a scene), its top-left moving in frame pixels from `start`
    on its first frame to `end` on frame `frames - 1` of its own, then held."""

    model_config = ConfigDict(frozen=True)

    path: str  # RGBA PNG, relative to work_dir
    start: tuple[int, int]
    end: tuple[int, int]
    motion: LayerMotion
    frames: int  # over how many frames it travels (the shot's length, or a short entrance)
    delay: int = 0  # frames it waits (at `start`, unseen when `start` is off the frame)


class Transition(BaseModel):
    """How a shot comes in: over `frames` frames from its first, the shot before it (held on
    past its last frame) mixed into it; the timeline does not move."""

    model_config = ConfigDict(frozen=True)

    kind: TransitionKind
    frames: int = 0


CUT = Transition(kind=TransitionKind.CUT)


class Punch(BaseModel):
    """A short scale punch on a beat: the shot's first `frames` frames enlarged by `zoom`,
    easing back to 1 (centred)."""

    model_config = ConfigDict(frozen=True)

    frames: int
    zoom: float


class Shot(BaseModel):
    """One still seen through a frame-sized window moving from `start` to `end` (top-left
    corners in the still's pixels, eased)."""

    model_config = ConfigDict(frozen=True)

    frame: int  # first frame, on the ad's timeline
    frames: int
    kind: ShotKind  # drawn by its framing (pipeline.video.framings), or the end card
    image: str  # JPEG, relative to work_dir, at least the frame's size
    start: tuple[int, int]
    end: tuple[int, int]
    photos: list[int] = []  # the product photos it shows (indices into the job's photos)
    # Where the product is in the frame: on the shot's first frame, or, when it is its own
    # layer, everywhere its path takes it (the union); None when it is not shown.
    product: Rect | None = None
    beat: float | None = None  # the beat (ad seconds) the cut into this shot was put on
    layer: Layer | None = None  # the product cut out, moving against the still (a backdrop)
    enter: Transition = CUT
    punch: Punch | None = None


class Step(BaseModel):
    """One image of a headline's animation, shown from `frame` (relative to its scene)."""

    model_config = ConfigDict(frozen=True)

    path: str  # RGBA PNG, relative to work_dir
    x: int
    y: int
    frame: int


class ScenePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    start_frame: int  # where the scene starts on the final timeline
    frames: int
    shots: list[Shot]  # in order, covering the scene exactly
    headline: list[Step] = []  # the last step is held to the scene's end
    # A hosted video clip (relative to work_dir) shown instead of the shots, scaled and cropped
    # to fill the frame, its last frame held if it is shorter than the scene.
    clip: str | None = None


class EndCard(BaseModel):
    model_config = ConfigDict(frozen=True)

    button: Rect  # the call-to-action's button; captions never cover it
    accent: str  # the colour the button is ringed in, "#rrggbb"
    price: str | None
    tag: Layer | None = None  # the price tag, sliding in over the end card's first frames
    tag_box: Rect | None = None  # where the tag stands once it is in


class Mark(BaseModel):
    """A small logo over the picture (a brand kit's), from the first frame until `until_frame`."""

    model_config = ConfigDict(frozen=True)

    image: str  # RGBA PNG, relative to work_dir
    x: int
    y: int
    until_frame: int


class RenderPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = PLAN_VERSION
    width: int
    height: int
    fps: int
    total_frames: int
    scenes: list[ScenePlan]
    hero: str | None  # the hero layer (RGBA PNG): what a hosted video model animates from
    captions: str | None  # ASS file, relative to work_dir
    look: LookKind
    end_card: EndCard | None = None
    mark: Mark | None = None

    @property
    def duration_seconds(self) -> float:
        return self.total_frames / self.fps

    @property
    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]


def scene_frames(durations: list[float], fps: int) -> tuple[list[int], int]:
    """Start frame of each scene and the total frame count, rounding the cumulative times so
    the rounding error never accumulates."""
    starts = []
    elapsed = 0.0
    for duration in durations:
        starts.append(round(elapsed * fps))
        elapsed += duration
    return starts, round(elapsed * fps)


def shot_count(seconds: float) -> int:
    """How many shots a scene of `seconds` is cut into: ~SHOT_SECONDS each, none longer than
    MAX_SHOT_SECONDS, none shorter than MIN_SHOT_SECONDS unless the scene itself is."""
    count = max(1, round(seconds / SHOT_SECONDS))
    while seconds / count > MAX_SHOT_SECONDS:
        count += 1
    while count > 1 and seconds / count < MIN_SHOT_SECONDS:
        count -= 1
    return count


def cut_frames(
    start: int, end: int, fps: int, count: int, beats: list[float]
) -> list[tuple[int, float | None]]:
    """The first frame of each of `count` shots in [start, end) and the beat it was put on.

    Cuts are spread evenly, then each moves to the nearest beat within BEAT_REACH if the shots
    on both sides stay within MIN_SHOT_SECONDS..MAX_SHOT_SECONDS (the last shot is checked
    against the scene's end); the scene's own first cut stays where the voice put it."""
    length = (end - start) / fps
    cuts: list[tuple[int, float | None]] = [(start, None)]
    low, high = round(MIN_SHOT_SECONDS * fps), round(MAX_SHOT_SECONDS * fps)
    for k in range(1, count):
        nominal = start + round(k * length / count * fps)
        previous = cuts[-1][0]
        remaining = count - k  # shots from this cut to the scene's end
        best: tuple[int, float | None] = (nominal, None)
        best_distance = BEAT_REACH * fps + 1
        for beat in beats:
            frame = round(beat * fps)
            distance = abs(frame - nominal)
            if distance > BEAT_REACH * fps or distance >= best_distance:
                continue
            if not low <= frame - previous <= high:
                continue
            if remaining == 1 and not low <= end - frame <= high:
                continue
            best, best_distance = (frame, beat), distance
        cuts.append(best)
    return cuts
