"""createJob's language and voice: a tag this deployment can write and say, and a voice of it.

What can be written depends on the script provider (the offline writer's phrase books, or
Claude), what can be said on the voices (domain.voices); the error says which is missing.
"""

from __future__ import annotations

from domain.voices import (
    LANGUAGE_NAMES,
    OFFLINE_LANGUAGES,
    LanguageError,
    can_speak,
    find_voice,
    primary_language,
    spoken_languages,
)
from resolvers.errors import (
    CONFLICT,
    INVALID_LANGUAGE,
    UNKNOWN_VOICE,
    UNSUPPORTED_LANGUAGE,
    FieldError,
)
from settings import Settings, hosted_script, hosted_voice


def check_language(
    settings: Settings, tag: str, voice_id: str | None
) -> tuple[str, list[FieldError]]:
    """The normalised language tag, or field errors: a malformed tag, a language nothing here
    can write or say, an unknown voice, or a voice that does not speak the language."""
    field = ("input", "language")
    try:
        primary = primary_language(tag)
    except LanguageError as error:
        return tag, [FieldError(INVALID_LANGUAGE, f"language {error}", field)]
    normalised = primary + tag.strip()[len(primary) :]
    name = f"{LANGUAGE_NAMES.get(primary, primary)} ({primary})"
    hosted = hosted_voice(settings)
    if not hosted_script(settings) and primary not in OFFLINE_LANGUAGES:
        message = (
            f"language {name} cannot be written here: the offline writer writes "
            f"{', '.join(OFFLINE_LANGUAGES)} (with ANTHROPIC_API_KEY set, Claude writes any "
            "language a voice here can say)"
        )
        return normalised, [FieldError(UNSUPPORTED_LANGUAGE, message, field)]
    if not can_speak(primary, hosted):
        message = f"no voice here speaks {name}; languages with a voice: " + ", ".join(
            spoken_languages(hosted)
        )
        return normalised, [FieldError(UNSUPPORTED_LANGUAGE, message, field)]
    if voice_id is not None:
        voice = find_voice(voice_id, hosted)
        if voice is None:
            message = f"voice {voice_id!r} is not one of this deployment's voices (query voices)"
            return normalised, [FieldError(UNKNOWN_VOICE, message, ("input", "voice"))]
        if not voice.speaks(primary):
            message = f"voice {voice_id!r} ({voice.name}) does not speak {name}"
            return normalised, [FieldError(CONFLICT, message, ("input", "voice"))]
    return normalised, []
