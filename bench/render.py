"""Render benchmark: one offline 30 s PORTRAIT ad, adreel vs the same ad in MoviePy.

    make bench-render   (or: .venv-bench/bin/python -m bench.render [--runs 3]
                         [--baseline-runs 1] [--style bold])

Three rows: the product path (createJob to COMPLETED through the API and a worker: see
bench/service.py), adreel's four stages run directly in one process, and MoviePy.

Each run happens in a fresh child process (`--child`), so its peak memory is its own; the parent
samples the RSS of that process and all its descendants (ffmpeg, espeak) every 20 ms with psutil
and reports the peak of their sum. Wall time is measured inside the child around the work itself
(interpreter start-up excluded, for both sides alike).

The baseline renders the same scenes from the same assets: adreel's script, voiceovers and layers
(video_gen) are produced first on both sides; then MoviePy 2 composes them the way a MoviePy
pipeline would (ImageClips with the same zoom/pan/push motion functions, headline and caption
ImageClips, crossfades, the voiceovers as AudioFileClips) and writes it with write_videofile
(libx264 with the same preset/CRF as adreel, AAC).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from domain.outputs import Completed

FPS = 30
TOTAL = 30.0


def _spec(work_dir: Path, style: str) -> Any:
    from domain.enums import AspectRatio, Style
    from pipeline.stages import JobSpec

    return JobSpec(
        job_id="bench",
        product_name="Aurora Smart Bottle",
        style=Style(style),
        cta_text="Shop now at aurora.com",
        aspect_ratio=AspectRatio.PORTRAIT,
        product_image=None,
        work_dir=work_dir,
        total_seconds=TOTAL,
        fps=FPS,
    )


async def _stages(spec: Any, names: list[Any]) -> Any:
    from pipeline.spec import no_progress
    from pipeline.stages import OFFLINE_STAGES

    completed = Completed()
    for name in names:
        completed.add(name, (await OFFLINE_STAGES[name](spec, completed, no_progress)).output)
    return completed


def run_adreel(work_dir: Path, style: str) -> Path:
    from domain.enums import STAGE_ORDER

    asyncio.run(_stages(_spec(work_dir, style), list(STAGE_ORDER)))
    return work_dir / "ad.mp4"


def _ease(p: float) -> float:
    p = min(1.0, max(0.0, p))
    return p * p * (3 - 2 * p)


def _product_clip(scene: Any, work_dir: Path, plan: Any) -> Any:
    """The product layer with the same motion functions as pipeline.compositing.filtergraph."""
    from moviepy import ImageClip

    from pipeline.compositing import filtergraph as fg

    side = scene.product_side
    seconds = scene.frames / FPS
    x0, y0 = scene.product.x, scene.product.y
    clip = ImageClip(str(work_dir / scene.product.path)).with_duration(seconds)
    motion = scene.motion
    if motion in ("zoom_in", "zoom_out"):
        start, end = (fg.ZOOM_FROM, 1.0) if motion == "zoom_in" else (1.0, fg.ZOOM_FROM)

        def zoom(t: float) -> float:
            return start + (end - start) * _ease(t / seconds)

        def centred(t: float) -> tuple[float, float]:
            size = side * zoom(t)
            return (x0 + (side - size) / 2, y0 + (side - size) / 2)

        return clip.resized(zoom).with_position(centred)
    if motion in ("pan_left", "pan_right"):
        size = side * fg.PAN_SCALE
        travel = plan.width * fg.PAN_TRAVEL * (1 if motion == "pan_right" else -1)
        base = (x0 + (side - size) / 2, y0 + (side - size) / 2)
        return clip.resized(fg.PAN_SCALE).with_position(
            lambda t: (base[0] + travel * (2 * _ease(t / seconds) - 1), base[1])
        )
    if motion == "push_up":
        size = side * fg.PUSH_SCALE
        travel = plan.height * fg.PUSH_TRAVEL
        base = (x0 + (side - size) / 2, y0 + (side - size) / 2)

        def rise(t: float) -> tuple[float, float]:
            p = min(1.0, max(0.0, t / seconds))
            return (base[0], base[1] + travel * (1 - p) ** 3)

        return clip.resized(fg.PUSH_SCALE).with_position(rise)
    return clip.with_position((x0, y0))


def run_moviepy(work_dir: Path, style: str) -> Path:
    """Same assets as adreel (stages 1-3), composed and encoded by MoviePy 2."""
    from moviepy import (
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        ImageClip,
        vfx,
    )

    from domain.enums import STAGE_ORDER
    from pipeline.compositing.compose import X264_CRF, X264_PARAMS, X264_PRESET
    from pipeline.video.plan import RenderPlan

    completed = asyncio.run(_stages(_spec(work_dir, style), list(STAGE_ORDER[:3])))
    assert completed.video is not None and completed.voice is not None
    plan = RenderPlan.model_validate_json((work_dir / completed.video.plan).read_bytes())
    voices = {v.index: v for v in completed.voice.scenes}
    scenes = []
    previous_overlap = 0.0
    for scene in plan.scenes:
        seconds = scene.frames / FPS
        layers = [ImageClip(str(work_dir / scene.background)).with_duration(seconds)]
        if scene.product is not None:
            layers.append(_product_clip(scene, work_dir, plan))
        if scene.headline is not None:
            headline = ImageClip(str(work_dir / scene.headline.path)).with_duration(seconds)
            layers.append(
                headline.with_position((scene.headline.x, scene.headline.y)).with_effects(
                    [vfx.CrossFadeIn(0.4)]
                )
            )
        voice = voices[scene.index]
        spoken = voice.duration_seconds
        for caption in (c for c in plan.captions if c.scene_index == scene.index):
            begin = voice.offset_seconds + caption.start_fraction * spoken
            end = voice.offset_seconds + caption.end_fraction * spoken
            layers.append(
                ImageClip(str(work_dir / caption.image.path))
                .with_start(begin)
                .with_end(end)
                .with_position((caption.image.x, caption.image.y))
            )
        clip = CompositeVideoClip(layers, size=(plan.width, plan.height)).with_duration(seconds)
        clip = clip.with_start(scene.start_frame / FPS)
        if previous_overlap:
            clip = clip.with_effects([vfx.CrossFadeIn(previous_overlap)])
        scenes.append(clip)
        previous_overlap = scene.transition_frames / FPS
    audio = CompositeAudioClip(
        [
            AudioFileClip(str(work_dir / v.path)).with_start(
                plan.scenes[i - 1].start_frame / FPS + v.offset_seconds
            )
            for i, v in voices.items()
        ]
    )
    video = CompositeVideoClip(scenes, size=(plan.width, plan.height)).with_duration(TOTAL)
    video = video.with_audio(audio.with_duration(TOTAL))
    out = work_dir / "moviepy.mp4"
    video.write_videofile(
        str(out),
        temp_audiofile=str(work_dir / "moviepy-audio.m4a"),  # not in the current directory
        fps=FPS,
        codec="libx264",
        audio_codec="aac",
        preset=X264_PRESET,
        ffmpeg_params=["-crf", X264_CRF, "-x264-params", X264_PARAMS, "-pix_fmt", "yuv420p"],
        logger=None,
    )
    return out


def child(kind: str, style: str) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        started = time.perf_counter()
        out = (run_adreel if kind == "adreel" else run_moviepy)(Path(tmp), style)
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "bytes": out.stat().st_size}), flush=True)


def measure(kind: str, style: str) -> dict[str, float]:
    """Run one render in a child process; sample the RSS of its whole process tree."""
    import psutil

    cmd = [sys.executable, "-m", "bench.render", "--child", kind, "--style", style]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        total = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} render failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "seconds": result["seconds"],
        "peak_mb": peak / 2**20,
        "mb_out": result["bytes"] / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--style", default="bold")
    parser.add_argument("--child", choices=("adreel", "moviepy"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.style)
        return
    print(f"  job via API + worker: {args.runs} runs…", file=sys.stderr)
    from bench.service import measure_service

    service = measure_service(args.runs, args.style)
    print(f"  job via API + worker: {service['all_s']} s", file=sys.stderr)
    rows: dict[str, dict[str, Any]] = {
        "job (createJob→COMPLETED, API+worker)": {**service, "size_mb": float("nan")}
    }
    for kind, runs in (("adreel", args.runs), ("moviepy", args.baseline_runs)):
        results = []
        for n in range(runs):
            results.append(measure(kind, args.style))
            print(f"  {kind} run {n + 1}/{runs}: {results[-1]['seconds']:.2f} s", file=sys.stderr)
        label = "adreel stages (one process)" if kind == "adreel" else "MoviePy 2 (baseline)"
        rows[label] = {
            "median_s": statistics.median(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results),
            "size_mb": results[-1]["mb_out"],
            "runs": runs,
        }
    job = rows["job (createJob→COMPLETED, API+worker)"]
    baseline = rows["MoviePy 2 (baseline)"]
    print(f"\n30 s PORTRAIT 1080x1920 offline ad, style {args.style}, {os.cpu_count()} cores")
    print(f"{'':<40} {'runs':>4} {'median wall s':>14} {'peak RSS MB':>12} {'file MB':>8}")
    for label, row in rows.items():
        print(
            f"{label:<40} {row['runs']:>4} {row['median_s']:>14.2f} "
            f"{row['peak_mb']:>12.0f} {row['size_mb']:>8.1f}"
        )
    print(f"ratio: the job is {baseline['median_s'] / job['median_s']:.1f}x faster than MoviePy")
    print("targets: job <= 8 s median, worker peak RSS <= 500 MB, >= 5x faster than MoviePy")
    print("(peak RSS: the worker's process tree for the job row; the render's tree otherwise)")


if __name__ == "__main__":
    main()
