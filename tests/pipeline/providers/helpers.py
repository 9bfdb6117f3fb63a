"""Plain helpers for the provider tests: a job spec on disk, configs, the GraphQL job query."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.enums import AspectRatio, Style
from domain.providers import ProvidersConfig
from pipeline.spec import JobSpec
from settings import providers_config
from tests.factories import image_bytes
from tests.pipeline.providers.conftest import AD_SECONDS, CTA, PRODUCT, SECRETS, provider_settings

JOB_QUERY = """
query($id: ID!) {
  job(id: $id) {
    status costUsd videoUrl errorMessage
    stages { name status provider costUsd errorMessage }
    script { hook cta scenes { index voiceoverText onScreenText visualPrompt } }
  }
}
"""


def make_spec(tmp_path: Path, *, image: bool = True, style: Style = Style.LUXURY) -> JobSpec:
    photo = None
    if image:
        photo = tmp_path / "product.png"
        photo.write_bytes(image_bytes(640, 480))
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return JobSpec(
        job_id="test",
        product_name=PRODUCT,
        style=style,
        cta_text=CTA,
        aspect_ratio=AspectRatio.SQUARE,
        product_image=photo,
        work_dir=work,
        total_seconds=AD_SECONDS,
    )


def config_for(tmp_path: Path, **kwargs: Any) -> ProvidersConfig:
    """Provider configuration only (no database or Redis is touched)."""
    return providers_config(
        provider_settings("sqlite+aiosqlite:///unused.db", "redis://unused", tmp_path, **kwargs)
    )


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        dumped = text if isinstance(text, str) else json.dumps(text, default=str)
        for secret in SECRETS:
            assert secret not in dumped
