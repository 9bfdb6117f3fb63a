"""All three hosted providers in one job with an exact cost; no keys means offline and free;
estimateCost; and keys never show up anywhere a person or client could read them."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import JobStatus
from domain.outputs import Completed
from pipeline.providers.fallback import with_fallback
from pipeline.script.claude import ClaudeScriptWriter
from pipeline.script.offline import generate_script
from pipeline.spec import no_progress
from settings import Settings, hosted_script, hosted_voice
from tests.conftest import serve_app
from tests.factories import create_job, gql, image_bytes, job_input, upload
from tests.outputs import fallback_of
from tests.pipeline.providers.conftest import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    REPLICATE_TOKEN,
    claude_script,
)
from tests.pipeline.providers.fakes.anthropic_api import FakeAnthropic, error
from tests.pipeline.providers.fakes.openai_api import FakeSpeech
from tests.pipeline.providers.fakes.replicate_api import FakeReplicate
from tests.pipeline.providers.helpers import JOB_QUERY, assert_no_secret, config_for, make_spec
from tests.worker.conftest import load, run_worker

ESTIMATE = """
query($input: CreateJobInput!) {
  estimateCost(input: $input) { totalUsd stages { name provider costUsd detail } }
}
"""
MICRO = Decimal("0.000001")


@pytest.mark.slow
async def test_a_job_with_all_three_hosted_providers_has_an_exact_cost(
    base: Any,
    claude: tuple[FakeAnthropic, str],
    speech: tuple[FakeSpeech, str],
    replicate: tuple[FakeReplicate, str],
    engine: AsyncEngine,
    redis: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = base(claude_url=claude[1], speech_url=speech[1], replicate_url=replicate[1])
    async with serve_app(settings) as (api, _app):
        estimate = await gql(api, ESTIMATE, {"input": job_input()})
        response = await upload(api, job_input(), image_bytes(640, 480))
        job_id = response.json()["data"]["createJob"]["job"]["id"]
        await run_worker(settings)
        body = await gql(api, JOB_QUERY, {"id": job_id})

    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert [s.provider for s in stages] == [
        "claude (claude-sonnet-4-5)",
        "openai-tts (tts-1)",
        "replicate (wavespeedai/wan-2.1-i2v-480p)",
        "ffmpeg",
    ]
    script_cost = (Decimal(1812 + 1333) * 3 + Decimal(196 + 587) * 15) / 1_000_000
    characters = sum(len(s["voiceover_text"]) for s in claude_script()["scenes"])
    voice_cost = (Decimal(characters) * 15 / 1_000_000).quantize(MICRO)
    video_cost = Decimal("7.25") * Decimal("0.0014") * 3
    assert [s.cost_usd for s in stages] == [script_cost, voice_cost, video_cost, 0]
    assert job.cost_usd == script_cost + voice_cost + video_cost == Decimal("0.052515")
    data = body["data"]["job"]
    assert data["costUsd"] == pytest.approx(0.052515, abs=1e-9)
    assert [s["costUsd"] for s in data["stages"]] == pytest.approx(
        [float(script_cost), float(voice_cost), float(video_cost), 0.0]
    )

    stages_estimate = estimate["data"]["estimateCost"]["stages"]
    assert [s["provider"] for s in stages_estimate] == [s.provider for s in stages]
    assert all(s["costUsd"] > 0 for s in stages_estimate[:3]) and stages_estimate[3]["costUsd"] == 0
    assert estimate["data"]["estimateCost"]["totalUsd"] == pytest.approx(
        sum(s["costUsd"] for s in stages_estimate)
    )

    captured = capsys.readouterr()
    assert_no_secret(
        caplog.text,
        captured.out,
        captured.err,
        json.dumps(body),
        json.dumps(estimate),
        *[s.stage_data for s in stages],
        *[s.error_message or "" for s in stages],
        job.error_message or "",
    )
    assert "claude" in caplog.text or "claude" in captured.out + captured.err  # logs were seen


@pytest.mark.slow
async def test_without_keys_every_stage_runs_offline_for_free(
    base: Any, engine: AsyncEngine, redis: Any
) -> None:
    settings = base()
    async with serve_app(settings) as (api, _app):
        estimate = await gql(api, ESTIMATE, {"input": job_input()})
        job_id = (await create_job(api))["id"]
        await run_worker(settings)
    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert [s.provider for s in stages] == [
        "offline-template",
        "piper (en_US-joe-medium)",
        "ffmpeg-motion",
        "ffmpeg",
    ]
    assert [s.cost_usd for s in stages] == [0, 0, 0, 0] and job.cost_usd == 0
    assert all("hosted" not in s.stage_data and "fallback" not in s.stage_data for s in stages)
    result = estimate["data"]["estimateCost"]
    assert result["totalUsd"] == 0
    assert [s["provider"] for s in result["stages"]] == [s.provider for s in stages]


async def test_estimate_counts_the_vision_step_only_with_an_image(base: Any, redis: Any) -> None:
    settings = base(claude_url="http://127.0.0.1:9", voice_provider="offline")
    assert hosted_script(settings) and not hosted_voice(settings)
    async with serve_app(settings) as (api, _app):
        plain = await gql(api, ESTIMATE, {"input": job_input()})
        response = await api.post(
            "/graphql",
            data={
                "operations": json.dumps(
                    {
                        "query": ESTIMATE,
                        "variables": {"input": {**job_input(), "productImage": None}},
                    }
                ),
                "map": json.dumps({"0": ["variables.input.productImage"]}),
            },
            files={"0": ("p.png", image_bytes(), "image/png")},
            headers={"Apollo-Require-Preflight": "true"},
        )
    with_image = response.json()["data"]["estimateCost"]
    without = plain["data"]["estimateCost"]
    assert with_image["stages"][0]["costUsd"] > without["stages"][0]["costUsd"] > 0
    assert [s["costUsd"] for s in without["stages"][1:]] == [0, 0, 0]
    assert without["stages"][1]["provider"] == "piper (en_US-joe-medium)"


async def test_a_key_echoed_by_the_api_is_redacted(
    claude: tuple[FakeAnthropic, str], tmp_path: Path
) -> None:
    fake, url = claude
    fake.plan = [error(400, f"invalid request for key {ANTHROPIC_KEY}")]
    config = config_for(tmp_path, claude_url=url)
    writer = ClaudeScriptWriter(config.claude, config.retries, config.prices, config.secrets)
    result = await with_fallback(writer, generate_script, enabled=True)(
        make_spec(tmp_path, image=False), Completed(), no_progress
    )
    assert "[redacted]" in fallback_of(result).error
    assert_no_secret(result.output.to_data(), result.provider)


def test_keys_are_secret_in_settings_and_hosted_needs_its_key() -> None:
    settings = Settings(
        _env_file=None,
        anthropic_api_key=ANTHROPIC_KEY,
        openai_api_key=OPENAI_KEY,
        replicate_api_token=REPLICATE_TOKEN,
    )
    assert_no_secret(repr(settings), str(settings), settings.model_dump_json())
    with pytest.raises(ValidationError, match="VIDEO_PROVIDER=hosted needs REPLICATE_API_TOKEN"):
        Settings(_env_file=None, video_provider="hosted")
    config = config_for(Path("."), claude_url="http://x", voice_provider="offline")
    assert [s.value for s in sorted(config.hosted)] == ["script_gen"]
