"""Reading a stage's typed output in a test: each accessor checks the output is of that stage."""

from __future__ import annotations

from domain.outputs import Fallback, HostedUsage, VideoOutput, VoiceOutput
from pipeline.spec import StageResult


def video_of(result: StageResult) -> VideoOutput:
    assert isinstance(result.output, VideoOutput), result.output
    return result.output


def voice_of(result: StageResult) -> VoiceOutput:
    assert isinstance(result.output, VoiceOutput), result.output
    return result.output


def hosted_usage(result: StageResult) -> HostedUsage:
    assert result.output.hosted is not None, "no hosted usage recorded"
    return result.output.hosted


def fallback_of(result: StageResult) -> Fallback:
    assert result.output.fallback is not None, "the stage did not fall back"
    return result.output.fallback
