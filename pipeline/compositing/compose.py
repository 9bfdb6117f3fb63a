"""compositing: the final MP4 from the render plan, the voiceovers and the music.

Two branches at once, then a mux:
- the soundtrack (pipeline.compositing.soundtrack: the voice on its timeline, the music bed
  ducked under it, loudness set), encoded to AAC: one core for about a second;
- the picture's one filter graph (pipeline.compositing.filtergraph) encoded once to H.264
  yuv420p: x264 on the other cores;
then both are muxed without re-encoding, the index at the front (`+faststart`) so players can
start before the download ends; and the finished file gets its preflight (pipeline.preflight),
stored with the output: a failed check is reported, never a reason to withhold the ad.

The music is the job's own track if it has one, else a bundled track matched to the style
(picked by the job id, so a retry picks the same), else none when the job asked for none.
Encoder settings, measured on the 2-core target machine (30 s 1080x1920): ultrafast with CABAC,
deblocking and 2 B-frames is the cheapest that looks clean on this graphic content (superfast
costs ~3 CPU-seconds more for little). AAC at 192k: at 128-160k the encoder overshot the
soundtrack's -1 dBTP ceiling on some mixes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import ValidationError

from domain.enums import StageName
from domain.media import AD_FILE, VIDEO_DIR
from domain.outputs import Completed, CompositingOutput, VideoOutput
from domain.preflight import Preflight
from domain.providers import COMPOSITING
from pipeline.compositing.filtergraph import build_graph
from pipeline.compositing.soundtrack import (
    LIMIT_DBFS,
    BedAudio,
    Soundtrack,
    VoiceClip,
    measure_output,
    render_soundtrack,
)
from pipeline.errors import StageError
from pipeline.music.bed import bed_file, bed_to_mix
from pipeline.preflight.run import run_preflight
from pipeline.shared.ffmpeg import run_ffmpeg
from pipeline.shared.files import atomic_output, remove_temp_files, temp_path_for
from pipeline.shared.fonts import fonts_dir
from pipeline.spec import JobSpec, ProgressFn, StageResult, needs
from pipeline.video import brand
from pipeline.video.plan import PLAN_VERSION, RenderPlan

PROVIDER = COMPOSITING
OUTPUT_NAME = AD_FILE
AUDIO_DIR = "audio"
SOUNDTRACK = "soundtrack.wav"
SOUNDTRACK_AAC = "soundtrack.m4a"
PICTURE = "picture.mp4"  # the encoded picture, before the soundtrack is muxed in
X264_PRESET = "ultrafast"
# Sliced threads: the frame is split between threads instead of frames being encoded in
# parallel, which keeps ~45 MB fewer frames in flight at the same speed. The deblocking filter
# costs nothing measurable; CABAC and B-frames cost 18% more encoding time (8.4 against 7.1
# CPU-s for the 30 s demo) for a 23% smaller file (5.4 against 7.0 MB): the platforms encode
# the upload again anyway, and the render's time is the product's.
X264_PARAMS = "deblock=1,0:sliced-threads=1"
X264_CRF = "21"
AUDIO_BITRATE = "192k"  # AAC at 128-160k overshot the -1 dBTP ceiling on some mixes
# A draft's AAC: the fast coder, a quarter of the default (two-loop) coder's CPU (0.7 against
# 3.0 CPU-s for the demo's 30 s), at the same loudness and true peak (-14.1 LUFS, -1.8 dBTP
# measured); the two-loop search keeps more of 8-14 kHz, which the product keeps.
DRAFT_AAC_CODER = "fast"
AAC_CEILING_DBTP = -1.0  # the platforms' true-peak ceiling, measured on the encoded AAC
AAC_MARGIN_DB = 0.3


def load_plan(spec: JobSpec, video_out: VideoOutput) -> RenderPlan:
    path = spec.work_dir / video_out.plan
    try:
        plan = RenderPlan.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise StageError(f"the render plan {path.name} is missing; run video_gen again") from exc
    except ValidationError as exc:
        raise StageError(f"the render plan {path.name} is invalid: {exc}") from exc
    if plan.version != PLAN_VERSION:
        raise StageError(f"the render plan is version {plan.version}; run video_gen again")
    if (plan.width, plan.height) != spec.frame_size:
        raise StageError(f"the render plan is {plan.width}x{plan.height}, not {spec.frame_size}")
    return plan


def encode_args(
    plan: RenderPlan, video: str, out: Path, from_frame: int = 0, container: str = "mp4"
) -> list[str]:
    """The picture alone, H.264 yuv420p, exactly the plan's frames (from `from_frame` on: the
    frames before it are filtered and dropped, never encoded).

    The end card always starts on an IDR frame, so a variant that changes only the end card can
    put its own end card after the source's picture, stream-copied (`_splice`)."""
    end_card = plan.scenes[-1].start_frame / plan.fps
    return [
        "-map", video,
        *(["-ss", f"{from_frame / plan.fps:.6f}"] if from_frame else []),
        "-c:v", "libx264",
        "-preset", X264_PRESET,
        "-crf", X264_CRF,
        "-x264-params", X264_PARAMS,
        *([] if from_frame else ["-force_key_frames", f"{end_card:.6f}", "-forced-idr", "1"]),
        "-pix_fmt", "yuv420p",
        "-r", str(plan.fps),
        "-frames:v", str(plan.total_frames - from_frame),
        "-f", container,
        "-y", str(out),
    ]  # fmt: skip


def bed_audio(
    spec: JobSpec, video_out: VideoOutput, seconds: float
) -> tuple[BedAudio | None, str | None]:
    """The bed the picture was cut to (stored with the video stage's output) as audio to mix,
    and what to call it."""
    bed = bed_to_mix(spec, video_out.music, seconds)
    path = bed_file(spec, bed)
    if path is None:
        return None, None
    return BedAudio(path, bed.start_seconds, bed.level_lu, bed.fade_out_seconds), bed.label


async def _soundtrack_aac(
    clips: list[VoiceClip],
    bed: BedAudio | None,
    seconds: float,
    audio_dir: Path,
    *,
    draft: bool,
) -> Soundtrack:
    """The soundtrack rendered, measured and encoded to AAC (while the picture encodes). The
    AAC is measured as the platforms measure the upload: where the encoder's overshoot put its
    true peak over AAC_CEILING_DBTP (the limiter holds the WAV at -1.8 dBFS, but AAC can ring
    higher on a sharp transient), the soundtrack is rendered again with the limiter's ceiling
    lowered by that much: the peaks come down, the loudness stays (lowering the whole mix
    instead cost as much loudness as the overshoot: -15.1 LUFS for an ad aimed at -14)."""
    limit = LIMIT_DBFS
    for _ in range(3):
        soundtrack = await render_soundtrack(
            clips, bed, seconds, audio_dir / SOUNDTRACK, limit_dbfs=limit
        )
        with atomic_output(audio_dir / SOUNDTRACK_AAC) as tmp:
            args = [
                "-i", str(soundtrack.path),
                "-c:a", "aac", "-b:a", AUDIO_BITRATE,
                *(("-aac_coder", DRAFT_AAC_CODER) if draft else ()),
                "-f", "mp4", "-y", str(tmp),
            ]  # fmt: skip
            await run_ffmpeg(args, progress=None, duration=None)
        _, peak = await measure_output(audio_dir / SOUNDTRACK_AAC)
        if peak is None or peak <= AAC_CEILING_DBTP:
            break
        limit -= peak - AAC_CEILING_DBTP + AAC_MARGIN_DB
    return soundtrack


async def composite(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """compositing stage: work_dir/ad.mp4, replaced atomically when the encode has finished.

    The soundtrack (one core, ~1 s) is made while the picture encodes (x264 on the rest); the
    two are then muxed without re-encoding, with the index moved to the front."""
    video_out = needs(completed.video, "compositing", StageName.VIDEO_GEN)
    voice_out = needs(completed.voice, "compositing", StageName.VOICE_GEN)
    plan = load_plan(spec, video_out)
    voices = sorted(voice_out.scenes, key=lambda v: v.index)
    if [v.index for v in voices] != [s.index for s in plan.scenes]:
        raise StageError("the voiceovers do not match the scenes of the render plan")
    for voice in voices:
        if not (spec.work_dir / voice.path).is_file():
            raise StageError(f"the voiceover {voice.path} is missing; run voice_gen again")
    clips = [
        VoiceClip(spec.work_dir / v.path, scene.start_frame / plan.fps + v.offset_seconds)
        for v, scene in zip(voices, plan.scenes, strict=True)
    ]
    bed, music = bed_audio(spec, video_out, plan.duration_seconds)
    reuse = spec.reuse
    earlier = reuse.files / OUTPUT_NAME if reuse is not None else None
    splice = video_out.source_until_frame
    if splice is not None and (earlier is None or not earlier.is_file()):
        raise StageError("the variant's source ad is missing; run video_gen again")
    await progress(0)
    audio_dir = spec.work_dir / AUDIO_DIR
    audio_dir.mkdir(parents=True, exist_ok=True)
    picture = audio_dir.parent / VIDEO_DIR / PICTURE
    if reuse is not None and reuse.picture and earlier is not None and earlier.is_file():
        # A variant that changes only the music: its picture is the source's, frame for frame.
        soundtrack = await _soundtrack_aac(
            clips, bed, plan.duration_seconds, audio_dir, draft=spec.is_draft
        )
        try:
            await _mux(earlier, audio_dir / SOUNDTRACK_AAC, plan.duration_seconds, spec)
        finally:
            remove_temp_files(spec.work_dir)
            remove_temp_files(audio_dir)
        checked = await _preflight(spec, plan, completed, progress)
        await progress(100)
        return _result(plan, music, soundtrack, checked, remixed=True)
    sound = asyncio.ensure_future(
        _soundtrack_aac(clips, bed, plan.duration_seconds, audio_dir, draft=spec.is_draft)
    )
    try:
        # The caption faces (links into the fonts package), made again here: a job resumed on
        # another machine brings the video stage's files, not links into this one's packages.
        fonts = fonts_dir(spec.work_dir / VIDEO_DIR, brand.faces(spec))
        graph, video = build_graph(plan, spec.work_dir, fonts)

        async def encoding(value: int) -> None:
            await progress(value * 95 // 100)

        with atomic_output(picture) as tmp:
            args = [
                # One filter thread: the graph is a chain that does not parallelise, and more
                # threads only hold more frames (~20 MB); x264 uses the cores.
                "-filter_complex_threads", "1",
                *graph.args(),
                "-filter_complex", graph.script(),
            ]  # fmt: skip
            if splice is None:
                args += encode_args(plan, video, tmp)
                await run_ffmpeg(args, progress=encoding, duration=plan.duration_seconds)
            else:
                assert earlier is not None
                await _splice(earlier, plan, args, video, splice, tmp, encoding)
        soundtrack = await sound
        await _mux(picture, audio_dir / SOUNDTRACK_AAC, plan.duration_seconds, spec)
    except BaseException:
        sound.cancel()
        await asyncio.gather(sound, return_exceptions=True)
        raise
    finally:
        remove_temp_files(spec.work_dir)
        remove_temp_files(audio_dir)
        remove_temp_files(picture.parent)
    picture.unlink(missing_ok=True)
    spliced = round(splice / plan.fps, 4) if splice is not None else None
    checked = await _preflight(spec, plan, completed, progress)
    return _result(plan, music, soundtrack, checked, spliced=spliced)


async def _preflight(
    spec: JobSpec, plan: RenderPlan, completed: Completed, progress: ProgressFn
) -> Preflight:
    """The finished ad measured against its placements (the script gives its words). Its
    steps report no progress of their own: a report before it, and a beat after each step
    (pipeline.shared.heartbeat), tell the watchdog it is not stuck."""
    script = needs(completed.script, "compositing", StageName.SCRIPT_GEN).script
    await progress(97)
    return await run_preflight(spec, plan, script, spec.work_dir / OUTPUT_NAME)


async def _splice(
    source_ad: Path,
    plan: RenderPlan,
    graph_args: list[str],
    video: str,
    frame: int,
    out: Path,
    progress: ProgressFn,
) -> None:
    """The source's picture up to the end card (stream-copied: not decoded, not encoded), then
    this job's end card, encoded from its IDR frame on."""
    folder = out.parent
    tail, head, listing = (temp_path_for(folder / n) for n in ("tail.mp4", "head.mp4", "list"))
    cut = frame / plan.fps
    try:
        # The end card, encoded from its IDR frame on (the frames before it are filtered only).
        args = [*graph_args, *encode_args(plan, video, tail, frame)]
        await run_ffmpeg(args, progress=progress, duration=(plan.total_frames - frame) / plan.fps)
        # The source's picture before it, stream-copied. Its GOPs are closed at the end card's
        # IDR frame; packets are dropped by presentation time (a cut by duration would keep the
        # IDR, which is decoded before the last frames shown ahead of it).
        head_args = [
            "-i", str(source_ad), "-map", "0:v:0", "-c", "copy",
            "-bsf:v", f"noise=drop=gte(pts*tb\\,{cut - 0.25 / plan.fps:.6f})",
            "-f", "mp4", "-y", str(head),
        ]  # fmt: skip
        await run_ffmpeg(head_args, progress=None, duration=None)
        await asyncio.to_thread(
            listing.write_text, f"file '{head}'\nfile '{tail}'\n", encoding="utf-8"
        )
        join = ["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
                "-f", "mp4", "-y", str(out)]  # fmt: skip
        await run_ffmpeg(join, progress=None, duration=None)
    finally:
        for path in (tail, head, listing):
            path.unlink(missing_ok=True)


async def _mux(picture: Path, soundtrack: Path, seconds: float, spec: JobSpec) -> None:
    """The picture's video stream and the soundtrack, without re-encoding, index in front."""
    with atomic_output(spec.work_dir / OUTPUT_NAME) as tmp:
        args = [
            "-i", str(picture),
            "-i", str(soundtrack),
            "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
            "-movflags", "+faststart",
            "-t", f"{seconds:.4f}",
            "-y", str(tmp),
        ]  # fmt: skip
        await run_ffmpeg(args, progress=None, duration=None)


def _result(
    plan: RenderPlan,
    music: str | None,
    soundtrack: Soundtrack,
    preflight: Preflight,
    *,
    spliced: float | None = None,
    remixed: bool = False,
) -> StageResult:
    output = CompositingOutput(
        path=OUTPUT_NAME,
        duration_seconds=plan.duration_seconds,
        width=plan.width,
        height=plan.height,
        music=music,
        loudness_lufs=round(soundtrack.loudness_lufs, 1),
        spliced_at_seconds=spliced,
        remixed=remixed,
        preflight=preflight,
    )
    return StageResult(output=output, provider=PROVIDER)
