"""Inspecting what the pipeline leaves behind, as a viewer or an operator would notice it:
the MP4 probed with PyAV (there is no ffprobe here), temporary files, and child processes."""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageChops, ImageStat

from pipeline.shared.files import TEMP_PREFIX


@dataclass
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    pix_fmt: str
    audio_codec: str
    audio_rms: float  # 0..1
    frames: dict[float, Image.Image]


def probe(path: Path, sample_times: tuple[float, ...] = ()) -> Probe:
    """Container facts, the audio's RMS level and the frames shown at `sample_times`."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        duration = float(container.duration or 0) / av.time_base
        facts = (video.width, video.height, video.codec_context.name, video.format.name)
        audio_codec = audio.codec_context.name
        frames: dict[float, Image.Image] = {}
        wanted = sorted(sample_times)
        for frame in container.decode(video=0):
            if not wanted:
                break
            if frame.time is not None and frame.time >= wanted[0]:
                frames[wanted.pop(0)] = frame.to_image()  # type: ignore[no-untyped-call]
    with av.open(str(path)) as container:
        chunks = [
            audio_frame.to_ndarray().astype(np.float64).ravel()
            for audio_frame in container.decode(audio=0)
        ]
    pcm = np.concatenate(chunks) if chunks else np.zeros(1)
    rms = float(np.sqrt(np.mean(pcm**2)))
    return Probe(duration, *facts, audio_codec, rms, frames)


def scene_cuts(path: Path, threshold: float = 0.10) -> list[float]:
    """When the picture cuts: the times of the frames whose scene-change score (ffmpeg's
    `select` scene detection, from the decoded video) is above `threshold`. Several checks ask
    it of one file: it is decoded once (the file's size and time are in the key)."""
    stat = path.stat()
    return list(_scene_cuts(str(path), stat.st_size, stat.st_mtime_ns, threshold))


@functools.cache
def _scene_cuts(path: str, _size: int, _mtime_ns: int, threshold: float) -> tuple[float, ...]:
    log = _filter_log(path, "v", f"select='gt(scene,{threshold})',showinfo")
    return tuple(float(t) for t in re.findall(r"pts_time:([0-9.]+)", log))


def silences(path: Path, noise_db: float, min_seconds: float) -> list[tuple[float, float]]:
    """(start, end) of every run quieter than `noise_db` for at least `min_seconds`, by ffmpeg's
    silencedetect on the file's audio."""
    log = _filter_log(str(path), "a", f"silencedetect=n={noise_db}dB:d={min_seconds}")
    starts = [float(v) for v in re.findall(r"silence_start: (-?[\d.]+)", log)]
    ends = [float(v) for v in re.findall(r"silence_end: (-?[\d.]+)", log)]
    ends += [float("inf")] * (len(starts) - len(ends))
    return list(zip(starts, ends, strict=True))


def loudness(path: Path) -> tuple[float, float]:
    """The file's sound as a platform measures it: integrated loudness (LUFS) and true peak
    (dBTP), by ffmpeg's ebur128 on the decoded audio (AAC's own overshoot included)."""
    log = _filter_log(str(path), "a", "ebur128=peak=true:framelog=quiet")
    lufs = re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1]
    peak = re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", log)[-1]
    return float(lufs), float(peak)


def _filter_log(path: str, stream: str, graph: str) -> str:
    """What an ffmpeg filter says (its log) of the file's first video ("v") or audio ("a")
    stream, decoded and run through `graph`."""
    from pipeline.shared.ffmpeg import ffmpeg_exe

    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", path,
            "-map", f"0:{stream}:0", f"-{stream}f", graph, "-f", "null", "-",
        ],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return done.stderr


def decoded_frames(path: Path, fps: float, end: float | None = None) -> list[np.ndarray]:
    """The video's frames `fps` times a second (up to `end` seconds), as RGB arrays."""
    from pipeline.shared.ffmpeg import ffmpeg_exe

    with av.open(str(path)) as container:
        width, height = container.streams.video[0].width, container.streams.video[0].height
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path),
            *(["-t", f"{end:.3f}"] if end is not None else []),
            "-vf", f"fps={fps}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return list(np.frombuffer(done.stdout, np.uint8).reshape(-1, height, width, 3))


def frame_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255."""
    stat = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
    return sum(stat.mean) / 3


def temp_files(directory: Path) -> list[Path]:
    """Temporary outputs (written, then renamed into place) left in `directory`."""
    return [p for p in directory.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def _processes() -> list[tuple[int, dict[str, str], str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        found.append((int(entry.name), fields, cmdline))
    return found


def child_processes(name: str) -> list[tuple[int, str]]:
    """Children of this process whose command mentions `name`, with their state (Z = zombie)."""
    me = str(os.getpid())
    return [
        (pid, fields.get("State", "?").strip()[:1])
        for pid, fields, cmdline in _processes()
        if fields.get("PPid", "").strip() == me
        and (name in cmdline or name in fields.get("Name", ""))
    ]


def processes_working_in(directory: Path) -> list[int]:
    """Live processes (any parent) whose command line mentions `directory`."""
    return [
        pid
        for pid, fields, cmdline in _processes()
        if str(directory) in cmdline and not fields.get("State", "").startswith("Z")
    ]


def cmdline(pid: int) -> str:
    """A process's command line, or "" once it is gone."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
