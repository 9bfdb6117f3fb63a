"""createVariants: variants differ on their axes only, and reuse the source's finished work
(asserted from the stage attempts: a stage an axis does not touch never runs again)."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import StageAttempt
from pipeline.shared.ffmpeg import ffmpeg_exe
from settings import Settings
from tests.conftest import serve_app
from tests.factories import gql, image_bytes, job_input, upload
from tests.probe import probe
from tests.worker.conftest import run_worker

AD_SECONDS = 8.0

VARIANTS = """mutation($input: CreateVariantsInput!) { createVariants(input: $input) {
  jobs { id status ctaText style voice variantAxes variantOf { id } }
  errors { code field message } } }"""
JOB = """query($id: ID!) { job(id: $id) { id status ctaText style voice musicTrack variantAxes
  variantOf { id } variants { id }
  script { scenes { index voiceoverText } }
  stages { name status provider attempts { outcome } } } }"""


async def _attempts(engine: AsyncEngine, job_id: str) -> dict[str, int]:
    async with create_session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(StageAttempt.stage_name).where(StageAttempt.job_id == uuid.UUID(job_id))
            )
        ).scalars()
        counts: dict[str, int] = {}
        for name in rows:
            counts[name.name] = counts.get(name.name, 0) + 1
        return counts


async def _stage_data(engine: AsyncEngine, job_id: str, name: str) -> dict[str, Any]:
    from db.models import Stage

    async with create_session_factory(engine)() as session:
        stage = (
            await session.execute(
                select(Stage).where(
                    Stage.job_id == uuid.UUID(job_id), Stage.stage_name == name.lower()
                )
            )
        ).scalar_one()
        return dict(stage.stage_data)


def _video_stream_md5(path: Path) -> str:
    """The encoded picture, bit for bit (the video stream copied out of the MP4)."""
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy",
         "-f", "h264", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return hashlib.md5(out, usedforsecurity=False).hexdigest()


def _decodes_cleanly(path: Path) -> None:
    """Every frame decodes without an error, and there are as many as the ad is long."""
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stderr == ""


async def _source(api: httpx.AsyncClient, settings: Settings) -> str:
    response = await upload(api, job_input(ctaText="Shop now"), image_bytes(480, 360))
    job_id: str = response.json()["data"]["createJob"]["job"]["id"]
    await run_worker(settings)
    job = (await gql(api, JOB, {"id": job_id}))["data"]["job"]
    assert job["status"] == "COMPLETED"
    return job_id


async def _variants(api: httpx.AsyncClient, job_id: str, count: int, *axes: str) -> list[str]:
    body = await gql(api, VARIANTS, {"input": {"jobId": job_id, "count": count, "vary": axes}})
    payload = body["data"]["createVariants"]
    assert payload["errors"] == [], payload
    return [j["id"] for j in payload["jobs"]]


@pytest.mark.slow(seconds=17)
async def test_variants_on_each_axis_rerun_only_what_their_axis_changes(
    settings: Settings, redis: Any, engine: AsyncEngine
) -> None:
    # Long enough for the hook to have room for more than its shortest line.
    settings = Settings(**{**settings.model_dump(), "ad_seconds": AD_SECONDS})
    async with serve_app(settings) as (api, _app):
        source_id = await _source(api, settings)
        source = (await gql(api, JOB, {"id": source_id}))["data"]["job"]
        cta = await _variants(api, source_id, 2, "CTA")
        music = await _variants(api, source_id, 1, "MUSIC")
        voice = await _variants(api, source_id, 1, "VOICE")
        hook = await _variants(api, source_id, 1, "HOOK")
        style = await _variants(api, source_id, 1, "STYLE")
        await run_worker(settings)
        views = {
            i: (await gql(api, JOB, {"id": i}))["data"]["job"]
            for i in [*cta, *music, *voice, *hook, *style]
        }
        linked = (await gql(api, JOB, {"id": source_id}))["data"]["job"]["variants"]

    assert all(v["status"] == "COMPLETED" for v in views.values()), views
    assert {v["id"] for v in linked} == set(views)
    assert all(v["variantOf"]["id"] == source_id for v in views.values())
    media = settings.media_root / "jobs"

    # CTA: two different calls-to-action; every stage runs, but the voice says only the end card.
    ctas = [views[i]["ctaText"] for i in cta]
    assert len(set(ctas)) == 2 and source["ctaText"] not in ctas
    for job_id in cta:
        assert await _attempts(engine, job_id) == {
            "SCRIPT_GEN": 1, "VOICE_GEN": 1, "VIDEO_GEN": 1, "COMPOSITING": 1,
        }  # fmt: skip
        scenes = (await _stage_data(engine, job_id, "VOICE_GEN"))["scenes"]
        assert [s["reused"] for s in scenes] == [True, True, True, False]
        said = [s["voiceoverText"] for s in views[job_id]["script"]["scenes"]]
        assert said[:3] == [s["voiceoverText"] for s in source["script"]["scenes"]][:3]

        # Only the end card is encoded: the picture before it is the source's, bit for bit.
        ours, theirs = (
            probe(media / job_id / "ad.mp4", (1.0, 6.0)),
            probe(media / source_id / "ad.mp4", (1.0, 6.0)),
        )
        assert ours.frames[1.0].tobytes() == theirs.frames[1.0].tobytes()
        assert ours.frames[6.0].tobytes() == theirs.frames[6.0].tobytes()
        assert (await _stage_data(engine, job_id, "COMPOSITING")).get("spliced_at_seconds")
        _decodes_cleanly(media / job_id / "ad.mp4")

    # MUSIC: script, voice and video copied (never run); the picture is the source's, bit for bit.
    [music_id] = music
    assert await _attempts(engine, music_id) == {"COMPOSITING": 1}
    stages = {s["name"]: s for s in views[music_id]["stages"]}
    assert stages["VOICE_GEN"]["provider"].startswith("reused:")
    assert stages["VOICE_GEN"]["attempts"] == []
    assert views[music_id]["musicTrack"] != source["musicTrack"]
    assert views[music_id]["musicTrack"] is not None
    assert _video_stream_md5(media / music_id / "ad.mp4") == _video_stream_md5(
        media / source_id / "ad.mp4"
    )

    # VOICE: the script is reused; the new voice speaks every line.
    [voice_id] = voice
    assert await _attempts(engine, voice_id) == {"VOICE_GEN": 1, "VIDEO_GEN": 1, "COMPOSITING": 1}
    assert views[voice_id]["voice"] not in (None, source["voice"])
    scenes = (await _stage_data(engine, voice_id, "VOICE_GEN"))["scenes"]
    assert not any(s["reused"] for s in scenes)

    # HOOK: another opening line; lines that stayed the same are not said again.
    [hook_id] = hook
    said = [s["voiceoverText"] for s in views[hook_id]["script"]["scenes"]]
    before = [s["voiceoverText"] for s in source["script"]["scenes"]]
    assert said[0] != before[0] and said[3] == before[3]
    scenes = (await _stage_data(engine, hook_id, "VOICE_GEN"))["scenes"]
    assert scenes[0]["reused"] is False and scenes[3]["reused"] is True

    # STYLE: another style, everything made again.
    [style_id] = style
    assert views[style_id]["style"] != source["style"]
    assert await _attempts(engine, style_id) == {
        "SCRIPT_GEN": 1, "VOICE_GEN": 1, "VIDEO_GEN": 1, "COMPOSITING": 1,
    }  # fmt: skip

    for job_id in views:
        ad = probe(media / job_id / "ad.mp4")
        assert abs(ad.duration - AD_SECONDS) < 0.2 and ad.audio_rms > 0.01


@pytest.mark.slow
async def test_variants_are_refused_for_other_owners_unfinished_jobs_and_bad_counts(
    settings: Settings, redis: Any, engine: AsyncEngine
) -> None:
    keyed = Settings(**{**settings.model_dump(), "api_keys": "ka:alice,kb:bob"})
    alice = {"Authorization": "Bearer ka", "Apollo-Require-Preflight": "true"}
    bob = {"Authorization": "Bearer kb"}
    async with serve_app(keyed) as (api, _app):
        created = await upload(api, job_input(music="NONE"), image_bytes(), headers=alice)
        job_id = created.json()["data"]["createJob"]["job"]["id"]

        async def ask(headers: dict[str, str], count: int, *axes: str) -> list[dict[str, Any]]:
            body = await gql(
                api, VARIANTS, {"input": {"jobId": job_id, "count": count, "vary": axes}}, headers
            )
            payload = body["data"]["createVariants"]
            assert payload["jobs"] == []
            errors: list[dict[str, Any]] = payload["errors"]
            return errors

        # Not finished yet.
        [error] = await ask(alice, 2, "CTA")
        assert error["code"] == "INVALID_STATE" and "PENDING" in error["message"]
        await run_worker(keyed)
        # Another owner's job does not exist for them.
        [error] = await ask(bob, 2, "CTA")
        assert error["code"] == "NOT_FOUND" and error["field"] == ["input", "jobId"]
        # Counts out of range, nothing to vary, an axis with nothing to offer.
        [error] = await ask(alice, 6, "CTA")
        assert error["code"] == "TOO_LARGE" and error["field"] == ["input", "count"]
        [error] = await ask(alice, 2)
        assert error["code"] == "REQUIRED"
        [error] = await ask(alice, 1, "MUSIC")
        assert error["code"] == "INVALID_STATE" and "no bundled music" in error["message"]
        [error] = await ask(alice, 4, "STYLE")
        assert error["code"] == "TOO_LARGE" and "at most 3" in error["message"]
