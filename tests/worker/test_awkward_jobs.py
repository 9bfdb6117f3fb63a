"""What createJob accepts, the pipeline makes: names of 120 characters with no spaces (the ones
that used to be accepted and then fail in script_gen), each rendered to a real ad."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import JobStatus, StageStatus
from settings import Settings
from tests.factories import create_job
from tests.probe import probe
from tests.worker.conftest import load, run_worker

NAMES = [
    ("A" * 120, "LUXURY"),
    (("超級無敵保溫杯" * 18)[:120], "ENERGETIC"),
    ("👨\u200d👩\u200d👧\u200d👦" * 120, "BOLD"),
    ("MegaUltraHyperTurboMaxProPlusUltimateEditionSuperDeluxe" * 2 + "XL", "MINIMAL"),
]


@pytest.mark.slow(seconds=9)
async def test_long_unbroken_names_make_an_ad(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    jobs = [await create_job(api, productName=name, style=style) for name, style in NAMES]
    await run_worker(settings)
    for job in jobs:
        row, stages = await load(engine, job["id"])
        assert row.status == JobStatus.COMPLETED, row.error_message
        assert [s.status for s in stages] == [StageStatus.COMPLETED] * 4
        assert row.product_name == job["productName"]
        ad = probe(settings.media_root / "jobs" / job["id"] / "ad.mp4")
        assert ad.duration == pytest.approx(settings.ad_seconds, abs=0.1)
        assert ad.audio_rms > 0.01
