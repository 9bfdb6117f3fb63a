"""Where libass really draws the captions file's text: each style's events (Caption, Name, CTA)
drawn alone over black by the same libass and faces compositing burnt them in with, four frames
a second, and ffmpeg's `bbox` filter reporting where the ink lands on each frame.

The union over the frames is the box a viewer sees that kind of text in, padded by the style's
outline and shadow (drawn in black, which `bbox` cannot see on black). A 30 s portrait ad's
three passes cost about half a CPU-second: libass draws, nothing is encoded.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from pipeline.compositing.filtergraph import ass_filter
from pipeline.shared.child import run_child
from pipeline.shared.ffmpeg import FfmpegError, ffmpeg_exe
from pipeline.shared.files import temp_path_for
from pipeline.video.layout import Box

SAMPLES_PER_SECOND = 4  # a caption shows for 0.3 s at least (a phrase, lit word by word)
_BBOX = re.compile(r"x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+)")
_STYLE = re.compile(r"^Style:\s*([^,]+),(.*)$")
# Fields of a V4+ Style after its name: Fontname, Fontsize, ..., Outline (15), Shadow (16).
_OUTLINE, _SHADOW = 15, 16


def split_events(ass: str) -> tuple[list[str], dict[str, list[str]], dict[str, int]]:
    """The document without its events, each style's Dialogue lines, and each style's padding
    (outline plus shadow, pixels)."""
    header: list[str] = []
    events: dict[str, list[str]] = {}
    pads: dict[str, int] = {}
    for line in ass.splitlines():
        if line.startswith("Dialogue:"):
            fields = line.split(",", 9)
            if len(fields) == 10:
                events.setdefault(fields[3].strip(), []).append(line)
            continue
        header.append(line)
        style = _STYLE.match(line)
        if style:
            fields = style.group(2).split(",")
            if len(fields) > _SHADOW:
                pads[style.group(1).strip()] = round(
                    float(fields[_OUTLINE]) + float(fields[_SHADOW])
                )
    return header, events, pads


def union(found: list[tuple[int, int, int, int]]) -> Box | None:
    """(x1, x2, y1, y2) inclusive corners, as bbox logs them, as one box."""
    if not found:
        return None
    left = min(f[0] for f in found)
    right = max(f[1] for f in found) + 1
    top = min(f[2] for f in found)
    bottom = max(f[3] for f in found) + 1
    return Box(left, top, right - left, bottom - top)


def _padded(box: Box, pad: int, width: int, height: int) -> Box:
    left, top = max(0, box.x - pad), max(0, box.y - pad)
    right, bottom = min(width, box.right + pad), min(height, box.bottom + pad)
    return Box(left, top, right - left, bottom - top)


async def drawn_box(
    document: str, fonts: Path, scratch: Path, frame: tuple[int, int], seconds: float
) -> Box | None:
    """Where libass draws `document` (an ASS file's text) on a frame of this size, over
    `seconds`; None when it draws nothing. It writes a temporary file beside `scratch`."""
    width, height = frame
    samples = max(1, round(seconds * SAMPLES_PER_SECOND))
    source = f"color=black:s={width}x{height}:r={SAMPLES_PER_SECOND}:d={seconds:.3f}"
    tmp = temp_path_for(scratch)  # a crash leaves it to remove_temp_files
    try:
        await asyncio.to_thread(tmp.write_text, document, encoding="utf-8")
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
        cmd += ["-f", "lavfi", "-i", source]
        cmd += ["-vf", f"format=gray,{ass_filter(tmp, fonts)},bbox", "-f", "null", "-"]
        result = await run_child(cmd, keep_stdout=1, keep_stderr=samples + 200)
    finally:
        tmp.unlink(missing_ok=True)
    if result.returncode != 0:
        raise FfmpegError("drawing the captions to find their ink failed", result.stderr_tail)
    found = [
        (int(m[1]), int(m[2]), int(m[3]), int(m[4]))
        for line in result.stderr_tail
        if (m := _BBOX.search(line)) is not None
    ]
    return union(found)


async def ink_by_style(
    ass: str, fonts: Path, scratch: Path, frame: tuple[int, int], seconds: float
) -> dict[str, Box]:
    """Each style's text as drawn, with its outline and shadow."""
    header, events, pads = split_events(ass)
    boxes: dict[str, Box] = {}
    for style, lines in events.items():
        document = "\n".join([*header, *lines, ""])
        box = await drawn_box(document, fonts, scratch, frame, seconds)
        if box is not None:
            boxes[style] = _padded(box, pads.get(style, 0), *frame)
    return boxes
