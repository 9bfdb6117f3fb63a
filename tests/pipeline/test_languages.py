"""An ad in every offline language: written from that language's phrase book, said by a voice
that speaks it, with every character of its text drawn by the style's own typefaces."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest

from domain.enums import Style
from domain.script import HOOK_SPOKEN_SECONDS
from pipeline.script.lines import PHRASEBOOKS as ENGLISH
from pipeline.script.lines import phrasebook
from pipeline.shared.fonts import TYPOGRAPHY, covers
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.pipeline.script.filler import FILLER, is_filler, key
from tests.probe import probe, silences

SECONDS = 10.0
# The full length once (Spanish), the other languages as 10 s drafts: what the language changes
# (phrase book, voice, glyphs) shows in 10 s; 30 s shows scene lengths following the copy.
FULL_LENGTH = {"es": 30.0}
BRIEFS = {
    "es": ("Café Señorío", "Compra ya", "Café de Andalucía, tostado en pequeños lotes.",
           ("Molido al momento", "Envío en 24 horas"), "ñóíá"),
    "fr": ("Crème Légère", "Achetez maintenant",
           "Une crème hydratante à l'aloès, fabriquée en Provence.",
           ("Texture très légère", "Flacon recyclé"), "èéç"),
    "de": ("Große Brezel", "Jetzt bestellen",
           "Frische Brezeln aus der Bäckerei, täglich gebacken.",
           ("Knusprig und weich", "Ohne Zusätze"), "äöüß"),
    "pt": ("Pão de Queijo Mineiro", "Compre agora",
           "Pão de queijo congelado, feito com polvilho e queijo canastra.",
           ("Pronto em vinte minutos", "Sem conservantes"), "ãç"),
}  # fmt: skip
# Each language's default voice: Kokoro's, and espeak-ng's for German (no neural German offline).
VOICES = {
    "es": "kokoro ef_dora",
    "fr": "kokoro ff_siwis",
    "de": "espeak-ng de+m1",
    "pt": "kokoro pf_dora",
}


def _rms(path: Path) -> float:
    import numpy as np

    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).astype(np.float32)
    return float(np.sqrt(np.mean((pcm / 32768.0) ** 2))) if pcm.size else 0.0


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(BRIEFS))
async def test_an_ad_in_each_offline_language(tmp_path: Path, language: str) -> None:
    name, cta, description, benefits, letters = BRIEFS[language]
    style = Style.LUXURY
    spec = make_spec(
        tmp_path / "job",
        product_name=name,
        cta_text=cta,
        description=description,
        benefits=benefits,
        style=style,
        language=language,
        total_seconds=FULL_LENGTH.get(language, SECONDS),
    )
    done = await run_pipeline(spec)
    assert done.script is not None and done.voice is not None

    # Written in the language: its own phrase book, none of the English one.
    script = done.script.script
    spoken = " ".join(s.voiceover_text for s in script.scenes)
    # Sentence by sentence, not as substrings: the name alone ("{name}.", a lead into the CTA
    # in every language's book) is the language's own line too, and "Große Brezel." is in
    # "Das ist Große Brezel.". What would be English is the words said around the name.
    english, own = ENGLISH[style], phrasebook(language, style)
    said = {key(s) for s in re.split(r"(?<=[.!?]) ", spoken)}
    theirs = {key(line.format(name=name)) for line in [*english.intros, *english.cta_leads]}
    ours = {key(line.format(name=name)) for line in [*own.intros, *own.cta_leads]}
    assert not (theirs - ours) & said, spoken
    assert not [s for s in re.split(r"(?<=[.!?]) ", spoken) if is_filler(s, language, name)]
    assert FILLER[language]
    assert cta.rstrip(".") in spoken

    # Said by a voice for the language, every scene audible.
    lines = {s.index: s.voiceover_text for s in script.scenes}
    for scene in done.voice.scenes:
        assert scene.voice == VOICES[language]
        if lines[scene.index]:  # a middle scene with nothing to say is silent
            assert scene.duration_seconds > 0.4
            assert _rms(spec.work_dir / scene.path) > 0.01

    # On screen: the headlines, the captions and the CTA carry the language's letters, and the
    # style's own faces draw every character (no fallback, no missing glyph).
    on_screen = " ".join(s.on_screen_text for s in script.scenes)
    captions = (spec.work_dir / "video" / "captions.ass").read_text(encoding="utf-8")
    events = [line for line in captions.splitlines() if line.startswith("Dialogue:")]
    dialogue = " ".join(re.sub(r"\{[^}]*\}", "", line.split(",", 9)[-1]) for line in events)
    shown = f"{on_screen} {dialogue}"
    assert any(letter in shown for letter in letters), shown
    faces = TYPOGRAPHY[style]
    assert covers(faces.headline, on_screen) and covers(faces.caption, dialogue)

    ad = probe(spec.work_dir / "ad.mp4")
    assert ad.duration == pytest.approx(spec.total_seconds, abs=0.1)
    assert (ad.video_codec, ad.audio_codec) == ("h264", "aac") and ad.audio_rms > 0.01
    # No dead air: the voice, and the music under it and in its pauses.
    assert silences(spec.work_dir / "ad.mp4", -50, 0.3) == []
    if language in FULL_LENGTH:
        # At full length the hook is one short line in a short scene (the estimate is within
        # ~0.5 s of the voice), every line is said inside its scene and the brief is all said.
        hook = done.voice.scene(1)
        assert script.scenes[0].duration_seconds <= 3.5
        assert hook.duration_seconds <= HOOK_SPOKEN_SECONDS + 0.5
        takes = sorted(done.voice.scenes, key=lambda s: s.index)
        for written, take in zip(script.scenes, takes, strict=True):
            assert take.offset_seconds + take.duration_seconds <= written.duration_seconds
        assert all(b in spoken for b in benefits)
