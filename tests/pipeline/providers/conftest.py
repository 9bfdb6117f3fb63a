"""Fixtures for the hosted providers: the fake APIs on loopback, settings pointing at them,
a real MP4 for the fake Replicate to serve, and the script the fake Claude answers with."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.templates import scene_durations
from pipeline.shared.ffmpeg import ffmpeg_exe
from settings import Settings
from tests.conftest import make_settings
from tests.pipeline.providers.fakes.anthropic_api import FakeAnthropic
from tests.pipeline.providers.fakes.openai_api import FakeSpeech
from tests.pipeline.providers.fakes.replicate_api import FakeReplicate
from tests.pipeline.providers.fakes.server import serve

AD_SECONDS = 4.0
ANTHROPIC_KEY = "sk-ant-api03-fake-5ecret-claude-key-0123456789"
OPENAI_KEY = "sk-proj-fake-5ecret-openai-key-0123456789"
REPLICATE_TOKEN = "r8_fake5ecretreplicatetoken0123456789"
SECRETS = (ANTHROPIC_KEY, OPENAI_KEY, REPLICATE_TOKEN)
PRODUCT = "Aurora Headphones"
CTA = "Shop now"
ANALYSIS = {
    "product": "over-ear wireless headphones",
    "visible_text": ["AURORA"],
    "colours": ["gold", "black"],
    "materials": ["brushed aluminium", "leather"],
    "audience": "commuters who care about design",
    "selling_points": ["noise cancelling", "all-day comfort"],
}


def claude_script(style: str = "luxury", total_seconds: float = AD_SECONDS) -> dict[str, Any]:
    """A valid script, recognisably not the offline writer's."""
    lines = [
        ("Silence, redefined.", "Silence, redefined", "Slow light across gold."),
        ("Gold meets calm.", "Brushed gold", "Macro of the ear cup."),
        ("Hours of quiet.", "Hours of quiet", "Headphones on a desk."),
        ("Shop now.", CTA, "End card."),
    ]
    durations = scene_durations(style, total_seconds)
    return {
        "hook": lines[0][0],
        "cta": CTA,
        "scenes": [
            {
                "index": i + 1,
                "duration_seconds": durations[i],
                "voiceover_text": voice,
                "on_screen_text": screen,
                "visual_prompt": visual,
            }
            for i, (voice, screen, visual) in enumerate(lines)
        ],
    }


@pytest.fixture(params=["sqlite"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Provider tests run their jobs on SQLite; the database is not what they test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'adreel.db'}"


@pytest.fixture(scope="session")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real, small H.264 MP4 (colour bars moving), shorter than a scene: made once."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=24:duration=0.8",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-y",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


@pytest.fixture
async def claude() -> AsyncIterator[tuple[FakeAnthropic, str]]:
    fake = FakeAnthropic(api_key=ANTHROPIC_KEY, script=claude_script(), analysis=ANALYSIS)
    async with serve(fake.app()) as url:
        yield fake, url


@pytest.fixture
async def speech() -> AsyncIterator[tuple[FakeSpeech, str]]:
    fake = FakeSpeech(api_key=OPENAI_KEY)
    async with serve(fake.app()) as url:
        yield fake, url


@pytest.fixture
async def replicate(clip_bytes: bytes) -> AsyncIterator[tuple[FakeReplicate, str]]:
    fake = FakeReplicate(api_token=REPLICATE_TOKEN, clip=clip_bytes)
    async with serve(fake.app()) as url:
        yield fake, url


def provider_settings(
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    *,
    claude_url: str | None = None,
    speech_url: str | None = None,
    replicate_url: str | None = None,
    **overrides: Any,
) -> Settings:
    """Settings with the keys (and base URLs) of the fakes that are given; fast retries."""
    values: dict[str, Any] = {
        "ad_seconds": AD_SECONDS,
        "job_max_tries": 2,
        "provider_max_retries": 2,
        "provider_retry_base_seconds": 0.01,
        "replicate_poll_seconds": 0.02,
        "anthropic_timeout_seconds": 10,
    }
    if claude_url:
        values |= {"anthropic_api_key": ANTHROPIC_KEY, "anthropic_base_url": claude_url}
    if speech_url:
        values |= {"openai_api_key": OPENAI_KEY, "openai_base_url": f"{speech_url}/v1"}
    if replicate_url:
        values |= {"replicate_api_token": REPLICATE_TOKEN, "replicate_base_url": replicate_url}
    return make_settings(database_url, redis_url, tmp_path, **(values | overrides))


@pytest.fixture
def base(engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path) -> Any:
    """provider_settings bound to this test's database, Redis and media directory."""

    def build(**kwargs: Any) -> Settings:
        return provider_settings(database_url, redis_url, tmp_path, **kwargs)

    return build
