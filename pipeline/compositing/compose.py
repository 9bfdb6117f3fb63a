"""compositing: the final MP4 from the render plan and the voiceovers, in one ffmpeg run.

One filter graph (`pipeline.compositing.filtergraph`) animates the layers, joins the scenes with the
template's transitions, places each voiceover at its scene's start, shows captions while they
are spoken and normalises loudness; the result is encoded once to H.264 yuv420p + AAC with the
index at the front (`+faststart`) so players can start before the download ends.
Encoder settings, measured on the 2-core target machine (30 s 1080x1920, CPU seconds of the
ffmpeg run; the filter graph alone is ~1.5 s): veryfast 12.7 s, superfast 11.2 s, ultrafast
7.7 s (5.3 MB, blocky: no deblocking, CAVLC), ultrafast + CABAC + deblock + 2 B-frames 8.2 s
(3.7 MB, clean on this flat, graphic content). The last is used: with two cores it keeps the
whole ad near 5 s of wall time, and CABAC/deblocking buy back most of superfast's quality.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from domain.enums import StageName
from domain.outputs import Completed, CompositingOutput, VideoOutput
from pipeline.compositing.filtergraph import build_graph, voice_delays_ms
from pipeline.compositing.loudness import measure_mix
from pipeline.errors import StageError
from pipeline.shared.ffmpeg import run_ffmpeg
from pipeline.shared.files import atomic_output, remove_temp_files
from pipeline.spec import JobSpec, ProgressFn, StageResult, needs
from pipeline.video.plan import RenderPlan

PROVIDER = "ffmpeg"
OUTPUT_NAME = "ad.mp4"
X264_PRESET = "ultrafast"
X264_PARAMS = "cabac=1:deblock=1,0:bframes=2"
X264_CRF = "21"
AUDIO_BITRATE = "128k"


def load_plan(spec: JobSpec, video_out: VideoOutput) -> RenderPlan:
    path = spec.work_dir / video_out.plan
    try:
        plan = RenderPlan.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise StageError(f"the render plan {path.name} is missing; run video_gen again") from exc
    except ValidationError as exc:
        raise StageError(f"the render plan {path.name} is invalid: {exc}") from exc
    if (plan.width, plan.height) != spec.aspect_ratio.size:
        raise StageError(
            f"the render plan is {plan.width}x{plan.height}, not {spec.aspect_ratio.size}"
        )
    return plan


def encode_args(plan: RenderPlan, video: str, audio: str, out: Path) -> list[str]:
    return [
        "-map",
        video,
        "-map",
        audio,
        "-c:v",
        "libx264",
        "-preset",
        X264_PRESET,
        "-crf",
        X264_CRF,
        "-x264-params",
        X264_PARAMS,
        "-pix_fmt",
        "yuv420p",
        "-r",
        str(plan.fps),
        "-c:a",
        "aac",
        "-b:a",
        AUDIO_BITRATE,
        "-movflags",
        "+faststart",
        "-frames:v",
        str(plan.total_frames),
        "-t",
        f"{plan.duration_seconds:.4f}",
        "-y",
        str(out),
    ]


async def composite(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """compositing stage: work_dir/ad.mp4, replaced atomically when the encode has finished."""
    video_out = needs(completed.video, "compositing", StageName.VIDEO_GEN)
    voice_out = needs(completed.voice, "compositing", StageName.VOICE_GEN)
    plan = load_plan(spec, video_out)
    voices = sorted(voice_out.scenes, key=lambda v: v.index)
    if [v.index for v in voices] != [s.index for s in plan.scenes]:
        raise StageError("the voiceovers do not match the scenes of the render plan")
    for voice in voices:
        if not (spec.work_dir / voice.path).is_file():
            raise StageError(f"the voiceover {voice.path} is missing; run voice_gen again")
    wavs = [spec.work_dir / v.path for v in voices]
    lufs = await measure_mix(wavs, voice_delays_ms(plan, voices), plan.duration_seconds)
    inputs, graph, video, audio = build_graph(plan, voices, spec.work_dir, lufs)
    final = spec.work_dir / OUTPUT_NAME
    await progress(0)
    try:
        with atomic_output(final) as tmp:
            args = [*inputs, "-filter_complex", graph, *encode_args(plan, video, audio, tmp)]
            await run_ffmpeg(args, progress=progress, duration=plan.duration_seconds)
    finally:
        remove_temp_files(spec.work_dir)
    output = CompositingOutput(
        path=OUTPUT_NAME,
        duration_seconds=plan.duration_seconds,
        width=plan.width,
        height=plan.height,
    )
    return StageResult(output=output, provider=PROVIDER)
