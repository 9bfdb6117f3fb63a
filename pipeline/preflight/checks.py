"""One placement's limits against the measured file and the boxes its text is set in: one
PreflightCheck per limit, each saying what was measured, what is allowed, and what to do.

Pure functions of measurements: nothing here runs ffmpeg or reads a file.
"""

from __future__ import annotations

from domain.placements import Placement, PlacementSpec
from domain.preflight import PreflightCheck
from pipeline.preflight.measure import FileFacts
from pipeline.preflight.textboxes import TextBox
from pipeline.video.layout import Box

ASPECT_TOLERANCE = 0.01


def _check(
    name: str, placement: Placement, passed: bool, measured: str, limit: str, message: str
) -> PreflightCheck:
    return PreflightCheck(
        name=name,
        placement=placement,
        passed=passed,
        measured=measured,
        limit=limit,
        message=message,
    )


def _ratio(width: int, height: int) -> str:
    known = {(9, 16): "9:16", (1, 1): "1:1", (16, 9): "16:9", (4, 5): "4:5"}
    for (w, h), name in known.items():
        if height and abs(width / height - w / h) < ASPECT_TOLERANCE:
            return name
    return f"{width}:{height}"


def duration(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    seconds = facts.duration_seconds
    ok = spec.min_seconds <= seconds <= spec.max_seconds
    longest = spec.max_seconds
    most = f"{longest / 60:g} min" if longest >= 120 else f"{longest:g} s"
    limit = f"{spec.min_seconds:g} s to {most}"
    message = (
        f"{seconds:.2f} s is within the {limit} {spec.label} accepts"
        if ok
        else f"{seconds:.2f} s is {'shorter' if seconds < spec.min_seconds else 'longer'} than "
        f"{spec.label} accepts ({limit}): make the ad with a duration in that range"
    )
    return _check("duration", p, ok, f"{seconds:.2f} s", limit, message)


def frame_size(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    w, h = facts.width, facts.height
    aspect_ok = h > 0 and abs(w / h - spec.aspect) < ASPECT_TOLERANCE
    size_ok = w >= spec.min_width and h >= spec.min_height
    want = _ratio(spec.width, spec.height)
    limit = f"{want}, at least {spec.min_width}x{spec.min_height} ({spec.width}x{spec.height} best)"
    if not aspect_ok:
        message = (
            f"{w}x{h} is {_ratio(w, h)}, not the {want} of {spec.label}: make the job at "
            "the placement's aspect ratio"
        )
    elif not size_ok:
        message = (
            f"{w}x{h} is smaller than {spec.label} accepts: a draft; make the ad at "
            f"{spec.width}x{spec.height} (AD_RESOLUTION=1080)"
        )
    else:
        message = f"{w}x{h} ({want}) fits {spec.label}"
    return _check("frame_size", p, aspect_ok and size_ok, f"{w}x{h}", limit, message)


def frame_rate(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    fps = facts.fps
    ok = spec.min_fps <= fps <= spec.max_fps
    limit = f"{spec.min_fps:g}-{spec.max_fps:g} fps"
    message = (
        f"{fps:g} fps is within {limit}"
        if ok
        else f"{fps:g} fps is outside the {limit} {spec.label} accepts: encode at 30 fps"
    )
    return _check("frame_rate", p, ok, f"{fps:g} fps", limit, message)


def codecs(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    video, audio, pix = facts.video_codec, facts.audio_codec, facts.pix_fmt
    measured = f"{video or 'no video'} {pix or ''} / {audio or 'no audio'}".replace("  ", " ")
    limit = f"{'/'.join(spec.video_codecs)} yuv420p / {'/'.join(spec.audio_codecs)}"
    problems = []
    if video not in spec.video_codecs:
        problems.append(f"the video is {video or 'missing'}, not {' or '.join(spec.video_codecs)}")
    elif pix != "yuv420p":
        problems.append(f"the picture is {pix}, which phones may not play: encode to yuv420p")
    if audio not in spec.audio_codecs:
        problems.append(f"the sound is {audio or 'missing'}, not {' or '.join(spec.audio_codecs)}")
    message = (
        "; ".join(problems) + ": encode again with libx264 and AAC"
        if problems
        else f"H.264 and AAC, as {spec.label} asks"
    )
    return _check("codecs", p, not problems, measured, limit, message)


def bitrate(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    kbps = facts.bitrate_kbps
    ok = kbps >= spec.min_kbps
    limit = f"at least {spec.min_kbps} kb/s"
    message = (
        f"{kbps} kb/s is at least the {spec.min_kbps} kb/s {spec.label} asks for"
        if ok
        else f"{kbps} kb/s is under the {spec.min_kbps} kb/s {spec.label} asks for: "
        "encode at a higher quality (a lower CRF) or a larger frame"
    )
    return _check("bitrate", p, ok, f"{kbps} kb/s", limit, message)


def file_size(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    mb = facts.size_bytes / 1e6
    ok = mb <= spec.max_megabytes
    limit = f"at most {spec.max_megabytes:g} MB"
    message = (
        f"{mb:.1f} MB is within the {spec.max_megabytes:g} MB {spec.label} accepts"
        if ok
        else f"{mb:.1f} MB is over the {spec.max_megabytes:g} MB {spec.label} accepts: "
        "shorten it or encode at a lower bitrate"
    )
    return _check("file_size", p, ok, f"{mb:.1f} MB", limit, message)


def loudness(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    lufs = facts.loudness_lufs
    limit = f"{spec.lufs:g} LUFS +-{spec.lufs_tolerance:g} LU"
    if lufs is None:
        return _check(
            "loudness", p, False, "no audio", limit,
            f"the file has no sound; {spec.label} plays ads with sound on: add the voice and music",
        )  # fmt: skip
    off = lufs - spec.lufs
    ok = abs(off) <= spec.lufs_tolerance
    message = (
        f"{lufs:.1f} LUFS is within {limit}"
        if ok
        else f"{lufs:.1f} LUFS is {abs(off):.1f} LU too {'loud' if off > 0 else 'quiet'}: the "
        f"platform turns it {'down' if off > 0 else 'up'}; master the soundtrack to "
        f"{spec.lufs:g} LUFS (turn it {'down' if off > 0 else 'up'} {abs(off):.1f} dB)"
    )
    return _check("loudness", p, ok, f"{lufs:.1f} LUFS", limit, message)


def true_peak(p: Placement, spec: PlacementSpec, facts: FileFacts) -> PreflightCheck:
    peak = facts.true_peak_dbtp
    limit = f"at most {spec.max_true_peak:g} dBTP"
    if facts.audio_codec is None:
        return _check("true_peak", p, False, "no audio", limit, "the file has no sound")
    if peak is None:
        return _check("true_peak", p, True, "silent", limit, "the sound is silent: no peak")
    ok = peak <= spec.max_true_peak
    message = (
        f"{peak:.1f} dBTP leaves room under {spec.max_true_peak:g} dBTP"
        if ok
        else f"{peak:.1f} dBTP is over {spec.max_true_peak:g} dBTP: the platform's own AAC "
        "encode will clip it; limit the soundtrack's true peak (a limiter at -1.5 dBTP or lower)"
    )
    return _check("true_peak", p, ok, f"{peak:.1f} dBTP", limit, message)


def safe_box(spec: PlacementSpec, width: int, height: int) -> Box:
    """The placement's safe area on a frame of this size, in pixels."""
    safe = spec.safe
    left, top = round(safe.left * width), round(safe.top * height)
    right, bottom = width - round(safe.right * width), height - round(safe.bottom * height)
    return Box(left, top, right - left, bottom - top)


def _overhang(box: Box, safe: Box) -> list[str]:
    out = []
    if box.y < safe.y:
        out.append(f"{safe.y - box.y} px into the top")
    if box.bottom > safe.bottom:
        out.append(f"{box.bottom - safe.bottom} px into the bottom")
    if box.x < safe.x:
        out.append(f"{safe.x - box.x} px into the left")
    if box.right > safe.right:
        out.append(f"{box.right - safe.right} px into the right")
    return out


def safe_zone(
    p: Placement, spec: PlacementSpec, boxes: list[TextBox], width: int, height: int
) -> PreflightCheck:
    safe = safe_box(spec, width, height)
    limit = f"text inside x {safe.x}-{safe.right}, y {safe.y}-{safe.bottom} of {width}x{height}"
    outside = [(t, _overhang(t.box, safe)) for t in boxes if not safe.contains(t.box)]
    measured = f"{len(boxes) - len(outside)} of {len(boxes)} text boxes inside"
    if not outside:
        message = f"every text box is clear of the {spec.label} interface"
    else:
        parts = [
            f"{t.what} ({t.box.x},{t.box.y} {t.box.w}x{t.box.h}) reaches {' and '.join(over)}"
            for t, over in outside
        ]
        message = (
            "; ".join(parts)
            + f": the {spec.label} interface covers that; move the text inside the safe area"
        )
    return _check("safe_zone", p, not outside, measured, limit, message)


def placement_checks(
    p: Placement,
    spec: PlacementSpec,
    facts: FileFacts,
    boxes: list[TextBox],
    frame: tuple[int, int],
) -> list[PreflightCheck]:
    """Every limit of one placement; `frame` is the size the text boxes are measured in."""
    checks = [
        duration(p, spec, facts),
        frame_size(p, spec, facts),
        frame_rate(p, spec, facts),
        codecs(p, spec, facts),
    ]
    if spec.min_kbps:
        checks.append(bitrate(p, spec, facts))
    checks += [
        file_size(p, spec, facts),
        loudness(p, spec, facts),
        true_peak(p, spec, facts),
        safe_zone(p, spec, boxes, *frame),
    ]
    return checks
