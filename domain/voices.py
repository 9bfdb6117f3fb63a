"""The languages an ad can be made in and the voices that can say it.

A static catalogue, so the API can list and check voices without loading a narrator:
- the neural offline narrators: Piper (en_US "joe"), English; Kokoro-82M, Spanish, French,
  Brazilian Portuguese and more English voices (US and UK, female and male);
- espeak-ng, offline, for every language below (its voices ship in the espeakng-loader wheel;
  a test checks each one is there);
- the hosted TTS (OpenAI), multilingual, when VOICE_PROVIDER makes it available.

The offline script writer has phrase books for OFFLINE_LANGUAGES; Claude writes any language,
and a job in a language needs a voice for it (checked at createJob, never later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NEURAL = "neural-offline"
ESPEAK = "espeak-ng"
HOSTED = "hosted"
# Engines: what synthesises the voice (providers group them: offline neural, espeak, hosted).
PIPER, KOKORO, OPENAI = "piper", "kokoro", "openai"
MULTILINGUAL = "mul"  # ISO 639-2 for "multiple languages"

# Languages the offline writer has phrase books for (written per language, not translated).
OFFLINE_LANGUAGES = ("en", "es", "fr", "de", "pt")

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "nb": "Norwegian Bokmål", "fi": "Finnish", "cs": "Czech", "ro": "Romanian", "tr": "Turkish",
    "id": "Indonesian", "hu": "Hungarian", "ru": "Russian", "uk": "Ukrainian", "el": "Greek",
    "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "hi": "Hindi",
    "he": "Hebrew", "th": "Thai", "vi": "Vietnamese",
}  # fmt: skip


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    language: str  # BCP 47 primary subtag, or "mul"
    provider: str  # neural-offline | espeak-ng | hosted
    gender: str | None = None
    engine_name: str = ""  # what the engine calls it (espeak-ng voice, OpenAI voice)
    engine: str = ESPEAK  # piper | kokoro | espeak-ng | openai
    note: str = ""  # what a person choosing it should know

    def speaks(self, language: str) -> bool:
        return self.language == language or (
            self.language == MULTILINGUAL and language in HOSTED_LANGUAGES
        )


PIPER_JOE = Voice("piper:en_US-joe-medium", "Joe (US English, neural)", "en", NEURAL, "male",
                  "en_US-joe-medium", PIPER)  # fmt: skip

# Kokoro-82M's voices, the language's default first (the most intelligible, measured with
# Whisper: README, "Voices"): (language, Kokoro voice, name, gender).
_KOKORO: tuple[tuple[str, str, str, str], ...] = (
    ("es", "ef_dora", "Dora (Spanish, neural)", "female"),
    ("es", "em_alex", "Alex (Spanish, neural)", "male"),
    ("fr", "ff_siwis", "Siwis (French, neural)", "female"),
    ("pt", "pf_dora", "Dora (Brazilian Portuguese, neural)", "female"),
    ("pt", "pm_alex", "Alex (Brazilian Portuguese, neural)", "male"),
    ("en", "af_heart", "Heart (US English, neural)", "female"),
    ("en", "af_bella", "Bella (US English, neural)", "female"),
    ("en", "bf_emma", "Emma (British English, neural)", "female"),
    ("en", "bm_george", "George (British English, neural)", "male"),
)
KOKORO_VOICES = tuple(
    Voice(f"kokoro:{engine}", name, language, NEURAL, gender, engine, KOKORO)
    for language, engine, name, gender in _KOKORO
)

# espeak-ng voices by language: (id suffix, espeak-ng voice, name, gender).
_ESPEAK: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("en", "en-us", "en-us", "US English (espeak-ng)", "male"),
    ("en", "en-gb", "en", "British English (espeak-ng)", "male"),
    ("en", "en-us-f", "en-us+f3", "US English, female (espeak-ng)", "female"),
    ("es", "es", "es", "Spanish (espeak-ng)", "male"),
    ("es", "es-419", "es-419", "Latin American Spanish (espeak-ng)", "male"),
    ("es", "es-f", "es+f3", "Spanish, female (espeak-ng)", "female"),
    ("fr", "fr", "fr", "French (espeak-ng)", "male"),
    ("fr", "fr-f", "fr+f3", "French, female (espeak-ng)", "female"),
    # The +m1 variant, and a quicker pace (pipeline.voice.offline.CLEAREST_RATE): the most
    # intelligible espeak-ng German measured (Whisper WER 0.45 against 0.50-1.0; README).
    ("de", "de", "de+m1", "German (espeak-ng)", "male"),
    ("de", "de-f", "de+f3", "German, female (espeak-ng)", "female"),
    ("pt", "pt-br", "pt-br", "Brazilian Portuguese (espeak-ng)", "male"),
    ("pt", "pt", "pt", "European Portuguese (espeak-ng)", "male"),
    ("pt", "pt-br-f", "pt-br+f3", "Brazilian Portuguese, female (espeak-ng)", "female"),
    ("it", "it", "it", "Italian (espeak-ng)", "male"),
    ("nl", "nl", "nl", "Dutch (espeak-ng)", "male"),
    ("pl", "pl", "pl", "Polish (espeak-ng)", "male"),
    ("sv", "sv", "sv", "Swedish (espeak-ng)", "male"),
    ("da", "da", "da", "Danish (espeak-ng)", "male"),
    ("nb", "nb", "nb", "Norwegian Bokmål (espeak-ng)", "male"),
    ("fi", "fi", "fi", "Finnish (espeak-ng)", "male"),
    ("cs", "cs", "cs", "Czech (espeak-ng)", "male"),
    ("ro", "ro", "ro", "Romanian (espeak-ng)", "male"),
    ("tr", "tr", "tr", "Turkish (espeak-ng)", "male"),
    ("id", "id", "id", "Indonesian (espeak-ng)", "male"),
    ("hu", "hu", "hu", "Hungarian (espeak-ng)", "male"),
    ("ru", "ru", "ru", "Russian (espeak-ng)", "male"),
)
ESPEAK_VOICES = tuple(
    Voice(f"espeak:{suffix}", name, language, ESPEAK, gender, engine, ESPEAK,
          "robotic: no neural voice speaks German offline" if language == "de" else "")
    for language, suffix, engine, name, gender in _ESPEAK
)  # fmt: skip

# OpenAI's TTS voices speak every language its model knows (these, among others).
_HOSTED = "af ar hy az be bs bg ca zh hr cs da nl en et fi fr gl de el he hi hu is id it ja kn kk"
_HOSTED += " ko lv lt mk ms mr mi ne nb fa pl pt ro ru sr sk sl es sw sv tl ta th tr uk ur vi cy"
HOSTED_LANGUAGES = frozenset(_HOSTED.split())
HOSTED_VOICES = tuple(
    Voice(
        f"openai:{name}",
        f"{name.capitalize()} (hosted, multilingual)",
        MULTILINGUAL,
        HOSTED,
        None,
        name,
        OPENAI,
    )
    for name in ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer")
)

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


class LanguageError(ValueError):
    """A language tag that is not BCP 47, or that this deployment cannot make an ad in."""


def primary_language(tag: str) -> str:
    """The primary subtag of a BCP 47 tag, lower case ("pt-BR" -> "pt"); LanguageError if the
    tag is not well formed."""
    tag = tag.strip()
    if not _TAG.match(tag):
        raise LanguageError(f"{tag!r} is not a BCP 47 language tag (e.g. en, es, pt-BR)")
    primary = tag.split("-", 1)[0].lower()
    return "nb" if primary == "no" else primary


def catalogue(hosted_voice: bool) -> tuple[Voice, ...]:
    """Every voice this deployment can use: offline ones always, hosted ones when configured."""
    return (PIPER_JOE, *KOKORO_VOICES, *ESPEAK_VOICES, *(HOSTED_VOICES if hosted_voice else ()))


def voices_for(language: str | None, hosted_voice: bool) -> list[Voice]:
    voices = catalogue(hosted_voice)
    if language is None:
        return list(voices)
    primary = primary_language(language)
    return [voice for voice in voices if voice.speaks(primary)]


def find_voice(voice_id: str, hosted_voice: bool) -> Voice | None:
    return next((v for v in catalogue(hosted_voice) if v.id == voice_id), None)


def default_voice(language: str, hosted_voice: bool) -> Voice | None:
    """The voice a job in `language` gets when it names none (None: nothing can say it).
    Hosted speech, when configured, keeps its per-style voices (None here means "the style's").
    Offline, a language's best neural voice (Piper's joe in English), else espeak-ng's."""
    if hosted_voice and language in HOSTED_LANGUAGES:
        return None
    offline = [v for v in (PIPER_JOE, *KOKORO_VOICES, *ESPEAK_VOICES) if v.language == language]
    return offline[0] if offline else None


def can_speak(language: str, hosted_voice: bool) -> bool:
    return any(v.speaks(language) for v in catalogue(hosted_voice))


def spoken_languages(hosted_voice: bool) -> list[str]:
    """The languages some voice here can say, sorted."""
    languages = {v.language for v in catalogue(hosted_voice) if v.language != MULTILINGUAL}
    if hosted_voice:
        languages |= HOSTED_LANGUAGES
    return sorted(languages)
