"""Render benchmark: the demo's 30 s PORTRAIT ad (its photo, description and benefits; the
Piper voice and music on), adreel vs the same ad in MoviePy.

    make bench-render   (or: .venv-bench/bin/python -m bench.render [--runs 3]
                         [--baseline-runs 1] [--style luxury] [--languages en es] [--no-job])

`--languages en es` adds a row per language: the same ad written and said in that language (its
default voice: Kokoro in Spanish), to hold a Spanish ad within the English one's time + 20%.
The languages' runs alternate (en, es, en, es…), in fresh processes for the stages rows and in
one worker for the job rows (so it has Piper and Kokoro both loaded: its VmHWM is printed), and
each row reports CPU-seconds beside wall time: on a shared machine the wall time follows the
share of the cores a run gets, the CPU-seconds its own work.
`--baseline-runs 0` and `--no-job` leave MoviePy and the API+worker rows out.

Three rows: the product path (createJob to COMPLETED through the API and a worker: see
bench/service.py), adreel's four stages run directly in one process, and MoviePy.

Each run happens in a fresh child process (`--child`), so its peak memory is its own; the parent
samples the RSS of that process and all its descendants (ffmpeg) every 20 ms with psutil and
reports the peak of their sum. Wall time is measured inside the child around the work itself
(interpreter start-up excluded, for both sides alike; the narrator's model load included).

The baseline renders the same ad from the same assets: adreel's script, voiceovers and stills
(stages 1-3) are produced first on both sides; then MoviePy 2 composes them the way a MoviePy
pipeline would (an ImageClip per shot, its still moved under the frame along the shot's path;
an ImageClip per product layer and the price tag, moved along their paths; an ImageClip per
headline step; a TextClip per caption line; the voiceovers and the style's
music as AudioFileClips, the music at a fixed lower volume) and writes it with write_videofile
(libx264 with the same preset/CRF as adreel, AAC).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.service import SPANISH
from domain.outputs import Completed

FPS = 30
TOTAL = 30.0


def _spec(work_dir: Path, style: str, language: str = "en") -> Any:
    """The demo's brief: its photo, description and benefits; music AUTO."""
    from devserver import sample
    from domain.enums import AspectRatio, Style
    from pipeline.stages import JobSpec

    cta, description, benefits = (
        SPANISH if language == "es" else (sample.CTA, sample.DESCRIPTION, sample.BENEFITS)
    )
    return JobSpec(
        job_id="bench",
        product_name=sample.NAME,
        style=Style(style),
        cta_text=cta,
        aspect_ratio=AspectRatio.PORTRAIT,
        product_image=sample.PHOTO,
        work_dir=work_dir,
        total_seconds=TOTAL,
        fps=FPS,
        description=description,
        benefits=benefits,
        language=language,
    )


async def _stages(spec: Any, names: list[Any]) -> Any:
    from pipeline.spec import no_progress
    from pipeline.stages import OFFLINE_STAGES

    completed = Completed()
    for name in names:
        completed.add(name, (await OFFLINE_STAGES[name](spec, completed, no_progress)).output)
    return completed


def run_adreel(work_dir: Path, style: str, language: str = "en") -> Path:
    from domain.enums import STAGE_ORDER

    asyncio.run(_stages(_spec(work_dir, style, language), list(STAGE_ORDER)))
    return work_dir / "ad.mp4"


def _shot_clip(plan: Any, shot: Any, work_dir: Path) -> Any:
    """One shot: its still moved under the frame along the same path as the crop's."""
    from moviepy import ImageClip

    seconds = shot.frames / plan.fps
    (x0, y0), (x1, y1) = shot.start, shot.end
    last = max(1, shot.frames - 1) / plan.fps

    def position(t: float) -> tuple[float, float]:
        p = min(1.0, t / last)
        return (-(x0 + (x1 - x0) * p), -(y0 + (y1 - y0) * p))

    clip = ImageClip(str(work_dir / shot.image)).with_duration(seconds)
    return clip.with_position(position).with_start(shot.frame / plan.fps)


def _moving(path: Path, layer: Any, start: float) -> Any:
    """A layer (a product cut-out or the price tag) moving from its start to its end at a
    steady pace over its frames, after its delay, then held."""
    from moviepy import ImageClip

    (x0, y0), (x1, y1) = layer.start, layer.end
    last = max(1, layer.frames - 1) / FPS
    delay = layer.delay / FPS

    def position(t: float) -> tuple[float, float]:
        p = min(1.0, max(0.0, (t - delay) / last))
        return (x0 + (x1 - x0) * p, y0 + (y1 - y0) * p)

    return ImageClip(str(path)).with_start(start).with_position(position)


def _layer_clips(plan: Any, work_dir: Path) -> list[Any]:
    """Each shot's product layer over its shot, and the end card's price tag over the end card
    (adreel's transitions and punches are left out: the baseline does less than adreel)."""
    clips = [
        _moving(work_dir / shot.layer.path, shot.layer, shot.frame / FPS).with_duration(
            shot.frames / FPS
        )
        for shot in plan.shots
        if shot.layer is not None
    ]
    if plan.end_card is not None and plan.end_card.tag is not None:
        end = plan.scenes[-1]
        tag = _moving(work_dir / plan.end_card.tag.path, plan.end_card.tag, end.start_frame / FPS)
        clips.append(tag.with_duration(end.frames / FPS))
    return clips


def _headline_clips(plan: Any, work_dir: Path) -> list[Any]:
    """Each scene's headline steps, each shown until the next (the last to the scene's end)."""
    from moviepy import ImageClip

    clips = []
    for scene in (scene for scene in plan.scenes if scene.headline):
        bounds = [*(step.frame for step in scene.headline[1:]), scene.frames]
        for step, stop in zip(scene.headline, bounds, strict=True):
            clip = ImageClip(str(work_dir / step.path)).with_duration((stop - step.frame) / FPS)
            clips.append(
                clip.with_start((scene.start_frame + step.frame) / FPS).with_position(
                    (step.x, step.y)
                )
            )
    return clips


def _caption_clips(plan: Any, work_dir: Path, style: str) -> list[Any]:
    """One TextClip per caption line of the ASS file (white, outlined, where libass puts it).
    Lighter work than adreel's: no word is highlighted."""
    from moviepy import TextClip

    from pipeline.shared.fonts import FONTS, TYPOGRAPHY
    from pipeline.video.layout import layout_for

    layout = layout_for(_spec(work_dir, style).aspect_ratio)
    face = TYPOGRAPHY[_spec(work_dir, style).style].caption
    clips = []
    seen: set[tuple[str, str]] = set()
    for line in (work_dir / plan.captions).read_text().splitlines():
        if not line.startswith("Dialogue:"):
            continue
        fields = line.split(",", 9)
        text = " ".join(re.sub(r"\{[^}]*\}", "", fields[9]).replace("\\N", " ").split())
        if (fields[1], text) in seen:
            continue
        seen.add((fields[1], text))
        start, end = _clock(fields[1]), _clock(fields[2])
        clip = TextClip(
            font=str(FONTS / face.file),
            text=text,
            font_size=layout.caption_size,
            color="white",
            stroke_color="black",
            stroke_width=max(2, layout.caption_size // 14),
        )
        placed = re.search(r"\\pos\((\d+),(\d+)\)", fields[9])
        if placed:  # the end card's name and call-to-action, centred where libass puts them
            x, y = int(placed.group(1)), int(placed.group(2))
            position = (x - clip.w // 2, y - clip.h // 2)
        else:
            centre = layout.captions.x + layout.captions.w // 2
            position = (centre - clip.w // 2, layout.captions.bottom - clip.h)
        clips.append(clip.with_start(start).with_end(end).with_position(position))
    return clips


def _clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _audio(completed: Any, plan: Any, spec: Any) -> Any:
    """The voiceovers where they are said over the style's music, mixed the MoviePy way: the
    bed at a fixed lower volume (no ducking), faded out."""
    from moviepy import AudioFileClip, CompositeAudioClip, afx

    from pipeline.music.tracks import STYLE_FADE_OUT, pick_track

    voices = [
        AudioFileClip(str(spec.work_dir / v.path)).with_start(
            plan.scenes[v.index - 1].start_frame / plan.fps + v.offset_seconds
        )
        for v in completed.voice.scenes
    ]
    track = pick_track(spec.style.value, spec.job_id)
    music = AudioFileClip(str(track.path)).subclipped(
        track.start_seconds, track.start_seconds + TOTAL
    )
    music = music.with_effects(
        [afx.MultiplyVolume(0.25), afx.AudioFadeOut(STYLE_FADE_OUT[spec.style.value])]
    )
    return CompositeAudioClip([music, *voices]).with_duration(TOTAL)


def run_moviepy(work_dir: Path, style: str) -> Path:
    """Same assets as adreel (stages 1-3), composed and encoded by MoviePy 2."""
    from moviepy import CompositeVideoClip

    from domain.enums import STAGE_ORDER
    from pipeline.compositing.compose import AUDIO_BITRATE, X264_CRF, X264_PARAMS, X264_PRESET
    from pipeline.video.plan import RenderPlan

    spec = _spec(work_dir, style)
    completed = asyncio.run(_stages(spec, list(STAGE_ORDER[:3])))
    assert completed.video is not None and completed.voice is not None
    plan = RenderPlan.model_validate_json((work_dir / completed.video.plan).read_bytes())
    shots = [_shot_clip(plan, shot, work_dir) for shot in plan.shots]
    layers = [
        *shots,
        *_layer_clips(plan, work_dir),
        *_headline_clips(plan, work_dir),
        *_caption_clips(plan, work_dir, style),
    ]
    video = CompositeVideoClip(layers, size=(plan.width, plan.height)).with_duration(TOTAL)
    video = video.with_audio(_audio(completed, plan, spec))
    out = work_dir / "moviepy.mp4"
    video.write_videofile(
        str(out),
        temp_audiofile=str(work_dir / "moviepy-audio.m4a"),  # not in the current directory
        fps=FPS,
        codec="libx264",
        audio_codec="aac",
        audio_bitrate=AUDIO_BITRATE,
        preset=X264_PRESET,
        ffmpeg_params=["-crf", X264_CRF, "-x264-params", X264_PARAMS, "-pix_fmt", "yuv420p"],
        logger=None,
    )
    return out


def _cpu_seconds() -> float:
    """This process's CPU time and its finished children's (ffmpeg)."""
    import resource

    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))  # fmt: skip
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(kind: str, style: str, language: str = "en") -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        started, cpu = time.perf_counter(), _cpu_seconds()
        if kind == "adreel":
            out = run_adreel(Path(tmp), style, language)
        else:
            out = run_moviepy(Path(tmp), style)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        print(json.dumps({"seconds": seconds, "cpu_s": cpu, "bytes": out.stat().st_size}),
              flush=True)  # fmt: skip


def measure(kind: str, style: str, language: str = "en") -> dict[str, float]:
    """Run one render in a child process; sample the RSS of its whole process tree."""
    import psutil

    cmd = [sys.executable, "-m", "bench.render", "--child", kind, "--style", style]
    cmd += ["--language", language]
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
        "cpu_s": result["cpu_s"],
        "peak_mb": peak / 2**20,
        "mb_out": result["bytes"] / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--style", default="luxury")
    parser.add_argument("--child", choices=("adreel", "moviepy"))
    parser.add_argument("--language", default="en", help="the child's (--child adreel)")
    parser.add_argument("--languages", nargs="+", default=["en"], choices=("en", "es"))
    parser.add_argument("--no-job", action="store_true", help="leave the API+worker row out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.style, args.language)
        return
    rows: dict[str, dict[str, Any]] = {}
    languages = tuple(args.languages)
    job_label = "job (createJob→COMPLETED, API+worker)"
    if not args.no_job:
        print(f"  job via API + worker: {args.runs} runs…", file=sys.stderr)
        from bench.service import measure_service

        for language, service in measure_service(args.runs, args.style, languages).items():
            print(f"  job via API + worker, {language}: {service['all_s']} s", file=sys.stderr)
            label = job_label + ("" if language == "en" else f", {language}")
            rows[label] = {**service, "size_mb": float("nan")}
    results: dict[str, list[dict[str, float]]] = {language: [] for language in languages}
    for n in range(args.runs):  # alternating, so the machine's load falls on both alike
        for language in languages:
            results[language].append(measure("adreel", args.style, language))
            print(f"  adreel {language} run {n + 1}/{args.runs}: "
                  f"{results[language][-1]['seconds']:.2f} s, "
                  f"{results[language][-1]['cpu_s']:.2f} CPU-s", file=sys.stderr)  # fmt: skip
    for language, runs in results.items():
        label = "adreel stages (one process)" + ("" if language == "en" else f", {language}")
        rows[label] = _row(runs)
    if args.baseline_runs:
        runs = [measure("moviepy", args.style) for _ in range(args.baseline_runs)]
        rows["MoviePy 2 (baseline)"] = _row(runs)
    job = rows.get(job_label)
    baseline = rows.get("MoviePy 2 (baseline)")
    print(f"\n30 s PORTRAIT 1080x1920 offline ad, style {args.style}, {os.cpu_count()} cores")
    print(f"{'':<44} {'runs':>4} {'median wall s':>14} {'median CPU s':>13} "
          f"{'peak RSS MB':>12} {'file MB':>8}")  # fmt: skip
    for label, row in rows.items():
        print(
            f"{label:<44} {row['runs']:>4} {row['median_s']:>14.2f} {row['cpu_s']:>13.2f} "
            f"{row['peak_mb']:>12.0f} {row['size_mb']:>8.1f}"
        )
    if job and baseline:
        ratio = baseline["median_s"] / job["median_s"]
        print(f"ratio: the job is {ratio:.1f}x faster than MoviePy")
    for label in ("adreel stages (one process)", job_label):
        english, spanish = rows.get(label), rows.get(f"{label}, es")
        if english and spanish:
            print(f"Spanish (Kokoro) / English (Piper), {label}: wall "
                  f"{spanish['median_s'] / english['median_s']:.2f}, CPU "
                  f"{spanish['cpu_s'] / english['cpu_s']:.2f} (target <= 1.20)")  # fmt: skip
    if job and "worker_hwm_mb" in job:
        loaded = "Piper and Kokoro loaded" if "es" in languages else "Piper loaded"
        print(f"worker process peak RSS (VmHWM, {loaded}): {job['worker_hwm_mb']:.0f} MB "
              "(target <= 700)")  # fmt: skip
    print("targets: job <= 8 s median, worker peak RSS <= 600 MB, >= 5x faster than MoviePy")
    print("(peak RSS: the worker's process tree for the job rows; the render's tree otherwise)")


def _row(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "median_s": statistics.median(r["seconds"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "size_mb": runs[-1]["mb_out"],
        "runs": len(runs),
    }


if __name__ == "__main__":
    main()
