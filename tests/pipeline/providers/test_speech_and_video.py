"""voice_gen through the fake speech API and video_gen through the fake Replicate, each to a
finished, probed MP4; their failures, limits and fallbacks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import AspectRatio, JobStatus, StageName, Style
from domain.outputs import Completed
from pipeline.providers.errors import ProviderError, TransientProviderError
from pipeline.providers.fallback import with_fallback
from pipeline.script.offline import generate_script
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES
from pipeline.video.hosted import HostedVideo
from pipeline.video.offline import generate_video
from pipeline.video.plan import RenderPlan
from pipeline.voice.hosted import HOSTED_VOICES
from tests.conftest import DRAFT_RESOLUTION, serve_app
from tests.factories import create_job, image_bytes, job_input, upload
from tests.outputs import fallback_of, video_of
from tests.pipeline.providers.conftest import AD_SECONDS
from tests.pipeline.providers.fakes.openai_api import FakeSpeech
from tests.pipeline.providers.fakes.replicate_api import FakeReplicate
from tests.pipeline.providers.helpers import config_for, make_spec
from tests.probe import probe
from tests.worker.conftest import load, run_worker

SQUARE = AspectRatio.SQUARE.size_at(DRAFT_RESOLUTION)


def assert_watchable(path: Path, size: tuple[int, int]) -> None:
    info = probe(path)
    assert abs(info.duration - AD_SECONDS) <= 0.1, info
    assert (info.width, info.height) == size
    assert (info.video_codec, info.audio_codec, info.pix_fmt) == ("h264", "aac", "yuv420p")
    assert info.audio_rms > 0.01, "the voiceover is silent"


@pytest.mark.slow
async def test_hosted_voice_end_to_end(
    base: Any, speech: tuple[FakeSpeech, str], engine: AsyncEngine, redis: Any
) -> None:
    fake, url = speech
    settings = base(speech_url=url, tts_concurrency=2)
    async with serve_app(settings) as (api, _app):
        job_id = (await create_job(api, style="ENERGETIC", aspectRatio="SQUARE"))["id"]
        await run_worker(settings)

    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    voice = stages[1]
    assert voice.provider == "openai-tts (tts-1)"
    script = stages[0].stage_data["script"]
    # A wordless scene (the brief had nothing more to say) gets a silent take, never a call.
    lines = [scene["voiceover_text"] for scene in script["scenes"] if scene["voiceover_text"]]
    assert sorted(r["input"] for r in fake.requests) == sorted(lines)
    assert {r["voice"] for r in fake.requests} == {HOSTED_VOICES[Style.ENERGETIC].voice}
    assert {(r["model"], r["response_format"]) for r in fake.requests} == {("tts-1", "mp3")}
    for scene in voice.stage_data["scenes"]:  # the offline shape, so compositing is unchanged
        assert set(scene) >= {"index", "path", "duration_seconds", "offset_seconds", "rate_wpm"}
        wav = settings.media_root / "jobs" / job_id / scene["path"]
        assert wav.suffix == ".wav" and wav.is_file()
        duration = next(
            s["duration_seconds"] for s in script["scenes"] if s["index"] == scene["index"]
        )
        assert scene["offset_seconds"] + scene["duration_seconds"] < duration  # fitted
    characters = sum(len(line) for line in lines)
    expected = Decimal(characters) * 15 / 1_000_000
    assert (
        voice.cost_usd == expected.quantize(Decimal("0.000001")) and job.cost_usd == voice.cost_usd
    )
    assert_watchable(settings.media_root / "jobs" / job_id / "ad.mp4", SQUARE)


@pytest.mark.slow
async def test_hosted_video_end_to_end(
    base: Any, replicate: tuple[FakeReplicate, str], engine: AsyncEngine, redis: Any
) -> None:
    fake, url = replicate
    settings = base(replicate_url=url, replicate_concurrency=2)
    async with serve_app(settings) as (api, _app):
        response = await upload(api, job_input(aspectRatio="PORTRAIT"), image_bytes(640, 480))
        job_id = response.json()["data"]["createJob"]["job"]["id"]
        await run_worker(settings)

    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    video = stages[2]
    assert video.provider == "replicate (wavespeedai/wan-2.1-i2v-480p)"
    prompts = [s["visual_prompt"] for s in stages[0].stage_data["script"]["scenes"][:3]]
    assert len(fake.created) == 3  # one per moving scene; the end card stays a still
    assert {c["path"] for c in fake.created} == {
        "/v1/models/wavespeedai/wan-2.1-i2v-480p/predictions"
    }
    assert sorted(c["input"]["prompt"] for c in fake.created) == sorted(prompts)
    assert all(c["input"]["image"].startswith("data:image/jpeg;base64,") for c in fake.created)
    assert fake.max_running == 2  # REPLICATE_CONCURRENCY
    assert len(fake.downloads) == 3
    assert all("authorization" not in h for h in fake.downloads)  # the token stays with the API

    work = settings.media_root / "jobs" / job_id
    plan = RenderPlan.model_validate_json((work / video.stage_data["plan"]).read_bytes())
    assert [s.clip for s in plan.scenes] == [
        "video/scene_1_clip.mp4",
        "video/scene_2_clip.mp4",
        "video/scene_3_clip.mp4",
        None,
    ]
    assert video.stage_data["clips"] == [s.clip for s in plan.scenes if s.clip]
    expected = Decimal("7.25") * Decimal("0.0014") * 3
    assert video.cost_usd == expected == job.cost_usd
    assert_watchable(work / "ad.mp4", AspectRatio.PORTRAIT.size_at(DRAFT_RESOLUTION))
    frame = probe(work / "ad.mp4", (0.5,)).frames[0.5].convert("RGB")
    colours = frame.resize((8, 8)).getcolors(64) or []
    assert len(colours) > 8, "scene 1 shows the moving colour bars of the clip, not a flat still"


async def completed_script(tmp_path: Path, **spec_args: Any) -> tuple[Any, Completed]:
    """The script and the offline voice: what video_gen needs (the captions follow the voice)."""
    spec = make_spec(tmp_path, **spec_args)
    script = await generate_script(spec, Completed(), no_progress)
    completed = Completed({StageName.SCRIPT_GEN: script.output})
    voice = await OFFLINE_STAGES[StageName.VOICE_GEN](spec, completed, no_progress)
    completed.add(StageName.VOICE_GEN, voice.output)
    return spec, completed


async def test_failed_prediction_falls_back_to_offline_motion(
    replicate: tuple[FakeReplicate, str], tmp_path: Path
) -> None:
    fake, url = replicate
    fake.outcome = "failed"
    config = config_for(tmp_path, replicate_url=url)
    hosted = HostedVideo(config.replicate, config.retries, config.prices, config.secrets)
    spec, completed = await completed_script(tmp_path)
    try:
        with pytest.raises(ProviderError, match="failed: CUDA out of memory"):
            await hosted(spec, completed, no_progress)
        result = await with_fallback(hosted, generate_video, enabled=True)(
            spec, completed, no_progress
        )
    finally:
        await hosted.aclose()
    assert result.provider.startswith("ffmpeg-motion (fallback from replicate")
    fallback = fallback_of(result).model_dump(by_alias=True)
    assert "CUDA out of memory" in fallback["error"]
    # Failed predictions are billed for their time too, and the stage says so.
    assert fallback["calls"] and all(c["status"] == "failed" for c in fallback["calls"])
    assert Decimal(str(result.cost_usd)) == Decimal(fallback["cost_usd"]) > 0
    plan = RenderPlan.model_validate_json((spec.work_dir / video_of(result).plan).read_bytes())
    assert all(scene.clip is None for scene in plan.scenes)  # the offline plan, no clips


async def test_a_prediction_that_never_finishes_times_out_and_is_cancelled(
    replicate: tuple[FakeReplicate, str], tmp_path: Path
) -> None:
    fake, url = replicate
    fake.outcome = "hang"
    config = config_for(
        tmp_path,
        replicate_url=url,
        replicate_prediction_timeout_seconds=0.3,
        replicate_concurrency=3,
    )
    hosted = HostedVideo(config.replicate, config.retries, config.prices, config.secrets)
    spec, completed = await completed_script(tmp_path, image=False)
    try:
        with pytest.raises(TransientProviderError, match=r"did not finish within 0.3 s"):
            await hosted(spec, completed, no_progress)
    finally:
        await hosted.aclose()
    assert sorted(fake.cancelled) == sorted(fake.predictions)  # none left running (and billing)
    # Without a photo, the product card drawn offline is what gets animated.
    assert all(c["input"]["image"].startswith("data:image/") for c in fake.created)


async def test_versioned_models_use_the_predictions_endpoint(
    replicate: tuple[FakeReplicate, str], tmp_path: Path
) -> None:
    fake, url = replicate
    config = config_for(
        tmp_path,
        replicate_url=url,
        replicate_video_model="someone/i2v:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca",
        replicate_image_input="start_image",
    )
    hosted = HostedVideo(config.replicate, config.retries, config.prices, config.secrets)
    spec, completed = await completed_script(tmp_path)
    try:
        result = await hosted(spec, completed, no_progress)
    finally:
        await hosted.aclose()
    assert {c["path"] for c in fake.created} == {"/v1/predictions"}
    assert {c["version"] for c in fake.created} == {
        "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca"
    }
    assert all("start_image" in c["input"] for c in fake.created)
    assert len(video_of(result).clips) == 3


@pytest.mark.slow
async def test_speech_server_errors_exhaust_retries_then_fall_back(
    base: Any, speech: tuple[FakeSpeech, str], engine: AsyncEngine, redis: Any
) -> None:
    fake, url = speech
    fake.fail_with = 503
    settings = base(speech_url=url)
    async with serve_app(settings) as (api, _app):
        job_id = (await create_job(api))["id"]
        await run_worker(settings)
    job, stages = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert stages[1].provider == "piper (en_US-joe-medium) (fallback from openai-tts (tts-1))"
    assert "failed after 3 attempts: 503" in stages[1].stage_data["fallback"]["error"]
    assert job.cost_usd == 0
