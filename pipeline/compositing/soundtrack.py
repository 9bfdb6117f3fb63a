"""The ad's soundtrack: the voiceovers on their timeline over a music bed that ducks under them,
mastered to -14 LUFS with peaks under -1 dBTP, rendered in ONE ffmpeg run to a 48 kHz WAV.

Lifecycle of a render:
1. Measure, concurrently: the voice bus (clips placed, high-passed, levelled by a compressor,
   as dual-mono stereo because that is how it is heard) and the music from the bed's start
   (kept per file per process, so a bundled track is measured once). Each run prints ebur128's
   momentary loudness for every 100 ms block.
2. Work out three static gains in Python: the voice to -16 LUFS, the music to the style's bed
   level under it, the master to -14 LUFS. The master gain comes from a model of the mix: voice
   and bed block energies added (they are uncorrelated), the bed lowered by the ducker's fixed
   depth wherever the voice speaks, then BS.1770 gating; it lands within ~0.1 LU. That replaces
   the prototype's measuring pass, and two-pass loudnorm (which falls back to dynamic mode here).
3. Render: the voice keys a fixed-depth ducker (ratio 20 with mix 0.75, so the floor is -12 dB
   whatever the voice's level: no pumping); the bed is trimmed or looped with crossfades, faded,
   summed, gained, then limited at 4x the rate to -1.8 dBFS, because the AAC encode that comes
   later overshoots by up to 0.7 dB. The file is measured (loudness, true peak) before it is
   renamed into place.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from pipeline.errors import StageError
from pipeline.shared.child import ChildResult, run_child
from pipeline.shared.ffmpeg import (
    CRASH_SIGNALS,
    FfmpegCrash,
    FfmpegError,
    ffmpeg_exe,
    run_ffmpeg,
)
from pipeline.shared.files import atomic_output

RATE = 48_000
VOICE_LUFS = -16.0
TARGET_LUFS = -14.0
LIMIT_DBFS = -1.8
LIMITER_LOSS_LU = 0.1  # what the limiter takes off the integrated loudness (measured 0.1-0.2)
FADE_IN = 0.3
LOOP_CROSSFADE = 1.0
MIN_LOOP_SECONDS = 1.0
MAX_GAIN_DB = 40.0
DUCK_DEPTH_DB = 10.7  # measured gain reduction under speech with DUCKER
VOICE_ON_LUFS = -40.0  # a 400 ms block of the levelled voice louder than this holds the duck
VOICE_CHAIN = "highpass=f=80,acompressor=threshold=-24dB:ratio=4:attack=3:release=60:knee=2"
DUCKER = (
    "sidechaincompress=threshold=0.012:ratio=20:attack=20:release=350:knee=2:makeup=1"
    ":mix=0.75:detection=rms:link=maximum"
)
TO_STEREO = "pan=stereo|c0=c0|c1=c0"


class Mode(StrEnum):
    """What render_soundtrack renders: the soundtrack, or one of its two stems."""

    MIX = "mix"
    VOICE = "voice"  # the voice alone
    MUSIC = "music"  # the music alone, still ducked under the (silent) voice


# Every 100 ms block: momentary loudness (ebur128) and its sample count (astats), on stdout.
METER = (
    f"asetnsamples=n={RATE // 10}:p=0,ebur128=metadata=1,"
    "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=Number_of_samples,"
    "ametadata=mode=print:file=-"
)
_SUMMARY = re.compile(r"^\s*(I|Peak):\s+(-?[\d.]+|-inf)", re.MULTILINE)
_CACHE_SIZE = 64


@dataclass(frozen=True)
class VoiceClip:
    path: Path  # a WAV (22.05 kHz mono from Piper, or other rates)
    start: float  # seconds on the ad's timeline


@dataclass(frozen=True)
class BedAudio:
    path: Path  # a bundled track, or a user's own upload (any format ffmpeg decodes)
    start: float  # offset into the file
    bed_lu: float  # level under the voice, e.g. -7.0
    fade_out: float  # seconds


@dataclass(frozen=True)
class Soundtrack:
    path: Path
    loudness_lufs: float
    true_peak_dbtp: float | None  # None when the output is silent


@dataclass(frozen=True)
class Levels:
    """Momentary loudness as energy per 100 ms block (block k ends at (k+1)/10 s)."""

    energy: np.ndarray
    seconds: float  # length of the audio measured


@dataclass(frozen=True)
class Plan:
    """The gains and the loop: everything the render graph needs besides the inputs."""

    duration: float
    voice_db: float
    music_db: float = 0.0
    master_db: float = 0.0
    copies: int = 1  # of the music from its start, joined by crossfades
    crossfade: float = 0.0


def loudness(energy: np.ndarray) -> float | None:
    """Integrated loudness (BS.1770 gating) of momentary block energies; None if silent."""
    kept = energy[energy > 1e-7]  # absolute gate, -70 LUFS
    if not len(kept):
        return None
    kept = kept[kept > np.mean(kept) / 10]  # relative gate, -10 LU
    return float(10 * np.log10(np.mean(kept)))


def _gain(db: float) -> float:
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, db))


def _raise_if_crashed(result: ChildResult) -> None:
    """ffmpeg killed by a signal of its own is worth a retry, whatever it was measuring."""
    if result.returncode < 0 and -result.returncode in CRASH_SIGNALS:
        raise FfmpegCrash(f"ffmpeg crashed (signal {-result.returncode})", result.stderr_tail)


async def _measure(args: Sequence[str], what: str) -> Levels:
    moments: list[float] = []
    samples = 0

    async def on_line(line: str) -> None:
        nonlocal samples
        key, _, value = line.partition("=")
        if key == "lavfi.r128.M":
            moments.append(float(value))
        elif key == "lavfi.astats.Overall.Number_of_samples":
            samples += int(float(value))

    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    result = await run_child(cmd, on_stdout_line=on_line, keep_stdout=1)
    _raise_if_crashed(result)
    if result.returncode != 0:
        tail = result.stderr_tail
        if any("matches no streams" in line for line in tail):
            raise StageError(f"{what} has no audio track")
        reason = tail[-1] if tail else f"ffmpeg exit code {result.returncode}"
        raise StageError(f"{what} could not be decoded: {reason}")
    # ebur128 says "nan" for digital silence (after every input has ended): no energy there.
    energy = np.nan_to_num(10 ** (np.array(moments) / 10), nan=0.0, posinf=0.0)
    return Levels(energy, samples / RATE)


def _inputs(voice: Sequence[VoiceClip], music: BedAudio | None, duration: float) -> list[str]:
    args = [arg for clip in voice for arg in ("-i", str(clip.path))]
    if music is not None:  # never decode more of a long upload than the ad can use
        args += ["-t", f"{music.start + duration + 1:.3f}", "-i", str(music.path)]
    return args


def _voice_bus(voice: Sequence[VoiceClip], samples: int, gain_db: float | None) -> str:
    """The voiceovers at their starts, levelled, exactly `samples` long; ends unlabelled."""
    end = f"apad=whole_len={samples},atrim=end_sample={samples}"
    if not voice:
        return f"anullsrc=r={RATE}:cl=mono,{end}"
    placed = [
        f"[{n}:a]aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=mono,"
        f"adelay=delays={round(max(0.0, clip.start) * RATE)}S:all=1"
        for n, clip in enumerate(voice)
    ]
    gain = "" if gain_db is None else f"volume={gain_db:.2f}dB,"
    tail = f"{VOICE_CHAIN},{gain}{end}"
    if len(placed) == 1:
        return f"{placed[0]},{tail}"
    chains = ";".join(f"{chain}[v{n}]" for n, chain in enumerate(placed))
    labels = "".join(f"[v{n}]" for n in range(len(placed)))
    return f"{chains};{labels}amix=inputs={len(placed)}:normalize=0:duration=longest,{tail}"


def _music_from_start(index: int, music: BedAudio, copies: int, crossfade: float) -> str:
    """The music from its start, repeated with crossfades `copies` times; ends unlabelled."""
    head = (
        f"[{index}:a]aformat=sample_fmts=fltp:sample_rates={RATE}:channel_layouts=stereo,"
        f"atrim=start_sample={round(music.start * RATE)},asetpts=PTS-STARTPTS"
    )
    if copies == 1:
        return head
    chains = [f"{head},asplit={copies}" + "".join(f"[m{n}]" for n in range(copies))]
    joined = "[m0]"
    for n in range(1, copies):
        chains.append(f"{joined}[m{n}]acrossfade=d={crossfade:.3f}:c1=qsin:c2=qsin[x{n}]")
        joined = f"[x{n}]"
    return ";".join(chains) + f";{joined}anull"


async def measure_voice(voice: Sequence[VoiceClip], duration: float) -> Levels:
    for clip in voice:
        if not clip.path.is_file():
            raise StageError(f"the voiceover {clip.path.name} is missing")
    if not voice:
        return Levels(np.zeros(0), duration)
    graph = f"{_voice_bus(voice, round(duration * RATE), None)},{TO_STEREO},{METER}"
    args = [*_inputs(voice, None, duration), "-filter_complex", graph, "-f", "null", "-"]
    return await _measure(args, "the voiceovers")


_music_levels: OrderedDict[tuple[object, ...], Levels] = OrderedDict()


async def measure_music(music: BedAudio, duration: float) -> Levels:
    """The music's levels from its start, as far as the ad can use; kept per file per process
    (an upload replaced under the same name is measured again: size and mtime are in the key)."""
    try:
        stat = music.path.stat()
    except OSError as exc:
        raise StageError(f"the music file {music.path.name} is missing") from exc
    key = (str(music.path.resolve()), stat.st_size, stat.st_mtime_ns, music.start, duration)
    if key in _music_levels:
        _music_levels.move_to_end(key)
        return _music_levels[key]
    graph = f"{_music_from_start(0, music, 1, 0.0)},{METER}"
    args = [*_inputs([], music, duration), "-filter_complex", graph, "-f", "null", "-"]
    levels = await _measure(args, f"the music {music.path.name}")
    if levels.seconds <= 0:
        raise StageError(f"the music {music.path.name} has no audio after {music.start:g} s")
    if loudness(levels.energy) is None:
        raise StageError(f"the music {music.path.name} is silent")
    _music_levels[key] = levels
    if len(_music_levels) > _CACHE_SIZE:
        _music_levels.popitem(last=False)
    return levels


def _bed_energy(levels: Levels, plan: Plan, fade_out: float) -> np.ndarray:
    """Block energies of the looped, faded bed on the ad's timeline (before gain and ducking)."""
    ends = (np.arange(math.ceil(plan.duration * 10)) + 1) / 10
    length, overlap = levels.seconds, plan.crossfade
    energy = np.zeros(len(ends))
    for copy in range(plan.copies):  # acrossfade's qsin curves: the two powers sum to one
        local = ends - copy * (length - overlap)
        index = np.clip(np.round(local * 10).astype(int) - 1, 0, len(levels.energy) - 1)
        weight = ((local > 0) & (local - 0.4 < length)).astype(float)
        if copy > 0:
            weight *= np.sin(np.clip(local / overlap, 0, 1) * math.pi / 2) ** 2
        if copy < plan.copies - 1:
            weight *= np.cos(np.clip((local - length + overlap) / overlap, 0, 1) * math.pi / 2) ** 2
        energy += weight * levels.energy[index]
    times = ends[:, None] + np.linspace(-0.4, 0.0, 9)[None, :]  # across each 400 ms block
    rise = np.sin(np.clip(times / FADE_IN, 0, 1) * math.pi / 2)  # afade curve=qsin
    fall = np.sin(np.clip((plan.duration - times) / fade_out, 0, 1) * math.pi / 2)
    faded: np.ndarray = energy * np.mean((rise * fall) ** 2, axis=1)
    return faded


def _loop(music: Levels, bed: BedAudio, duration: float) -> tuple[int, float]:
    """How many copies of the music, and how long a crossfade, fill `duration`."""
    if music.seconds >= duration:
        return 1, 0.0
    if music.seconds < MIN_LOOP_SECONDS:
        raise StageError(
            f"the music {bed.path.name} is too short to loop "
            f"({music.seconds:.2f} s from {bed.start:g} s)"
        )
    crossfade = min(LOOP_CROSSFADE, music.seconds / 4)
    return math.ceil((duration - crossfade) / (music.seconds - crossfade)), crossfade


def plan_render(voice: Levels, music: Levels | None, bed: BedAudio | None, duration: float) -> Plan:
    """The static gains (voice, music, master) and the loop, from the two measurements."""
    voice_energy = np.zeros(math.ceil(duration * 10))
    voice_energy[: len(voice.energy)] = voice.energy[: len(voice_energy)]
    spoken = loudness(voice_energy)
    voice_db = 0.0 if spoken is None else _gain(VOICE_LUFS - spoken)
    voice_energy *= 10 ** (voice_db / 10)
    plan, mixed = Plan(duration, voice_db), voice_energy
    if music is not None and bed is not None:
        copies, crossfade = _loop(music, bed, duration)
        used = loudness(music.energy[: math.ceil(min(music.seconds, duration) * 10)])
        music_db = 0.0 if used is None else _gain(VOICE_LUFS + bed.bed_lu - used)
        plan = Plan(duration, voice_db, music_db, 0.0, copies, crossfade)
        ducked = 10 * np.log10(voice_energy + 1e-30) > VOICE_ON_LUFS
        bed_db = music_db - np.where(ducked, DUCK_DEPTH_DB, 0.0)
        mixed = mixed + 10 ** (bed_db / 10) * _bed_energy(music, plan, max(bed.fade_out, 0.01))
    predicted = loudness(mixed)
    master_db = 0.0 if predicted is None else _gain(TARGET_LUFS + LIMITER_LOSS_LU - predicted)
    return Plan(duration, voice_db, plan.music_db, master_db, plan.copies, plan.crossfade)


def master_chain(plan: Plan, limit_dbfs: float = LIMIT_DBFS) -> str:
    """Static gain, then a limiter at 4x the rate so that it catches inter-sample peaks."""
    return (
        f"volume={plan.master_db:.2f}dB,aresample={RATE * 4},"
        f"alimiter=limit={10 ** (limit_dbfs / 20):.4f}:attack=1:release=60:level=0,"
        f"aresample={RATE}"
    )


def build_graph(
    voice: Sequence[VoiceClip], music: BedAudio | None, plan: Plan, mode: Mode, master: str
) -> tuple[list[str], str]:
    """ffmpeg's input args and the filter graph, ending in `[out]`; `master` is the chain from
    the sum to the output (normally `master_chain(plan)`). Only the branches the mode uses are
    built: an unused branch ending in anullsink truncates the sidechain's output (ffmpeg n9)."""
    samples = round(plan.duration * RATE)
    end = f"apad=whole_len={samples},atrim=end_sample={samples}"
    bus = _voice_bus(voice, samples, plan.voice_db)
    if music is None or mode == Mode.VOICE:
        parts, music = [f"{bus},{TO_STEREO}[pre]"], None
    else:
        fade = max(music.fade_out, 0.01)
        parts = [
            f"{_music_from_start(len(voice), music, plan.copies, plan.crossfade)},"
            f"atrim=end_sample={samples},asetpts=PTS-STARTPTS,apad=whole_len={samples},"
            f"afade=t=in:d={FADE_IN}:curve=qsin,"
            f"afade=t=out:st={plan.duration - fade:.4f}:d={fade:.4f}:curve=qsin,"
            f"volume={plan.music_db:.2f}dB[bed]"
        ]
        if mode == Mode.MIX:
            parts += [
                f"{bus},asplit=2[key][spoken]",
                f"[spoken]{TO_STEREO}[heard]",
                f"[bed][key]{DUCKER}[ducked]",
                "[heard][ducked]amix=inputs=2:duration=first:normalize=0[pre]",
            ]
        else:  # the ducked music alone, still keyed by the voice
            parts += [f"{bus}[key]", f"[bed][key]{DUCKER}[pre]"]
    parts.append(f"[pre]{master},{end}[out]")
    return _inputs(voice, music, plan.duration), ";".join(parts)


async def measure_output(path: Path) -> tuple[float, float | None]:
    """Integrated loudness (LUFS) and true peak (dBTP, None if silent) of a rendered file: its
    sound alone (`-vn`: a finished ad's picture is not decoded, which would cost 10x more)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
    cmd += ["-i", str(path), "-vn", "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    result = await run_child(cmd, keep_stdout=1)
    _raise_if_crashed(result)
    if result.returncode != 0:
        raise FfmpegError("measuring the soundtrack failed", result.stderr_tail)
    found = dict(_SUMMARY.findall("\n".join(result.stderr_tail)))
    peak = found.get("Peak", "-inf")
    return float(found.get("I", "-70")), None if peak == "-inf" else float(peak)


async def _measure_inputs(
    voice: Sequence[VoiceClip], music: BedAudio | None, duration: float
) -> tuple[Levels, Levels | None]:
    """Both measurements at once; if one fails the other's ffmpeg is killed, not left running."""
    if music is None:
        return await measure_voice(voice, duration), None
    try:
        async with asyncio.TaskGroup() as group:
            spoken = group.create_task(measure_voice(voice, duration))
            played = group.create_task(measure_music(music, duration))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return spoken.result(), played.result()


async def render_soundtrack(
    voice: list[VoiceClip],
    music: BedAudio | None,
    duration: float,
    out: Path,
    *,
    mode: Mode = Mode.MIX,
    limit_dbfs: float = LIMIT_DBFS,
) -> Soundtrack:
    """Write a 48 kHz stereo PCM WAV of exactly `duration` seconds to `out` (atomically).

    mode "mix" is the soundtrack; "voice" and "music" are its two stems (the music still ducked
    by the voice) at the mix's master gain, for measuring. With no music, the voice alone.
    `limit_dbfs`: the limiter's ceiling (lower where an encode overshoots it). Missing,
    undecodable or silent inputs raise StageError.
    """
    if duration <= 0:
        raise ValueError("duration must be positive")
    if music is None and mode == Mode.MUSIC:
        raise ValueError("mode 'music' needs a music bed")
    voice_levels, music_levels = await _measure_inputs(voice, music, duration)
    plan = plan_render(voice_levels, music_levels, music, duration)
    inputs, graph = build_graph(voice, music, plan, mode, master_chain(plan, limit_dbfs))
    with atomic_output(out) as tmp:
        args = [*inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s16le"]
        args += ["-ar", str(RATE), "-ac", "2", "-f", "wav", "-y", str(tmp)]
        await run_ffmpeg(args, progress=None, duration=duration)
        lufs, peak = await measure_output(tmp)
    return Soundtrack(out, lufs, peak)
