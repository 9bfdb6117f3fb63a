"""Settings: every one documented in .env.example, secrets never echoed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import get_type_hints

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from domain.enums import AspectRatio
from domain.providers import ClaudeConfig, ProvidersConfig
from settings import LOCAL_OWNER, SECTIONS, STAGE_KEYS, Settings, providers_config
from web.middleware import owner_for

ROOT = Path(__file__).resolve().parents[1]


def documented() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.lstrip("# ").strip()
        if "=" in line and line.split("=", 1)[0].isupper():
            names.add(line.split("=", 1)[0])
    return names


def test_every_setting_is_documented_in_env_example() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented() == set()
    assert documented() - fields == set(), "documented settings that do not exist"


def test_env_example_loads() -> None:
    settings = Settings(_env_file=ROOT / ".env.example")
    assert settings.local_mode and settings.ad_seconds == 30


def test_a_draft_resolution_sizes_every_aspect_and_others_are_refused() -> None:
    draft = Settings(_env_file=None, ad_resolution=360)
    sizes = [aspect.size_at(draft.ad_resolution) for aspect in AspectRatio]
    assert sizes == [(360, 640), (360, 360), (640, 360)]
    assert [aspect.size_at(1080) for aspect in AspectRatio] == [a.size for a in AspectRatio]
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, ad_resolution=400)
    assert "ad_resolution" in str(caught.value) and "360, 540, 720, 1080" in str(caught.value)


def test_bad_api_keys_fail_without_echoing_them() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, api_keys="sk-live-123456")
    assert "sk-live-123456" not in str(caught.value)
    assert "entry 1" in str(caught.value)


def test_owner_mapping() -> None:
    keyed = Settings(_env_file=None, api_keys="k1:alice, k2:bob")
    assert owner_for(keyed, "Bearer k2") == "bob"
    assert owner_for(keyed, "bearer k1") == "alice"
    assert owner_for(keyed, "Bearer nope") is None
    assert owner_for(keyed, None) is None
    assert "k1" not in repr(keyed)
    local = Settings(_env_file=None)
    assert owner_for(local, None) == LOCAL_OWNER


def test_each_provider_field_is_one_setting_and_each_provider_setting_one_field() -> None:
    """The providers' settings are their domain models' fields, with the same type, default and
    bounds; a setting that looks like a provider's but feeds no model fails here, and so does a
    config in ProvidersConfig that no section reads."""
    derived = {setting: section for section in SECTIONS for setting in section.settings}
    for setting, section in derived.items():
        field = section.model.model_fields[section.settings[setting]]
        copied = Settings.model_fields[setting]
        assert (copied.annotation, copied.default, copied.metadata) == (
            field.annotation,
            field.default,
            field.metadata,
        ), setting
    prefixes = tuple(f"{s.prefix}_" for s in SECTIONS) + tuple(
        name.split("_")[0] + "_" for s in SECTIONS for name in s.renamed.values()
    )
    looks_derived = {name for name in Settings.model_fields if name.startswith(prefixes)}
    assert looks_derived - set(derived) == set(), "provider settings that feed no model"
    models = {hint for hint in get_type_hints(ProvidersConfig).values() if isinstance(hint, type)}
    configs = {m for m in models if issubclass(m, BaseModel)}
    assert configs == {section.model for section in SECTIONS}


def _another(default: object, name: str) -> object:
    """A valid value unlike the default."""
    if isinstance(default, SecretStr):
        return f"secret-{name}"
    if isinstance(default, str):
        return f"{default}-{name}"
    assert isinstance(default, int | float | Decimal), name
    return default + 1


def test_every_provider_setting_reaches_its_config_under_its_documented_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected: dict[tuple[type[BaseModel], str], object] = {}
    for section in SECTIONS:
        for setting, name in section.settings.items():
            value = _another(section.model.model_fields[name].default, name)
            monkeypatch.setenv(setting.upper(), str(value))
            expected[section.model, name] = value
    assert {s.upper() for section in SECTIONS for s in section.settings} <= documented()
    config = providers_config(Settings(_env_file=None))
    got: dict[tuple[type[BaseModel], str], object] = {}
    for model in (config.claude, config.speech, config.replicate, config.retries, config.prices):
        for name in type(model).model_fields:
            value = getattr(model, name)
            secret = isinstance(value, SecretStr)
            got[type(model), name] = value.get_secret_value() if secret else value
    assert got == expected
    assert config.hosted == set(STAGE_KEYS)  # every key set: every stage hosted


def test_a_provider_setting_out_of_bounds_is_refused_by_its_models_bound() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, anthropic_api_key="sk-ant-bounds-5ecret", tts_concurrency=0)
    assert "tts_concurrency" in str(caught.value) and "5ecret" not in str(caught.value)


def test_derived_configs_never_show_a_key() -> None:
    keys = ("sk-ant-5ecret-claude", "sk-5ecret-openai", "r8_5ecret_replicate")
    settings = Settings(
        _env_file=None,
        anthropic_api_key=keys[0],
        openai_api_key=keys[1],
        replicate_api_token=keys[2],
    )
    config = providers_config(settings)
    assert sorted(config.secrets) == sorted(keys)
    shown = [repr(config), str(config)]
    for model in (config.claude, config.speech, config.replicate):
        shown += [repr(model), str(model), model.model_dump_json(), str(model.model_dump())]
    with pytest.raises(ValidationError) as caught:
        ClaudeConfig.model_validate({"api_key": keys[0], "max_tokens": keys[0]})
    shown.append(str(caught.value))
    assert [text for text in shown if any(key in text for key in keys)] == []
