"""The neural narrator for Spanish, French and Portuguese, and English voices beside Piper's joe:
Kokoro-82M (int8 ONNX) through kokoro-onnx, with phonemes from espeak-ng.

Lifecycle: one `Kokoro` per worker process, loaded on first use (pipeline.voice.offline asks for
it only when a job needs one of its voices; the API never loads it) and shared by every job the
process runs, like Piper's narrator: onnxruntime's `run` is thread-safe and kokoro-onnx holds a
lock around espeak-ng. The files come from the model cache (pipeline.voice.kokoro_model). A job
says its lines through a `Speaker` (a voice in a language), which has the same `synthesize`
as Piper's `Narrator`, so both are fitted to their scenes the same way.

A line is first rewritten as it is said (pipeline.shared.spoken: prices, quantities and numbers
in words; an English brand name marked), phonemised run by run (the brand's run in English) and
synthesised from those phonemes. The model reports how many frames each phoneme took (the
patched output "duration"); kokoro-onnx turns them into phoneme timings, and each written word
gets the span of its own phonemes (pipeline.voice.words), as with Piper.

Synthesis runs in a worker thread with one onnxruntime thread and stays killable: cancelling
terminates the run in progress (RunOptions.terminate, as in pipeline.voice.piper).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnxruntime

from pipeline.shared.spoken import Said, looks_english, spoken_tokens
from pipeline.voice.kokoro_model import optimized_model, voices_file
from pipeline.voice.piper import (
    Cancelled,
    Delivery,
    RunSession,
    Speech,
    cancellable_run,
    session_options,
)
from pipeline.voice.takes import Takes
from pipeline.voice.words import word_times

SAMPLE_RATE = 24000
SENTENCE_PAUSE = 0.22  # seconds after a full stop, as Piper's SENTENCE_GAP
CLAUSE_PAUSE = 0.08  # after a comma
# espeak-ng's language for the phonemes of each (language, accent).
ESPEAK_LANGUAGE = {"en": "en-us", "en-gb": "en-gb", "es": "es", "fr": "fr-fr", "pt": "pt-br"}
ENGLISH = "en-us"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
RUN_PHONEMES = 80  # ~3-4 s of speech: the most said in one run (memory; see _sentences)
# length_scale bounds (fastest, slowest): said slower than its natural pace, Kokoro blurs
# sounds (Whisper heard "Vla con" for "Flacon" at 1.3, "flacon" at 1.0; a French LUXURY ad at
# 1.12 had WER 0.26, at 1.0 0.13), so an unhurried style's pace is its pauses, not its words.
PACE = (0.75, 1.0)


@dataclass(frozen=True)
class Line:
    text: str
    voice: str  # kokoro's voice name: "ef_dora"
    language: str  # "es"
    phonemes_in: str  # espeak-ng's language for its phonemes: "es", "en-gb"
    english: frozenset[str]  # the brand's words said the English way


class Kokoro:
    def __init__(self, cache_dir: Path) -> None:
        from kokoro_onnx import Kokoro as Engine

        session = onnxruntime.InferenceSession(
            str(optimized_model(cache_dir)), sess_options=session_options(),
            providers=["CPUExecutionProvider"],
        )  # fmt: skip
        self._session = RunSession(session)
        self.engine = Engine.from_session(self._session, str(voices_file(cache_dir)))
        if not self.engine.has_timings:
            raise RuntimeError("the Kokoro model reports no durations")
        self.sample_rate = SAMPLE_RATE
        self.takes: Takes[Speech] = Takes()

    def speaker(self, voice: str, language: str, product_name: str) -> Speaker:
        """A voice saying lines in `language` ("es"); the product's English-looking words are
        said in English. Kokoro's British voices (b*_) take British phonemes."""
        accent = "en-gb" if language == "en" and voice.startswith("b") else language
        english = frozenset(w for w in product_name.split() if looks_english(w, language))
        return Speaker(self, voice, language, ESPEAK_LANGUAGE[accent], english)

    def synthesize(
        self, line: Line, delivery: Delivery, cancelled: Callable[[], bool] | None = None
    ) -> Speech:
        """Say `line` (in this thread); raises Cancelled when `cancelled()` turns true. A line
        said recently in the same voice and delivery is the same take."""
        return self.takes.get_or_say(
            (line, delivery), lambda: self._synthesize(line, delivery, cancelled)
        )

    def _synthesize(
        self, line: Line, delivery: Delivery, cancelled: Callable[[], bool] | None
    ) -> Speech:
        said = spoken_tokens(line.text, line.language, line.english)
        phonemes = self._phonemes(said, line.phonemes_in)
        with cancellable_run(self._session, cancelled) as stop:
            audio, timed = self._sentences(phonemes, line.voice, delivery, stop)
        if stop():
            raise Cancelled
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if peak > 0:
            audio = audio * (0.89 / peak)  # -1 dBFS: loudness is set later, in the mix
        sounds = [self._sound(s, line.phonemes_in) for s in said]
        words = word_times([s.written for s in said], sounds, timed)
        return Speech(audio, SAMPLE_RATE, words)

    def _sentences(
        self, phonemes: str, voice: str, delivery: Delivery, stop: Callable[[], bool]
    ) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
        """The line said in runs of whole sentences of at most RUN_PHONEMES phonemes (a longer
        sentence alone), SENTENCE_PAUSE apart, with its phoneme timings. The model's activations
        grow with its input (a 7 s line took ~150 MB) and two scenes are said at once beside
        the rest of the worker; a sentence said alone loses its neighbours' context (Whisper
        heard short ones worse), so sentences are packed, not split one by one."""
        gap = np.zeros(round(SENTENCE_PAUSE * SAMPLE_RATE), dtype=np.float32)
        pieces: list[np.ndarray] = []
        timed: list[tuple[str, float, float]] = []
        offset = 0.0
        for sentence in _runs(_SENTENCE_END.split(phonemes)):
            if stop():
                raise Cancelled
            if not self.engine.tokenizer.tokenize(sentence):
                continue
            audio, _, timings = self.engine.create_timed(
                sentence, voice, speed=1.0 / delivery.length_scale, is_phonemes=True,
                sentence_pause=SENTENCE_PAUSE, clause_pause=CLAUSE_PAUSE,
            )  # fmt: skip
            if pieces:
                pieces.append(gap)
                timed.append((" ", offset, offset + SENTENCE_PAUSE))
                offset += SENTENCE_PAUSE
            timed += [(t.phoneme, t.start + offset, t.end + offset) for t in timings]
            pieces.append(np.asarray(audio, dtype=np.float32))
            offset += len(audio) / SAMPLE_RATE
        return (np.concatenate(pieces) if pieces else np.zeros(0, np.float32)), timed

    def _phonemes(self, said: list[Said], language: str) -> str:
        """The line's phonemes, run by run: English runs (a brand) in English."""
        runs: list[tuple[bool, list[str]]] = []
        for s in said:
            if not s.spoken:
                continue
            if runs and runs[-1][0] == s.english:
                runs[-1][1].append(s.spoken)
            else:
                runs.append((s.english, [s.spoken]))
        return " ".join(
            self._phonemize(" ".join(words), ENGLISH if english else language)
            for english, words in runs
        )

    def _sound(self, said: Said, language: str) -> str:
        return self._phonemize(said.spoken, ENGLISH if said.english else language)

    @functools.lru_cache(maxsize=8192)  # noqa: B019  # one Kokoro per process, lives with it
    def _phonemize(self, text: str, language: str) -> str:
        if not text.strip():
            return ""
        return str(self.engine.tokenizer.phonemize(text, language))


def _runs(sentences: list[str]) -> list[str]:
    """Consecutive sentences joined while they fit RUN_PHONEMES."""
    runs: list[str] = []
    for sentence in sentences:
        if runs and len(runs[-1]) + 1 + len(sentence) <= RUN_PHONEMES:
            runs[-1] = f"{runs[-1]} {sentence}"
        else:
            runs.append(sentence)
    return runs


@dataclass(frozen=True)
class Speaker:
    """One voice in one language: says a job's lines (the Narrator protocol of offline.py)."""

    kokoro: Kokoro
    voice: str
    language: str
    phonemes_in: str
    english: frozenset[str]
    pace: tuple[float, float] = PACE

    def synthesize(
        self, text: str, delivery: Delivery, cancelled: Callable[[], bool] | None = None
    ) -> Speech:
        line = Line(text, self.voice, self.language, self.phonemes_in, self.english)
        fastest, slowest = self.pace
        paced = replace(delivery, length_scale=min(slowest, max(fastest, delivery.length_scale)))
        return self.kokoro.synthesize(line, paced, cancelled)


_loaded: dict[Path, Kokoro] = {}
_loading = threading.Lock()


def kokoro(cache_dir: Path) -> Kokoro:
    """The process's Kokoro, loaded on first use."""
    key = cache_dir.resolve()
    with _loading:
        if key not in _loaded:
            _loaded[key] = Kokoro(key)
        return _loaded[key]
