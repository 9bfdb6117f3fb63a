"""The voices query, and createJob's language and voice: refused with a field error up front,
never a job that fails later."""

from __future__ import annotations

import httpx
import pytest

from domain.voices import ESPEAK_VOICES
from tests.factories import gql, job_input

VOICES = (
    "query($language: String) { voices(language: $language) { id name language gender provider } }"
)
CREATE = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id language voice } errors { code field message } } }"""


async def test_voices_are_listed_by_language(client: httpx.AsyncClient) -> None:
    everything = (await gql(client, VOICES))["data"]["voices"]
    assert {v["provider"] for v in everything} == {"neural-offline", "espeak-ng"}  # no key
    spanish = (await gql(client, VOICES, {"language": "es-MX"}))["data"]["voices"]
    assert spanish and all(v["language"] == "es" for v in spanish)
    assert {"espeak:es", "espeak:es-419", "espeak:es-f"} <= {v["id"] for v in spanish}
    english = (await gql(client, VOICES, {"language": "en"}))["data"]["voices"]
    assert english[0] == {
        "id": "piper:en_US-joe-medium",
        "name": "Joe (US English, neural)",
        "language": "en",
        "gender": "male",
        "provider": "neural-offline",
    }
    assert (await gql(client, VOICES, {"language": "ja"}))["data"]["voices"] == []
    assert (await gql(client, VOICES, {"language": "not a tag"}))["data"]["voices"] == []


DETAILS = (
    "query($language: String) { voices(language: $language) { id gender engine isDefault note } }"
)


async def test_each_language_defaults_to_its_best_neural_voice(client: httpx.AsyncClient) -> None:
    """Neural voices where one speaks the language (Piper's joe in English, Kokoro in Spanish,
    French and Portuguese), English voices besides joe (female, British), and German's
    espeak-ng voice said to be the robotic one."""
    listed = {}
    for language in ("en", "es", "fr", "pt", "de"):
        listed[language] = (await gql(client, DETAILS, {"language": language}))["data"]["voices"]
    defaults = {k: [v["id"] for v in vs if v["isDefault"]] for k, vs in listed.items()}
    assert defaults == {
        "en": ["piper:en_US-joe-medium"],
        "es": ["kokoro:ef_dora"],
        "fr": ["kokoro:ff_siwis"],
        "pt": ["kokoro:pf_dora"],
        "de": ["espeak:de"],
    }
    english = [v for v in listed["en"] if v["engine"] == "kokoro"]
    assert len([v for v in english if v["gender"] == "female"]) >= 2
    assert {"kokoro:bf_emma", "kokoro:bm_george"} <= {v["id"] for v in english}  # British
    [german] = [v for v in listed["de"] if v["isDefault"]]
    assert german["engine"] == "espeak-ng" and "robotic" in german["note"]


@pytest.mark.parametrize(
    ("language", "voice", "code", "field", "words"),
    [
        ("xx_!!", None, "INVALID_LANGUAGE", "language", "not a BCP 47 language tag"),
        ("ja", None, "UNSUPPORTED_LANGUAGE", "language", "Japanese (ja) cannot be written here"),
        ("it", None, "UNSUPPORTED_LANGUAGE", "language", "en, es, fr, de, pt"),
        ("es", "espeak:klingon", "UNKNOWN_VOICE", "voice", "not one of this deployment's"),
        ("es", "piper:en_US-joe-medium", "CONFLICT", "voice", "does not speak Spanish (es)"),
        ("en", "openai:nova", "UNKNOWN_VOICE", "voice", "query voices"),  # no hosted speech here
    ],
)
async def test_create_job_refuses_what_it_cannot_make(
    client: httpx.AsyncClient, language: str, voice: str | None, code: str, field: str, words: str
) -> None:
    body = await gql(client, CREATE, {"input": job_input(language=language, voice=voice)})
    payload = body["data"]["createJob"]
    assert payload["job"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == (code, ["input", field])
    assert words in error["message"]


async def test_create_job_keeps_the_language_tag_and_voice(client: httpx.AsyncClient) -> None:
    body = await gql(client, CREATE, {"input": job_input(language="pt-BR", voice="espeak:pt-br")})
    job = body["data"]["createJob"]["job"]
    assert job["language"] == "pt-BR" and job["voice"] == "espeak:pt-br"


def test_every_espeak_voice_in_the_catalogue_is_installed() -> None:
    """Each catalogue voice names a language file the espeak-ng wheel ships (variants aside)."""
    from pathlib import Path

    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    installed = {p.name.lower() for p in (data / "lang").rglob("*") if p.is_file()}
    for voice in ESPEAK_VOICES:
        base = voice.engine_name.split("+", 1)[0].lower()
        assert base in installed, voice
        if "+" in voice.engine_name:
            assert (data / "voices" / "!v" / voice.engine_name.split("+", 1)[1]).is_file(), voice
