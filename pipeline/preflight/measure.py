"""The delivered file, measured as a platform's ingest measures it: its container and streams
(ffmpeg's reading of the file's header, stream-copied to null so nothing is decoded), then its
loudness and true peak (ebur128 over the decoded audio, as soundtrack.measure_output does).

There is no ffprobe in the imageio-ffmpeg wheel; ffmpeg prints the same facts on stderr, in a
format stable since ffmpeg 1.0 (`Duration: ..., bitrate: N kb/s`, `Stream #0:0...: Video: h264
(High) ..., yuv420p(...), 1080x1920 [...], N kb/s, 30 fps`), and the tests read a real file.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.compositing.soundtrack import measure_output
from pipeline.shared.child import run_child
from pipeline.shared.ffmpeg import FfmpegError, ffmpeg_exe
from pipeline.shared.heartbeat import beat

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_BITRATE = re.compile(r"Duration: .*?bitrate: (\d+) kb/s")
_STREAM = re.compile(r"Stream #0:\d+\S*: (Video|Audio): (\w+)(.*)")
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})\b")
_FPS = re.compile(r", (\d+(?:\.\d+)?)(k?) fps")
_PIX_FMT = re.compile(r"\), (\w+)[(,]")
_HEADER_LINES = 400


@dataclass(frozen=True)
class FileFacts:
    """What the file is; None for what it does not have (no audio: no loudness)."""

    path: Path
    size_bytes: int
    duration_seconds: float
    bitrate_kbps: int  # the whole file's, as its container states it
    video_codec: str | None
    width: int
    height: int
    fps: float
    pix_fmt: str | None
    audio_codec: str | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None  # None: silent, or no audio


@dataclass
class Header:
    duration: float | None = None
    bitrate_kbps: int | None = None
    video_codec: str | None = None
    width: int = 0
    height: int = 0
    fps: float = 0.0
    pix_fmt: str | None = None
    audio_codec: str | None = None


def read_header(lines: list[str]) -> Header:
    """The first video and audio streams and the container's duration and bitrate, from what
    ffmpeg prints about its input."""
    header = Header()
    for line in lines:
        if "Duration:" in line and header.duration is None:
            found = _DURATION.search(line)
            if found:
                h, m, s = found.groups()
                header.duration = int(h) * 3600 + int(m) * 60 + float(s)
            rate = _BITRATE.search(line)
            if rate:
                header.bitrate_kbps = int(rate.group(1))
        stream = _STREAM.search(line)
        if stream is None:
            continue
        kind, codec, rest = stream.groups()
        if kind == "Video" and header.video_codec is None:
            header.video_codec = codec
            size = _SIZE.search(rest)
            if size:
                header.width, header.height = int(size.group(1)), int(size.group(2))
            fps = _FPS.search(rest)
            if fps:
                header.fps = float(fps.group(1)) * (1000 if fps.group(2) else 1)
            pix = _PIX_FMT.search(rest)
            header.pix_fmt = pix.group(1) if pix else None
        elif kind == "Audio" and header.audio_codec is None:
            header.audio_codec = codec
    return header


async def measure_file(path: Path) -> FileFacts:
    """Container and stream facts, then loudness and true peak when there is audio."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
    cmd += ["-i", str(path), "-map", "0", "-c", "copy", "-f", "null", "-"]
    result = await run_child(cmd, keep_stdout=1, keep_stderr=_HEADER_LINES)
    beat()
    header = read_header(result.stderr_tail)
    if result.returncode != 0 or header.duration is None or header.duration <= 0:
        raise FfmpegError(f"{path.name} could not be read as a video", result.stderr_tail[-5:])
    lufs: float | None = None
    peak: float | None = None
    if header.audio_codec is not None:
        lufs, peak = await measure_output(path)
        beat()
    size = (await asyncio.to_thread(path.stat)).st_size
    return FileFacts(
        path=path,
        size_bytes=size,
        duration_seconds=header.duration,
        bitrate_kbps=header.bitrate_kbps or round(size * 8 / header.duration / 1000),
        video_codec=header.video_codec,
        width=header.width,
        height=header.height,
        fps=header.fps,
        pix_fmt=header.pix_fmt,
        audio_codec=header.audio_codec,
        loudness_lufs=lufs,
        true_peak_dbtp=peak,
    )
