"""Claude writes any language a voice here can say: Italian (espeak-ng speaks it) is made;
Japanese, which no voice here speaks, is refused at createJob with the languages that are."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.templates import scene_durations
from tests.conftest import serve_app
from tests.factories import gql, job_input
from tests.pipeline.providers.conftest import AD_SECONDS
from tests.pipeline.providers.fakes.anthropic_api import SCRIPT_TOOL, FakeAnthropic
from tests.worker.conftest import load, run_worker

Fake = tuple[FakeAnthropic, str]
CREATE = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id language } errors { code field message } } }"""
JOB = "query($id: ID!) { job(id: $id) { status errorMessage language } }"


def italian_script() -> dict[str, Any]:
    lines = [
        ("Caffè, ridefinito.", "Caffè Aurora", "Luce calda sulla tazza."),
        ("Tostato con cura.", "Tostato con cura", "Dettaglio dei chicchi."),
        ("Ogni mattina.", "Ogni mattina", "La tazza sul tavolo."),
        ("Compra ora.", "Compra ora", "Cartolina finale."),
    ]
    durations = scene_durations("luxury", AD_SECONDS)
    return {
        "hook": lines[0][0],
        "cta": "Compra ora",
        "scenes": [
            {"index": i + 1, "duration_seconds": durations[i], "voiceover_text": v,
             "on_screen_text": s, "visual_prompt": p}
            for i, (v, s, p) in enumerate(lines)
        ],
    }  # fmt: skip


@pytest.mark.slow
async def test_claude_writes_italian_and_espeak_says_it(
    base: Any, claude: Fake, engine: AsyncEngine, redis: Any
) -> None:
    fake, url = claude
    fake.script = italian_script()
    settings = base(claude_url=url)
    async with serve_app(settings) as (api, _app):
        brief = job_input(productName="Caffè Aurora", ctaText="Compra ora", language="it")
        body = await gql(api, CREATE, {"input": brief})
        job_id = body["data"]["createJob"]["job"]["id"]
        await run_worker(settings)
        view = (await gql(api, JOB, {"id": job_id}))["data"]["job"]
    assert view == {"status": "COMPLETED", "errorMessage": None, "language": "it"}
    [request] = fake.tool_requests(SCRIPT_TOOL)
    prompt = request["messages"][0]["content"]
    prompt = prompt if isinstance(prompt, str) else " ".join(p.get("text", "") for p in prompt)
    assert "Write the voiceover and every on_screen_text in Italian (BCP 47 'it')" in prompt
    _job, stages = await load(engine, job_id)
    voice = next(s for s in stages if s.stage_name.value == "voice_gen")
    assert {scene["voice"] for scene in voice.stage_data["scenes"]} == {"espeak-ng it"}


async def test_japanese_without_a_japanese_voice_is_refused_up_front(
    base: Any, claude: Fake, engine: AsyncEngine, redis: Any
) -> None:
    fake, url = claude
    settings = base(claude_url=url)
    async with serve_app(settings) as (api, _app):
        body = await gql(api, CREATE, {"input": job_input(language="ja")})
    payload = body["data"]["createJob"]
    assert payload["job"] is None
    [error] = payload["errors"]
    assert error["code"] == "UNSUPPORTED_LANGUAGE" and error["field"] == ["input", "language"]
    assert error["message"].startswith(
        "no voice here speaks Japanese (ja); languages with a voice:"
    )
    assert "es" in error["message"] and "it" in error["message"]
    assert fake.requests == []  # nothing was written: no job, no call to Claude
