"""job { preflight }: null until compositing has made the ad, then the verdict stored with
compositing's output, every check or the failed ones only, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Stage
from domain.enums import StageName, StageStatus
from domain.outputs import CompositingOutput
from domain.placements import Placement
from domain.preflight import Preflight, PreflightCheck
from tests.factories import create_job, gql

QUERY = """query($id: ID!, $failed: Boolean!) { job(id: $id) { videoUrl preflight {
    passed placements placementLabels
    checks(failedOnly: $failed) { name placement passed measured limit message } } } }"""


def a_verdict() -> Preflight:
    """What compositing stores for a 9:16 draft whose sound is too loud (as the pipeline's
    preflight words it; tests/pipeline/preflight makes such files for real)."""
    checks = [
        PreflightCheck(
            name="loudness",
            placement=Placement.TIKTOK,
            passed=False,
            measured="-1.1 LUFS",
            limit="-14 LUFS +-2 LU",
            message="-1.1 LUFS is 12.9 LU too loud: the platform turns it down; master the "
            "soundtrack to -14 LUFS (turn it down 12.9 dB)",
        ),
        PreflightCheck(
            name="duration",
            placement=Placement.TIKTOK,
            passed=True,
            measured="15.00 s",
            limit="5 s to 60 s",
            message="15.00 s is within the 5 s to 60 s TikTok in-feed accepts",
        ),
        PreflightCheck(
            name="numbers_on_screen",
            placement=None,
            passed=True,
            measured='"$24.00" (end card price)',
            limit="each traced to the brief or the product page",
            message='"$24.00" is from the product page\'s price (microdata)',
        ),
    ]
    return Preflight(placements=[Placement.TIKTOK], checks=checks)


async def complete_compositing(engine: AsyncEngine, job_id: str, output: CompositingOutput) -> None:
    async with create_session_factory(engine)() as session:
        stage = (
            await session.execute(
                select(Stage).where(
                    Stage.job_id == uuid.UUID(job_id), Stage.stage_name == StageName.COMPOSITING
                )
            )
        ).scalar_one()
        stage.status = StageStatus.COMPLETED
        stage.stage_data = output.to_data()
        await session.commit()


async def test_preflight_is_null_until_the_ad_is_made_then_read_back(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    job = await create_job(client)
    before = await gql(client, QUERY, {"id": job["id"], "failed": False})
    assert before["data"]["job"]["preflight"] is None

    verdict = a_verdict()
    output = CompositingOutput(
        path="ad.mp4", duration_seconds=15.0, width=360, height=640, preflight=verdict
    )
    await complete_compositing(engine, job["id"], output)
    every = (await gql(client, QUERY, {"id": job["id"], "failed": False}))["data"]["job"]
    preflight = every["preflight"]
    assert (preflight["passed"], preflight["placements"]) == (False, ["TIKTOK"])
    assert preflight["placementLabels"] == ["TikTok in-feed"]
    assert [(c["name"], c["placement"], c["passed"]) for c in preflight["checks"]] == [
        ("loudness", "TIKTOK", False),
        ("duration", "TIKTOK", True),
        ("numbers_on_screen", None, True),
    ]
    loud = preflight["checks"][0]
    assert loud["measured"] == "-1.1 LUFS" and loud["limit"] == "-14 LUFS +-2 LU"
    assert "too loud" in loud["message"]

    failed = (await gql(client, QUERY, {"id": job["id"], "failed": True}))["data"]["job"]
    assert [c["name"] for c in failed["preflight"]["checks"]] == ["loudness"]


async def test_an_ad_made_before_preflights_has_none(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    job = await create_job(client)
    old = CompositingOutput(path="ad.mp4", duration_seconds=30.0, width=1080, height=1920)
    await complete_compositing(engine, job["id"], old)
    body = await gql(client, QUERY, {"id": job["id"], "failed": False})
    assert body["data"]["job"]["preflight"] is None
