"""espeak-ng speech synthesis through ctypes, in a child process.

Run as `python -m pipeline.voice.espeak`.

Why a child process: libespeak-ng keeps global state and is not thread-safe, and a synthesis call
cannot be interrupted. Run in its own process it never blocks the worker's event loop, two jobs
never share the library, and a cancelled job kills it outright.

Protocol: a JSON request on stdin
  {"voice": "en-us", "rate": 165, "pitch": 50, "items": [{"text", "path", "max_seconds"}]}
and one JSON line per finished item on stdout: {"index", "duration_seconds", "rate"}.
An item longer than `max_seconds` is synthesised again at a faster rate (never cut), so the
parent gets a natural-sounding fit instead of a time-stretched one.
"""

from __future__ import annotations

import array
import ctypes
import json
import sys
import wave
from pathlib import Path
from typing import Any

import espeakng_loader

from pipeline.shared.files import atomic_output

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
PARAM_RATE = 1
PARAM_VOLUME = 2
PARAM_PITCH = 3
MAX_RATE = 450  # espeak-ng's ceiling, words per minute
SILENCE_LEVEL = 200  # |sample| below this at the end counts as trailing silence
TAIL_KEEP_SECONDS = 0.08
MAX_ATTEMPTS = 4

SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class EspeakError(RuntimeError):
    pass


class VoiceSpec(ctypes.Structure):
    """espeak_VOICE: used to pick a voice by language when the name is a language tag."""

    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


class Espeak:
    """One initialised libespeak-ng in synchronous mode: `synth` returns 16-bit mono samples."""

    def __init__(self) -> None:
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(VoiceSpec)]
        lib.espeak_SetVoiceByProperties.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        data_dir = str(Path(espeakng_loader.get_data_path()).parent).encode()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_dir, INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EspeakError(f"espeak_Initialize failed ({rate})")
        self.sample_rate = rate
        self._samples = array.array("h")
        self._callback = SynthCallback(self._collect)  # kept referenced: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._samples.frombytes(ctypes.string_at(wav, count * 2))
        return 0

    def select_voice(self, voice: str) -> None:
        """By voice name ("en-us", "en+m3"), else by language tag ("en-gb")."""
        if self._lib.espeak_SetVoiceByName(voice.encode()) == 0:
            return
        spec = VoiceSpec(languages=voice.encode())
        if self._lib.espeak_SetVoiceByProperties(ctypes.byref(spec)) != 0:
            raise EspeakError(f"espeak-ng has no voice or language {voice!r}")

    def synth(self, text: str, *, voice: str, rate: int, pitch: int) -> array.array[int]:
        lib = self._lib
        self.select_voice(voice)
        lib.espeak_SetParameter(PARAM_RATE, rate, 0)
        lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
        lib.espeak_SetParameter(PARAM_VOLUME, 100, 0)
        self._samples = array.array("h")
        data = text.encode("utf-8") + b"\0"
        status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        if status != 0:
            raise EspeakError(f"espeak_Synth failed ({status})")
        return trim_trailing_silence(self._samples, self.sample_rate)


def trim_trailing_silence(samples: array.array[int], sample_rate: int) -> array.array[int]:
    """Drop the pause espeak appends after the last word, keeping a short natural tail."""
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) < SILENCE_LEVEL:
        end -= 1
    end = min(len(samples), end + int(TAIL_KEEP_SECONDS * sample_rate))
    return samples[:end]


def write_wav(path: Path, samples: array.array[int], sample_rate: int) -> None:
    with atomic_output(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())


def synthesise_to_fit(
    engine: Espeak, text: str, *, voice: str, rate: int, pitch: int, max_seconds: float
) -> tuple[array.array[int], int]:
    """Speak `text`; if too long, speak it again faster (up to espeak's ceiling)."""
    samples = engine.synth(text, voice=voice, rate=rate, pitch=pitch)
    for _ in range(MAX_ATTEMPTS):
        seconds = len(samples) / engine.sample_rate
        if seconds <= max_seconds or rate >= MAX_RATE:
            break
        rate = min(MAX_RATE, int(rate * seconds / max_seconds * 1.04) + 1)
        samples = engine.synth(text, voice=voice, rate=rate, pitch=pitch)
    return samples, rate


def main() -> int:
    request = json.load(sys.stdin)
    engine = Espeak()
    for index, item in enumerate(request["items"]):
        samples, rate = synthesise_to_fit(
            engine,
            item["text"],
            voice=request["voice"],
            rate=int(request["rate"]),
            pitch=int(request["pitch"]),
            max_seconds=float(item.get("max_seconds") or 1e9),
        )
        write_wav(Path(item["path"]), samples, engine.sample_rate)
        result = {
            "index": index,
            "duration_seconds": len(samples) / engine.sample_rate,
            "rate": rate,
        }
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
