"""Settings: every one documented in .env.example, secrets never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.enums import AspectRatio
from settings import LOCAL_OWNER, Settings
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
