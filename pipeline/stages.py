"""The worker-facing contract: job spec, stage result, errors and the offline stage functions.

The worker runs `offline_stages(cache)[name](spec, completed, progress)` for each StageName in
STAGE_ORDER, passing the outputs of the stages already done, and stores each StageResult's
outputs as the stage's data so a retried job resumes where it stopped. Every stage is
idempotent: run again (after a crash), it overwrites its own outputs.
"""

from __future__ import annotations

from pathlib import Path

from domain.enums import StageName
from domain.script import AdScript, SceneScript
from pipeline.compositing.compose import composite
from pipeline.errors import StageError, TransientStageError
from pipeline.script.model import ScriptError, validate_script
from pipeline.script.offline import generate_script
from pipeline.shared.ffmpeg import FfmpegError, run_ffmpeg
from pipeline.spec import JobSpec, ProgressFn, StageFn, StageResult
from pipeline.video.offline import generate_video
from pipeline.voice.offline import OfflineVoice

# Where the narrator's patched model is kept when the caller does not say (the worker does:
# MODEL_CACHE_DIR): var/cache under the repository, like the other local state.
DEFAULT_MODEL_CACHE = Path(__file__).resolve().parents[1] / "var" / "cache"


def offline_stages(model_cache: Path = DEFAULT_MODEL_CACHE) -> dict[StageName, StageFn]:
    return {
        StageName.SCRIPT_GEN: generate_script,
        StageName.VOICE_GEN: OfflineVoice(model_cache),
        StageName.VIDEO_GEN: generate_video,
        StageName.COMPOSITING: composite,
    }


OFFLINE_STAGES = offline_stages()

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
