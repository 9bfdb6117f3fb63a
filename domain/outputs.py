"""What each stage hands on, typed: stored as JSON in the stage's `stage_data`, read back typed.

A stage's output is what the later stages need (and what a resumed job reuses): the script, the
voiceover files with their timing, the render plan, the final MP4. Paths are relative to the
job's work directory. Hosted providers add what they used (`hosted`); a stage that fell back to
its offline provider says why (`fallback`). `Completed` holds the outputs of the stages done so
far, which is what a stage is given.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import StageName
from domain.music import MusicBed
from domain.preflight import Preflight
from domain.script import AdScript


class HostedUsage(BaseModel):
    """The calls one stage made to one hosted provider, with their exact cost."""

    provider: str
    model: str
    calls: list[dict[str, Any]]  # one per billed request: its kind, counters and cost_usd
    cost_usd: str


class Fallback(BaseModel):
    """A hosted provider failed after its retries and the offline one made the output."""

    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from")
    to: str
    error: str
    transient: bool
    calls: list[dict[str, Any]]  # billed before it failed; they count in the stage's cost
    cost_usd: str


class StageOutput(BaseModel):
    model_config = ConfigDict(frozen=True)

    hosted: HostedUsage | None = None
    fallback: Fallback | None = None

    def to_data(self) -> dict[str, Any]:
        """The JSON stored as the stage's stage_data."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ScriptOutput(StageOutput):
    script: AdScript
    analysis: dict[str, Any] | None = None  # Claude's look at the product photo


class SpokenWord(BaseModel):
    """One word of a voiceover and when it is said, in seconds from the WAV's start."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: float
    end: float


class VoiceScene(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    path: str  # the scene's voiceover WAV
    duration_seconds: float
    offset_seconds: float  # from the scene's start
    rate_wpm: int
    voice: str | None = None
    # Word by word, when the narrator reports it (the neural voice does; espeak-ng and hosted
    # speech do not, and their captions are timed by word length instead).
    words: list[SpokenWord] = []
    # Taken as is from the job this one is a variant of (same line, same voice): not said again.
    reused: bool = False


class VoiceOutput(StageOutput):
    scenes: list[VoiceScene]

    def scene(self, index: int) -> VoiceScene:
        return next(s for s in self.scenes if s.index == index)


class VideoOutput(StageOutput):
    plan: str  # the render plan (JSON) that compositing renders
    width: int
    height: int
    duration_seconds: float
    clips: list[str] = []  # hosted image-to-video clips, by scene
    # The bed the picture was cut to, which compositing mixes (None: an output stored before
    # the bed was recorded with it).
    music: MusicBed | None = None
    # A CTA variant: its picture up to this frame (its end card's first) is its source's,
    # as its video stage found; compositing encodes only the end card.
    source_until_frame: int | None = None


class CompositingOutput(StageOutput):
    path: str  # the finished MP4
    duration_seconds: float
    width: int
    height: int
    music: str | None = None  # the bundled track's id, "your track", or None (no music)
    loudness_lufs: float | None = None
    # A CTA variant: its picture up to here is its source's, stream-copied (domain.variants).
    spliced_at_seconds: float | None = None
    remixed: bool = False  # a MUSIC variant: the source's picture under a new soundtrack
    # The finished file measured against its placements' limits (pipeline.preflight); None:
    # an output stored before preflights were made.
    preflight: Preflight | None = None


Output = TypeVar("Output", bound=StageOutput)

OUTPUT_TYPES: dict[StageName, type[StageOutput]] = {
    StageName.SCRIPT_GEN: ScriptOutput,
    StageName.VOICE_GEN: VoiceOutput,
    StageName.VIDEO_GEN: VideoOutput,
    StageName.COMPOSITING: CompositingOutput,
}


def read_output(stage: StageName, data: dict[str, Any]) -> StageOutput:
    """A stored stage_data, typed."""
    return OUTPUT_TYPES[stage].model_validate(data)


class Completed:
    """The outputs of the stages done so far, typed; None for a stage not done."""

    def __init__(self, outputs: dict[StageName, StageOutput] | None = None) -> None:
        self.outputs: dict[StageName, StageOutput] = dict(outputs or {})

    @classmethod
    def from_data(cls, data: dict[StageName, dict[str, Any]]) -> Completed:
        return cls({name: read_output(name, value) for name, value in data.items()})

    def add(self, stage: StageName, output: StageOutput) -> None:
        self.outputs[stage] = output

    def _get(self, stage: StageName, kind: type[Output]) -> Output | None:
        output = self.outputs.get(stage)
        return output if isinstance(output, kind) else None

    @property
    def script(self) -> ScriptOutput | None:
        return self._get(StageName.SCRIPT_GEN, ScriptOutput)

    @property
    def voice(self) -> VoiceOutput | None:
        return self._get(StageName.VOICE_GEN, VoiceOutput)

    @property
    def video(self) -> VideoOutput | None:
        return self._get(StageName.VIDEO_GEN, VideoOutput)

    @property
    def compositing(self) -> CompositingOutput | None:
        return self._get(StageName.COMPOSITING, CompositingOutput)
