"""Where libass really draws the captions file's text, kind by kind (the Caption, Name and CTA
styles), with the faces compositing burnt it in with.

Every distinct text of the file (a caption is one event per word lit, the same words; colour
overrides and fades are left out: they change no ink) is given one frame of its own, and those
frames are drawn over black in one ffmpeg run whose `bbox` filter logs where the ink lands on
each. A 30 s ad has about twenty: a small fraction of a CPU-second, where drawing the whole
timeline would cost seconds. The union per style, padded by the style's outline and shadow
(black: `bbox` cannot see them on black), is the box a viewer sees that kind of text in.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.compositing.filtergraph import ass_filter
from pipeline.shared.child import run_child
from pipeline.shared.ffmpeg import FfmpegError, ffmpeg_exe
from pipeline.shared.files import temp_path_for
from pipeline.shared.heartbeat import beat
from pipeline.video.layout import Box

SLOTS_PER_SECOND = 10  # one text per frame; ASS times are in centiseconds
_BBOX = re.compile(r"\bn:\s*(\d+)\b.*?x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+)")
_STYLE = re.compile(r"^Style:\s*([^,]+),(.*)$")
_NO_INK = re.compile(r"\\(?:\d?c|\d?a|alpha)&H[0-9A-Fa-f]+&|\\fad\([^)]*\)")
# Fields of a V4+ Style after its name: Fontname, Fontsize, ..., Outline (15), Shadow (16).
_OUTLINE, _SHADOW = 15, 16


@dataclass(frozen=True)
class Texts:
    header: list[str]  # the document without its events
    shown: list[tuple[str, str]]  # (style, text) of each distinct event, in order
    pads: dict[str, int]  # per style: outline plus shadow, pixels


def read_texts(ass: str) -> Texts:
    header: list[str] = []
    shown: list[tuple[str, str]] = []
    pads: dict[str, int] = {}
    for line in ass.splitlines():
        if line.startswith("Dialogue:"):
            fields = line.split(",", 9)
            if len(fields) == 10:
                text = (fields[3].strip(), _NO_INK.sub("", fields[9]))
                if text not in shown:
                    shown.append(text)
            continue
        header.append(line)
        style = _STYLE.match(line)
        if style:
            values = style.group(2).split(",")
            if len(values) > _SHADOW:
                outline, shadow = float(values[_OUTLINE]), float(values[_SHADOW])
                pads[style.group(1).strip()] = round(outline + shadow)
    return Texts(header, shown, pads)


def _clock(centis: int) -> str:
    seconds, centis = divmod(max(0, centis), 100)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}.{centis:02d}"


def slotted(texts: Texts) -> str:
    """A document showing the k-th text alone on frame k (from just before it to just before
    the next: frame times fall inside their slot whatever the rounding)."""
    step = 100 // SLOTS_PER_SECOND
    events = [
        f"Dialogue: 0,{_clock(k * step - 1)},{_clock(k * step + step - 1)},{style},,0,0,0,,{text}"
        for k, (style, text) in enumerate(texts.shown)
    ]
    return "\n".join([*texts.header, *events, ""])


def _union(found: list[tuple[int, int, int, int]], pad: int, frame: tuple[int, int]) -> Box:
    """(x1, x2, y1, y2) inclusive corners, as bbox logs them, as one box, padded."""
    left = max(0, min(f[0] for f in found) - pad)
    right = min(frame[0], max(f[1] for f in found) + 1 + pad)
    top = max(0, min(f[2] for f in found) - pad)
    bottom = min(frame[1], max(f[3] for f in found) + 1 + pad)
    return Box(left, top, right - left, bottom - top)


async def ink_by_style(
    ass: str, fonts: Path, scratch: Path, frame: tuple[int, int]
) -> dict[str, Box]:
    """Each style's text as libass draws it on a frame of this size, with its outline and
    shadow; a style that draws nothing is left out. A temporary file is written beside
    `scratch`."""
    texts = read_texts(ass)
    if not texts.shown:
        return {}
    width, height = frame
    count = len(texts.shown)
    source = f"color=black:s={width}x{height}:r={SLOTS_PER_SECOND}"
    tmp = temp_path_for(scratch)  # a crash leaves it to remove_temp_files
    try:
        await asyncio.to_thread(tmp.write_text, slotted(texts), encoding="utf-8")
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
        cmd += ["-f", "lavfi", "-i", source, "-frames:v", str(count)]
        cmd += ["-vf", f"format=gray,{ass_filter(tmp, fonts)},bbox", "-f", "null", "-"]
        result = await run_child(cmd, keep_stdout=1, keep_stderr=count + 200)
    finally:
        tmp.unlink(missing_ok=True)
    beat()
    if result.returncode != 0:
        raise FfmpegError("drawing the captions to find their ink failed", result.stderr_tail)
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    for line in result.stderr_tail:
        match = _BBOX.search(line)
        if match is None or int(match[1]) >= count:
            continue
        style = texts.shown[int(match[1])][0]
        found.setdefault(style, []).append(
            (int(match[2]), int(match[3]), int(match[4]), int(match[5]))
        )
    return {style: _union(boxes, texts.pads.get(style, 0), frame) for style, boxes in found.items()}
