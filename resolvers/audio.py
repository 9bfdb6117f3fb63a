"""A music track someone uploads: decoded in full by ffmpeg before it is trusted.

The filename and content type are never used: ffmpeg names the container it found, which must
be WAV, MP3, Ogg, FLAC or M4A (MP4 audio), the file must hold an audio stream, last at most
MAX_MUSIC_SECONDS, and decode from start to end without an error (`-xerror`), so a truncated or
corrupt file is refused here, with the field named, and never fails a job later. ffmpeg is
imported on the first upload, not at start-up (like Pillow for images). A track that passes has
its beats found from the same scratch file (resolvers.beats), for the ad's cuts.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from resolvers.beats import track_beats
from resolvers.errors import INVALID_AUDIO, TOO_LARGE, FieldError

# ffmpeg's demuxer names -> the extension we store under.
FORMATS = {
    "wav": "wav",
    "mp3": "mp3",
    "ogg": "ogg",
    "flac": "flac",
    "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
}
DECODE_TIMEOUT = 60.0
_INPUT = re.compile(r"^Input #0, ([\w,]+), from", re.MULTILINE)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO = re.compile(r"Stream #0:\d+[^:]*: Audio: (\w+)")


@dataclass(frozen=True, slots=True)
class CheckedAudio:
    data: bytes
    extension: str
    seconds: float
    codec: str
    beats: tuple[float, ...] | None  # seconds from the start; None: not found (resolvers.beats)


def _format_name(container: str) -> str:
    """ffmpeg's demuxer name as a person would say it: "png_pipe" -> "png"."""
    return container.split(",")[0].removesuffix("_pipe")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min".replace(".0 min", " min")


def _seconds(match: re.Match[str]) -> float:
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


async def _decode(path: Path, max_seconds: float) -> tuple[int, str]:
    """Decode every audio sample (to nowhere); (exit code, what ffmpeg said)."""
    import imageio_ffmpeg

    process = await asyncio.create_subprocess_exec(
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner", "-nostdin", "-xerror",
        "-i", str(path),
        "-map", "0:a:0", "-t", f"{max_seconds + 1:.0f}",
        "-f", "null", "-",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(DECODE_TIMEOUT):
            _, stderr = await process.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    return process.returncode or 0, stderr.decode("utf-8", "replace")


async def check_audio(
    data: bytes, max_seconds: float, field: tuple[str, ...]
) -> CheckedAudio | FieldError:
    with tempfile.TemporaryDirectory(prefix="adreel-audio-") as scratch:
        path = Path(scratch) / "upload"
        path.write_bytes(data)
        try:
            code, said = await _decode(path, max_seconds)
        except TimeoutError:
            return FieldError(INVALID_AUDIO, "music track took too long to decode", field)
        found = _judge(code, said, max_seconds, field)
        if isinstance(found, FieldError):
            return found
        extension, seconds, codec = found
        beats = await track_beats(path)
    return CheckedAudio(data=data, extension=extension, seconds=seconds, codec=codec, beats=beats)


def _judge(
    code: int, said: str, max_seconds: float, field: tuple[str, ...]
) -> tuple[str, float, str] | FieldError:
    """What ffmpeg's decode says of the track: (extension, seconds, codec), or why it is
    refused."""
    found = _INPUT.search(said)
    container = found.group(1) if found else None
    if container is None:
        return FieldError(
            INVALID_AUDIO,
            "music track is not a readable WAV, MP3, Ogg, FLAC or M4A audio file",
            field,
        )
    if container not in FORMATS:
        return FieldError(
            INVALID_AUDIO,
            f"music track must be WAV, MP3, Ogg, FLAC or M4A (got {_format_name(container)})",
            field,
        )
    audio = _AUDIO.search(said)
    if audio is None:
        return FieldError(INVALID_AUDIO, "music track has no audio in it", field)
    duration = _DURATION.search(said)
    seconds = _seconds(duration) if duration else 0.0
    if seconds > max_seconds:
        return FieldError(
            TOO_LARGE,
            f"music track is {_duration(seconds)} long; at most {_duration(max_seconds)}",
            field,
        )
    if code != 0:
        return FieldError(INVALID_AUDIO, "music track is corrupt or truncated", field)
    if seconds < 1.0:
        return FieldError(INVALID_AUDIO, "music track is shorter than a second", field)
    return FORMATS[container], seconds, audio.group(1)
