"""script_gen through Claude (a fake Messages API): vision, tool use, retries, repair."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import JobStatus, StageName, StageStatus
from domain.outputs import Completed
from pipeline.errors import TransientStageError
from pipeline.providers.errors import ProviderError, TransientProviderError
from pipeline.providers.fallback import with_fallback
from pipeline.script.claude import ClaudeScriptWriter
from pipeline.script.offline import generate_script
from pipeline.spec import no_progress
from tests.conftest import serve_app
from tests.factories import create_job, gql, image_bytes, job_input, upload
from tests.outputs import fallback_of, hosted_usage
from tests.pipeline.providers.conftest import ANALYSIS, claude_script
from tests.pipeline.providers.fakes.anthropic_api import SCRIPT_TOOL, FakeAnthropic, Reply, error
from tests.pipeline.providers.helpers import JOB_QUERY, config_for, make_spec
from tests.worker.conftest import load, run_worker

Fake = tuple[FakeAnthropic, str]
MODEL = "claude-sonnet-4-5"


def writer_for(tmp_path: Path, url: str, **kwargs: Any) -> ClaudeScriptWriter:
    config = config_for(tmp_path, claude_url=url, **kwargs)
    return ClaudeScriptWriter(config.claude, config.retries, config.prices, config.secrets)


def claude_cost(*calls: tuple[int, int]) -> Decimal:
    """(input, output) tokens at the default prices: $3 and $15 per million."""
    return sum(
        (Decimal(i) * 3 / 1_000_000 + Decimal(o) * 15 / 1_000_000 for i, o in calls), Decimal(0)
    )


@pytest.mark.slow
async def test_job_with_image_gets_its_script_from_claude(
    base: Any, claude: Fake, engine: AsyncEngine, redis: Any
) -> None:
    fake, url = claude
    settings = base(claude_url=url)
    brief = {
        "productDescription": "Over-ear headphones with active noise cancelling.",
        "keyBenefits": ["Thirty hours of battery", "Folds flat for travel"],
    }
    async with serve_app(settings) as (api, _app):
        response = await upload(api, job_input(**brief), image_bytes(640, 480))
        job_id = response.json()["data"]["createJob"]["job"]["id"]
        await run_worker(settings)
        body = await gql(api, JOB_QUERY, {"id": job_id})

    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    vision, script = fake.requests
    image_block, text_block = vision["messages"][0]["content"]
    assert image_block["type"] == "image" and image_block["source"]["type"] == "base64"
    sent = Image.open(io.BytesIO(base64.b64decode(image_block["source"]["data"])))
    assert sent.size == (640, 480)
    assert Image.MIME[sent.format or ""] == image_block["source"]["media_type"]
    assert "Aurora Headphones" in text_block["text"]
    assert vision["tool_choice"] == {"type": "tool", "name": "record_product_analysis"}

    assert script["tool_choice"] == {"type": "tool", "name": SCRIPT_TOOL}
    schema = script["tools"][0]["input_schema"]
    assert schema["required"] == ["hook", "cta", "scenes"]
    scene_schema = schema["properties"]["scenes"]["items"]
    assert set(scene_schema["required"]) >= {"voiceover_text", "on_screen_text", "visual_prompt"}
    assert schema["properties"]["scenes"]["minItems"] == 4
    prompt = script["messages"][0]["content"]
    assert "brushed aluminium" in prompt  # the analysis is used
    # So is what the maker said the product is and does.
    assert brief["productDescription"] in prompt
    assert all(benefit in prompt for benefit in brief["keyBenefits"])
    assert all(r["model"] == MODEL for r in fake.requests)

    script_stage = stages[0]
    assert script_stage.provider == f"claude ({MODEL})"
    assert script_stage.stage_data["script"] == claude_script()
    assert script_stage.stage_data["analysis"] == ANALYSIS
    expected = claude_cost((1812, 196), (1333, 587))
    assert script_stage.cost_usd == expected
    assert [c["call"] for c in script_stage.stage_data["hosted"]["calls"]] == ["vision", "script"]
    assert job.cost_usd == expected

    data = body["data"]["job"]
    assert data["script"]["hook"] == "Silence, redefined."
    assert data["stages"][0]["provider"] == f"claude ({MODEL})"
    assert data["costUsd"] == pytest.approx(float(expected))


@pytest.mark.parametrize(("status", "headers"), [(429, {"retry-after": "0"}), (529, {})])
async def test_rate_limited_or_overloaded_then_succeeds(
    claude: Fake, tmp_path: Path, status: int, headers: dict[str, str]
) -> None:
    fake, url = claude
    fake.plan = [error(status, **headers)]
    result = await writer_for(tmp_path, url)(
        make_spec(tmp_path, image=False), Completed(), no_progress
    )
    assert len(fake.requests) == 2  # refused once, then answered
    assert result.output.to_data()["script"] == claude_script()
    assert Decimal(str(result.cost_usd)) == claude_cost((1333, 587))  # only the answered call


@pytest.mark.slow
async def test_repeated_500s_fall_back_to_offline_and_the_job_completes(
    base: Any, claude: Fake, engine: AsyncEngine, redis: Any
) -> None:
    fake, url = claude
    fake.always = error(500, "Internal server error")
    settings = base(claude_url=url)
    async with serve_app(settings) as (api, _app):
        job_id = (await create_job(api))["id"]
        await run_worker(settings)
        body = await gql(api, JOB_QUERY, {"id": job_id})

    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert len(fake.requests) == 3  # the first try and PROVIDER_MAX_RETRIES=2 retries
    stage = stages[0]
    assert stage.status == StageStatus.COMPLETED
    assert stage.provider == f"offline-template (fallback from claude ({MODEL}))"
    fallback = stage.stage_data["fallback"]
    assert fallback["from"] == f"claude ({MODEL})" and fallback["to"] == "offline-template"
    assert "500 api_error after 3 attempts" in fallback["error"]
    assert fallback["transient"] is True and fallback["calls"] == []
    assert stage.stage_data["script"]["scenes"][3]["on_screen_text"] == "Shop now"
    assert stage.cost_usd == 0 and job.cost_usd == 0
    assert body["data"]["job"]["stages"][0]["provider"] == stage.provider


async def test_without_fallback_a_transient_failure_goes_to_the_worker(
    claude: Fake, tmp_path: Path
) -> None:
    fake, url = claude
    fake.always = error(529, "Overloaded")
    with pytest.raises(TransientProviderError) as caught:
        await writer_for(tmp_path, url, provider_max_retries=1)(
            make_spec(tmp_path, image=False), Completed(), no_progress
        )
    assert isinstance(caught.value, TransientStageError)  # the worker retries it with backoff
    assert "529 overloaded_error after 2 attempts: Overloaded" in str(caught.value)
    assert len(fake.requests) == 2


async def test_other_4xx_is_not_retried(claude: Fake, tmp_path: Path) -> None:
    fake, url = claude
    fake.plan = [error(400, "messages.0.content: Input should be a valid list")]
    with pytest.raises(ProviderError) as caught:
        await writer_for(tmp_path, url)(make_spec(tmp_path, image=False), Completed(), no_progress)
    assert not isinstance(caught.value, TransientStageError)
    assert "400 invalid_request_error" in str(caught.value)
    assert len(fake.requests) == 1


def broken_script() -> dict[str, Any]:
    script = claude_script()
    script["scenes"][3]["on_screen_text"] = "Buy it today"  # the end card must be the CTA
    return script


async def test_malformed_script_is_repaired_once(claude: Fake, tmp_path: Path) -> None:
    fake, url = claude
    fake.plan = [Reply(), Reply(tool_input=broken_script())]  # vision fine, first script broken
    result = await writer_for(tmp_path, url)(make_spec(tmp_path), Completed(), no_progress)

    assert result.output.to_data()["script"] == claude_script()
    _vision, first, repair = fake.requests
    prompt, assistant, feedback = repair["messages"]
    assert prompt == first["messages"][0]
    tool_use = assistant["content"][0]
    assert tool_use["type"] == "tool_use" and tool_use["input"] == broken_script()
    (result_block,) = feedback["content"]
    assert result_block["type"] == "tool_result" and result_block["is_error"] is True
    assert result_block["tool_use_id"] == tool_use["id"]
    assert (
        "scenes.3.on_screen_text" in result_block["content"]
        or "must be the cta" in (result_block["content"])
    )
    calls = [c["call"] for c in hosted_usage(result).calls]
    assert calls == ["vision", "script", "script repair"]
    expected = claude_cost((1812, 196), (1333, 587), (1333, 587))
    assert Decimal(hosted_usage(result).cost_usd) == expected
    assert Decimal(str(result.cost_usd)) == expected


async def test_still_malformed_after_repair_is_a_clear_error_and_falls_back(
    claude: Fake, tmp_path: Path
) -> None:
    fake, url = claude
    fake.always = Reply(tool_input=broken_script())
    writer = writer_for(tmp_path, url)
    spec = make_spec(tmp_path, image=False)
    with pytest.raises(ProviderError) as caught:
        await writer(spec, Completed(), no_progress)
    message = str(caught.value)
    assert "still invalid after 1 repair attempt" in message and "must be the cta" in message
    assert len(fake.requests) == 2

    stage = with_fallback(writer, generate_script, enabled=True)
    result = await stage(spec, Completed(), no_progress)
    assert result.provider == f"offline-template (fallback from claude ({MODEL}))"
    assert fallback_of(result).transient is False
    billed = claude_cost((1333, 587), (1333, 587))  # both invalid answers were paid for
    assert Decimal(fallback_of(result).cost_usd) == billed
    assert Decimal(str(result.cost_usd)) == billed


@pytest.mark.slow
async def test_a_request_that_times_out_is_retried_then_reported(
    claude: Fake, tmp_path: Path
) -> None:
    fake, url = claude
    fake.always = Reply(delay=1.0)
    writer = writer_for(tmp_path, url, anthropic_timeout_seconds=0.2, provider_max_retries=1)
    with pytest.raises(TransientProviderError) as caught:
        await writer(make_spec(tmp_path, image=False), Completed(), no_progress)
    assert "did not answer the script request within 0.2 s (2 attempts)" in str(caught.value)
    assert len(fake.requests) == 2


async def test_the_sdk_honours_the_base_url_and_sends_the_key_only_as_a_header(
    claude: Fake, tmp_path: Path
) -> None:
    fake, url = claude
    await writer_for(tmp_path, url)(make_spec(tmp_path, image=False), Completed(), no_progress)
    (headers,) = fake.headers
    assert headers["anthropic-version"] and headers["x-api-key"]
    assert StageName.SCRIPT_GEN  # the stage under test
    async with httpx.AsyncClient() as client:  # and a wrong key is refused like the real API
        refused = await client.post(f"{url}/v1/messages", headers={"x-api-key": "nope"}, json={})
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "authentication_error"
