"""The worker-facing contract: job spec, stage result, errors and the offline stage functions.

The worker runs `OFFLINE_STAGES[name](spec, completed, progress)` for each StageName in
STAGE_ORDER, passing the outputs of the stages already done, and stores each StageResult's
outputs as the stage's data so a retried job resumes where it stopped. Every stage is
idempotent: run again (after a crash), it overwrites its own outputs.
"""

from __future__ import annotations

from domain.enums import StageName
from domain.script import AdScript, SceneScript
from pipeline.compositing.compose import composite
from pipeline.errors import StageError, TransientStageError
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.offline import generate_script
from pipeline.shared.ffmpeg import FfmpegError, run_ffmpeg
from pipeline.spec import JobSpec, ProgressFn, StageFn, StageResult
from pipeline.video.offline import generate_video
from pipeline.voice.offline import generate_voice

OFFLINE_STAGES: dict[StageName, StageFn] = {
    StageName.SCRIPT_GEN: generate_script,
    StageName.VOICE_GEN: generate_voice,
    StageName.VIDEO_GEN: generate_video,
    StageName.COMPOSITING: composite,
}

__all__ = [
    "OFFLINE_STAGES",
    "AdScript",
    "FfmpegError",
    "JobSpec",
    "ProgressFn",
    "SceneScript",
    "ScriptError",
    "StageError",
    "StageFn",
    "StageResult",
    "TransientStageError",
    "run_ffmpeg",
    "validate_script",
]
