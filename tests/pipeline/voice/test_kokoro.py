"""Kokoro, the neural voice for Spanish, French and Portuguese: its files are the ones checked
by sha256, its word timings agree with the audio (captions light the word being said), and a
price is said in words while the captions keep the written ones."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import numpy as np
import pytest

from domain.enums import Style
from pipeline.stages import DEFAULT_MODEL_CACHE
from pipeline.voice.kokoro import kokoro
from pipeline.voice.kokoro_model import VOICES_SOURCE, KokoroFilesError, voices_file
from pipeline.voice.offline import DELIVERY, speak
from tests.pipeline.voice.test_offline import loud_frames


def test_a_voice_that_is_not_kokoro_js_s_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "voices"
    shutil.copytree(VOICES_SOURCE, source, ignore=shutil.ignore_patterns(".*"))
    blob = bytearray((source / "ef_dora.bin").read_bytes())
    blob[100] ^= 0xFF
    (source / "ef_dora.bin").write_bytes(bytes(blob))
    with pytest.raises(KokoroFilesError, match="ef_dora"):
        voices_file(tmp_path / "cache", source)
    (source / "ef_dora.bin").unlink()
    with pytest.raises(KokoroFilesError, match="make install"):
        voices_file(tmp_path / "cache", source)


@pytest.mark.parametrize(
    ("voice", "language", "text"),
    [
        ("ef_dora", "es", "Descubre Café Señorío. Tostado en pequeños lotes. Pídelo hoy mismo."),
        ("ff_siwis", "fr", "Découvrez Crème Légère. Fabriquée en Provence. Commandez-la."),
    ],
)  # fmt: skip
async def test_word_timings_match_the_audio(voice: str, language: str, text: str) -> None:
    """Where speech resumes after a sentence's pause, the reported word start agrees with the
    audio within 100 ms, and every word has sound in it."""
    engine = await asyncio.to_thread(kokoro, DEFAULT_MODEL_CACHE)
    speech = await speak(engine.speaker(voice, language, "x"), text, DELIVERY[Style.MINIMAL])
    assert [w.text for w in speech.words] == text.split()
    loud = loud_frames(speech.audio, speech.sample_rate)
    onsets = [i * 0.01 for i in range(1, len(loud)) if loud[i] and not loud[i - 1 : i].any()]
    firsts = [speech.words[0]] + [
        w for prev, w in zip(speech.words, speech.words[1:], strict=False) if prev.text[-1] in ".!?"
    ]
    for word in firsts:
        nearest = min(onsets, key=lambda t: abs(t - word.start))
        assert abs(nearest - word.start) <= 0.1, (word, nearest)
    for word in speech.words:
        span = loud[int(word.start * 100) : max(int(word.end * 100), int(word.start * 100) + 1)]
        assert span.any(), word
    assert speech.words[-1].end <= speech.seconds + 1e-3


async def test_a_price_is_said_in_words_and_captioned_as_written() -> None:
    engine = await asyncio.to_thread(kokoro, DEFAULT_MODEL_CACHE)
    text = "Solo 24,90 € el paquete."
    speech = await speak(engine.speaker("ef_dora", "es", "x"), text, DELIVERY[Style.MINIMAL])
    words = {w.text: w for w in speech.words}
    assert list(words) == text.split()
    # "veinticuatro euros con noventa" is most of the line, on the number; the sign is an instant.
    price, sign = words["24,90"], words["€"]
    assert price.end - price.start > 0.4 * speech.seconds
    assert sign.start == sign.end == price.end
    assert float(np.sqrt(np.mean(speech.audio**2))) > 0.02


def test_the_rewritten_convolutions_say_it_bit_for_bit_as_the_int8_model() -> None:
    """pipeline.voice.kokoro_convs changes how the convolutions are computed, not what: the
    model a worker runs gives the very samples and durations of the checked int8 export."""
    import onnxruntime

    from pipeline.voice.kokoro_convs import exact_here
    from pipeline.voice.kokoro_model import optimized_model, timed_model
    from pipeline.voice.piper import session_options

    engine = kokoro(DEFAULT_MODEL_CACHE)
    tokens = engine.engine.tokenizer.tokenize(
        engine.engine.tokenizer.phonemize("Tostado en pequeños lotes, cada semana.", "es")
    )
    style = engine.engine.voices["ef_dora"][len(tokens) - 1]
    feed = {
        "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
        "style": style.astype(np.float32),
        "speed": np.array([1.0], dtype=np.float32),
    }
    assert exact_here() or optimized_model(DEFAULT_MODEL_CACHE).name.startswith(
        timed_model(DEFAULT_MODEL_CACHE).stem + ".ort"
    )  # no VNNI: the export itself
    said = []
    for model in (timed_model(DEFAULT_MODEL_CACHE), optimized_model(DEFAULT_MODEL_CACHE)):
        session = onnxruntime.InferenceSession(
            str(model), sess_options=session_options(), providers=["CPUExecutionProvider"]
        )
        said.append(session.run(None, feed))
    (audio, durations), (audio_now, durations_now) = said
    assert np.array_equal(durations, durations_now)
    assert audio.shape == audio_now.shape and np.array_equal(audio, audio_now)
