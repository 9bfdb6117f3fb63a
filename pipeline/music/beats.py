"""Beat times of a music track, so that an ad's cuts can land on the beat.

The method is the standard one (Ellis 2007, "Beat Tracking by Dynamic Programming", as in
librosa's beat_track), written out with numpy instead of taken from librosa: librosa's tracker
runs on numba, whose LLVM JIT costs seconds on first use, and the API process analyses uploads.

1. Onset strength: the positive spectral flux of a log-magnitude STFT in log-spaced ("mel-ish")
   bands, at 22050 Hz with a 5.8 ms hop; the flux's moving average is subtracted (a local
   normalisation, so that a sustained loud passage is no onset) and the envelope is scaled to
   unit deviation.
2. Tempo: the onset envelope's autocorrelation, weighted by a log-normal prior around 120 BPM
   (one octave wide), as in librosa, but multiplied by the envelope's spectrum first (Peeters
   2007): the autocorrelation also peaks at multiples of the period, the spectrum at multiples
   of the pulse frequency, and only the period itself is strong in both. Without that, 13 of
   the 28 bundled tracks came out at 2:3, 4:3 or 2:1 of their tempo (librosa 0.11's
   beat_track: 14), the dotted rhythms these tracks are full of winning.
3. Beats: dynamic programming, score[t] = onset[t] + max over earlier tau of
   score[tau] - alpha * log^2((t - tau) / period), backtracked from the last strong peak; weak
   beats at either end (fades, a soft intro) are trimmed.

Which metrical level is "the beat" is not in the audio alone: 13 bundled tracks (12 of the 17
listed at 99 BPM or slower, and one at 110) have an eighth-note pulse stronger than their
quarter notes and come out at exactly double their listed tempo, while tracks that look the same
at 132 BPM are listed at 132.
Every beat of the listed tempo is among those beats, so cuts still land on the beat. For the
bundled tracks, whose tempo LICENSE-MUSIC gives, `bpm` picks the level: the detected period is
halved or doubled towards it, while tempo and phase still come from the audio.

Audio is decoded by the bundled ffmpeg to mono float32 PCM through a pipe (PyAV is dev-only).
`detect_beats` blocks for ffmpeg plus some 0.05 s of numpy per 30 s of music: async callers
run it in a thread. The bundled tracks' beats are computed once and stored in beats.json, read
once per process; `python -m pipeline.music.beats` recomputes them after a new music
wheel, and the tests hold every track's stored tempo to the BPM listed for it.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipeline.music.tracks import library, licence_text
from pipeline.shared.ffmpeg import FfmpegError, ffmpeg_exe
from pipeline.shared.files import write_text_atomic

Floats = npt.NDArray[np.float64]
Frames = npt.NDArray[np.intp]

RATE = 22_050  # decoding rate: beats are heard below 11 kHz
WINDOW_SECONDS = 0.023  # STFT window (512 samples at 22050 Hz): a click smears over half of it
HOP_SECONDS = 0.0058  # 128 samples at 22050 Hz
BLOCK_FRAMES = 4096  # STFT frames per batch, so a 10-minute upload needs no gigabyte of spectra
BANDS = 40  # log-spaced from LOWEST_HZ to Nyquist: a kick drum weighs as much as a hi-hat
LOWEST_HZ = 30.0
FLOOR_DB = 80.0  # magnitudes below the loudest by more than this count as silence
LOCAL_SECONDS = 0.5  # the moving average of the flux subtracted from it
PRIOR_BPM, PRIOR_OCTAVES = 120.0, 1.0
MIN_BPM, MAX_BPM = 40.0, 240.0
# alpha: what a gap off the period costs against onsets. The bundled tracks hold one tempo, and
# at librosa's 100 ten of their gaps between beats were over 10 % off (the chain slipping to an
# eighth note and back); at 400 none is.
TIGHTNESS = 400.0
DECODE_TIMEOUT = 60.0

BEATS_PATH = Path(__file__).with_name("beats.json")
VERSION = 1
_LISTED = re.compile(r"^\s*(\S+)\.opus\s+(\d+(?:\.\d+)?) bpm\b", re.MULTILINE)


def detect_beats(
    path: Path, *, max_seconds: float | None = None, bpm: float | None = None
) -> tuple[float, ...]:
    """Beat times (seconds from the file's start, ascending) of the first audio stream of
    `path`, or of its first `max_seconds`; `bpm`: the tempo the music is known to have."""
    return detect_beats_in_samples(_decode(path, max_seconds), RATE, bpm=bpm)


def detect_beats_in_samples(
    samples: npt.NDArray[np.floating], rate: int, *, bpm: float | None = None
) -> tuple[float, ...]:
    """Beat times (seconds from the first sample) of mono `samples` at `rate` Hz; none for
    silence or for less audio than two beats. A known `bpm` picks half, the same or double
    the detected tempo, whichever is nearest to it."""
    if samples.ndim != 1:
        raise ValueError(f"expected mono samples (one dimension), got shape {samples.shape}")
    hop = max(1, round(rate * HOP_SECONDS))
    frame_rate = rate / hop
    onset = _onset_strength(samples, rate, hop)
    period = _period(onset, frame_rate, bpm)
    if period is None:
        return ()
    local = _local_score(onset, period)
    beats = _trim(_backtrack(local, period), local)
    return tuple(float(frame) / frame_rate for frame in beats)


def tempo_bpm(beats: Sequence[float]) -> float | None:
    """The tempo that the median gap between beats makes; None for fewer than two beats."""
    if len(beats) < 2:
        return None
    return 60.0 / float(np.median(np.diff(np.asarray(beats, dtype=np.float64))))


def bundled_beats(track_id: str) -> tuple[float, ...]:
    """The stored beat times of a bundled track (`music.Track.id`)."""
    stored = _stored()
    if track_id not in stored:
        raise LookupError(
            f"no beats stored for music track {track_id!r} in {BEATS_PATH.name}; "
            "recompute them with `python -m pipeline.music.beats`"
        )
    return stored[track_id]


def write_bundled_beats() -> Path:
    """Detect the beats of every installed bundled track, at the metrical level of its listed
    tempo, and replace beats.json with them."""
    listed = licence_bpm()
    tracks = {track.id: detect_beats(track.path, bpm=listed.get(track.id)) for track in library()}
    entries = ",\n".join(
        f"    {json.dumps(track_id)}: {json.dumps([round(t, 3) for t in beats])}"
        for track_id, beats in tracks.items()
    )
    write_text_atomic(
        BEATS_PATH, f'{{\n  "version": {VERSION},\n  "tracks": {{\n{entries}\n  }}\n}}\n'
    )
    _stored.cache_clear()
    return BEATS_PATH


def licence_bpm() -> dict[str, float]:
    """Each bundled track's tempo as LICENSE-MUSIC lists it (the tempo it was generated at)."""
    return {found[1]: float(found[2]) for found in _LISTED.finditer(licence_text())}


def _onset_strength(samples: npt.NDArray[np.floating], rate: int, hop: int) -> Floats:
    """One value per `hop` samples (frames centred on multiples of `hop`): how much louder the
    bands got than in the frame before, above the local average, in units of its deviation."""
    n_fft = 2 ** round(np.log2(rate * WINDOW_SECONDS))
    bands = np.concatenate(list(_band_magnitudes(samples, n_fft, hop, _band_starts(rate, n_fft))))
    peak = float(bands.max())
    if peak <= 0.0:
        return np.zeros(len(bands))
    level = np.log(np.maximum(bands, peak * 10 ** (-FLOOR_DB / 20))).astype(np.float64)
    flux = np.maximum(np.diff(level, axis=0, prepend=level[:1]), 0.0).mean(axis=1)
    width = max(1, round(LOCAL_SECONDS * rate / hop))
    onset: Floats = np.maximum(flux - np.convolve(flux, np.full(width, 1.0 / width), "same"), 0.0)
    spread = float(onset.std())
    return onset / spread if spread > 0.0 else onset


def _decode(path: Path, max_seconds: float | None) -> npt.NDArray[np.float32]:
    limit = [] if max_seconds is None else ["-t", f"{max_seconds:.3f}"]
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path), "-map", "0:a:0", *limit,
        "-ac", "1", "-ar", str(RATE), "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=DECODE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise FfmpegError(
            f"ffmpeg took over {DECODE_TIMEOUT:.0f} s to decode {path.name}", []
        ) from exc
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").splitlines()[-20:]
        raise FfmpegError(
            f"ffmpeg could not decode {path.name} (exit code {result.returncode})", said
        )
    return np.frombuffer(result.stdout, dtype="<f4")


def _band_starts(rate: int, n_fft: int) -> Frames:
    """First FFT bin of each log-spaced band (DC left out)."""
    edges = np.geomspace(LOWEST_HZ, rate / 2, BANDS) * n_fft / rate
    return np.unique(np.clip(np.round(edges).astype(np.intp), 1, n_fft // 2))


def _band_magnitudes(
    samples: npt.NDArray[np.floating], n_fft: int, hop: int, starts: Frames
) -> Iterator[npt.NDArray[np.float32]]:
    padded = np.pad(samples.astype(np.float32), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    window = np.hanning(n_fft).astype(np.float32)
    for first in range(0, len(frames), BLOCK_FRAMES):
        spectrum = np.abs(np.fft.rfft(frames[first : first + BLOCK_FRAMES] * window, axis=1))
        yield np.add.reduceat(spectrum, starts, axis=1).astype(np.float32)


def _period(onset: Floats, frame_rate: float, bpm: float | None) -> float | None:
    """The beat period in frames: the peak of autocorrelation x spectrum under the tempo prior,
    then halved or doubled to come nearest `bpm` if given."""
    count = len(onset)
    shortest = max(1, int(frame_rate * 60 / MAX_BPM))
    longest = min(count - 2, int(np.ceil(frame_rate * 60 / MIN_BPM)))
    if longest - shortest < 2:
        return None
    size = 2 * count  # zero-padded: the autocorrelation does not wrap around
    magnitude = np.abs(np.fft.rfft(onset - onset.mean(), size))
    autocorrelation = np.fft.irfft(magnitude**2, size)[:count]
    lags = np.arange(shortest, longest + 1)
    spectrum = np.interp(size / lags, np.arange(len(magnitude)), magnitude)  # at 1 / lag
    prior = np.exp(-0.5 * (np.log2(60 * frame_rate / lags / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    score = np.maximum(autocorrelation[lags], 0.0) * spectrum * prior
    best = int(np.argmax(score))
    if score[best] <= 0.0:
        return None
    period = float(shortest + _vertex(score, best))
    if bpm is None:
        return period
    return period * 2.0 ** round(float(np.log2(60 * frame_rate / period / bpm)))


def _vertex(values: Floats, at: int) -> float:
    """Where the parabola through values[at - 1 : at + 2] peaks (`at` itself at an edge)."""
    if not 0 < at < len(values) - 1:
        return float(at)
    before, here, after = values[at - 1 : at + 2]
    bend = before - 2 * here + after
    return at + 0.5 * (before - after) / bend if bend < 0 else float(at)


def _local_score(onset: Floats, period: float) -> Floats:
    """The onset envelope smoothed by a Gaussian of a 32nd of the period (as in librosa), of
    unit area, so that the onsets weigh against TIGHTNESS the same whatever the hop."""
    reach = round(period)
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) * 32 / period) ** 2)
    return np.convolve(onset, kernel / kernel.sum(), "same")


def _backtrack(local: Floats, period: float) -> Frames:
    """The best-scoring chain of beats (frames): each one half to two periods after the one
    before it, a gap off the period penalised by TIGHTNESS * log^2(gap / period)."""
    far, near = round(2 * period), max(1, round(period / 2))
    gaps = np.arange(far, near - 1, -1)  # predecessors t - far .. t - near, oldest first
    penalty = -TIGHTNESS * np.log(gaps / period) ** 2
    score = local.copy()
    previous = np.full(len(local), -1, dtype=np.intp)
    for t in range(near, len(local)):
        skip = max(0, far - t)
        candidates = score[t - far + skip : t - near + 1] + penalty[skip:]
        best = int(np.argmax(candidates))
        if candidates[best] > 0.0:
            score[t] += candidates[best]
            previous[t] = t - far + skip + best
    chain = [_last_beat(score)]
    while previous[chain[-1]] >= 0:
        chain.append(int(previous[chain[-1]]))
    return np.array(chain[::-1], dtype=np.intp)


def _last_beat(score: Floats) -> int:
    """The last local peak of the cumulative score that reaches half the peaks' median (the
    very end of the track would otherwise end the chain wherever the audio stops)."""
    inner = score[1:-1]
    peaks = np.flatnonzero((inner > score[:-2]) & (inner >= score[2:])) + 1
    if len(peaks) == 0:
        return int(np.argmax(score))
    strong = peaks[score[peaks] >= 0.5 * float(np.median(score[peaks]))]
    return int(strong[-1])


def _trim(beats: Frames, local: Floats) -> Frames:
    """Drop the leading and trailing beats whose smoothed onset is under half the RMS."""
    strength = np.convolve(local[beats], np.hanning(5), "same")
    strong = np.flatnonzero(strength > 0.5 * np.sqrt(np.mean(strength**2)))
    return beats[strong[0] : strong[-1] + 1] if len(strong) else beats[:0]


@functools.cache
def _stored() -> dict[str, tuple[float, ...]]:
    data = json.loads(BEATS_PATH.read_text())
    if data.get("version") != VERSION:
        raise ValueError(f"{BEATS_PATH.name} is version {data.get('version')}, not {VERSION}")
    return {track_id: tuple(beats) for track_id, beats in data["tracks"].items()}


def main() -> None:
    """Recompute beats.json; show each track's listed tempo, the tempo detected without it, and
    the stored beats' tempo and count."""
    path = write_bundled_beats()
    listed = licence_bpm()
    print(f"{'track':<28}{'licence':>8}{'detected':>9}{'stored':>8}{'beats':>6}  BPM")
    for track in library():
        beats = bundled_beats(track.id)
        row = (listed.get(track.id), tempo_bpm(detect_beats(track.path)), tempo_bpm(beats))
        shown = "".join(
            f"{value:>{width}.1f}" if value else f"{'-':>{width}}"
            for value, width in zip(row, (8, 9, 8), strict=True)
        )
        print(f"{track.id:<28}{shown}{len(beats):>6}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
