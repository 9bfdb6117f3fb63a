"""createJob: success, every validation error (with nothing persisted), uploads, enqueueing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import MAX_PRODUCT_IMAGES, Job, Stage
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import CREATE_JOB, create_job, gql, image_bytes, job_input, upload


async def count_rows(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        jobs = (await connection.execute(select(func.count()).select_from(Job))).scalar_one()
        stages = (await connection.execute(select(func.count()).select_from(Stage))).scalar_one()
    return jobs, stages


def stored_files(settings: Settings) -> list[Path]:
    root = settings.media_root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def assert_nothing_kept(
    engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    assert await count_rows(engine) == (0, 0)
    assert stored_files(settings) == []
    assert await redis.zcard("video_generation_queue") == 0


async def test_create_job_without_image_is_pending_with_four_stages_and_queued(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    job = await create_job(client, productName="  Aurora   Headphones ", aspectRatio="SQUARE")

    assert job["status"] == "PENDING"
    assert job["productName"] == "Aurora Headphones"  # trimmed
    assert job["aspectRatio"] == "SQUARE"
    assert job["productImageUrl"] is None
    assert [(s["name"], s["status"], s["progress"]) for s in job["stages"]] == [
        ("SCRIPT_GEN", "PENDING", 0),
        ("VOICE_GEN", "PENDING", 0),
        ("VIDEO_GEN", "PENDING", 0),
        ("COMPOSITING", "PENDING", 0),
    ]
    assert await count_rows(engine) == (1, 4)
    # The arq job, keyed by the job id, on the named queue.
    assert await redis.zscore("video_generation_queue", job["id"]) is not None
    assert await redis.exists(f"arq:job:{job['id']}")


async def test_default_aspect_ratio_is_portrait(client: httpx.AsyncClient) -> None:
    job = await create_job(client)
    assert job["aspectRatio"] == "PORTRAIT"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"productName": "   "}, ["input", "productName"], "REQUIRED"),
        ({"productName": "x" * 121}, ["input", "productName"], "TOO_LONG"),
        ({"ctaText": ""}, ["input", "ctaText"], "REQUIRED"),
        ({"ctaText": "y" * 61}, ["input", "ctaText"], "TOO_LONG"),
        ({"ctaText": "a b c d e f g h i j k"}, ["input", "ctaText"], "TOO_LONG"),
    ],
)
async def test_text_validation_errors_name_the_field_and_persist_nothing(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    overrides: dict[str, str],
    field: list[str],
    code: str,
) -> None:
    body = await gql(client, CREATE_JOB, {"input": job_input(**overrides)})
    payload = body["data"]["createJob"]
    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert field[-1] in payload["errors"][0]["message"]
    assert await count_rows(engine) == (0, 0)
    assert await redis.zcard("video_generation_queue") == 0


async def test_limits_are_inclusive(client: httpx.AsyncClient) -> None:
    job = await create_job(client, productName="x" * 120, ctaText="y" * 60)
    assert len(job["productName"]) == 120


async def test_several_errors_are_reported_together(client: httpx.AsyncClient) -> None:
    body = await gql(client, CREATE_JOB, {"input": job_input(productName="", ctaText="")})
    fields = [e["field"] for e in body["data"]["createJob"]["errors"]]
    assert fields == [["input", "productName"], ["input", "ctaText"]]


async def test_multipart_upload_stores_the_image_under_a_server_chosen_name(
    client: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    data = image_bytes(fmt="JPEG")
    response = await upload(client, job_input(), data, filename="../../evil.png")
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["createJob"]
    assert payload["errors"] == []
    url = payload["job"]["productImageUrl"]
    path = url.split("?", 1)[0]
    assert path.startswith("/media/uploads/") and path.endswith(".jpg")  # detected, not trusted
    assert "evil" not in url
    files = stored_files(settings)
    assert len(files) == 1 and files[0].read_bytes() == data
    # And it is served back.
    served = await client.get(url)
    assert served.status_code == 200 and served.content == data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
async def test_png_and_webp_are_accepted(client: httpx.AsyncClient, fmt: str) -> None:
    response = await upload(client, job_input(), image_bytes(fmt=fmt))
    assert response.json()["data"]["createJob"]["errors"] == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "INVALID_IMAGE"),  # not an image Pillow can read as such
        (b"this is not an image at all", "INVALID_IMAGE"),
        (image_bytes(fmt="GIF"), "INVALID_IMAGE"),  # a real image, but not an accepted format
        (image_bytes(fmt="PNG")[:60], "INVALID_IMAGE"),  # truncated
        (b"", "REQUIRED"),
    ],
    ids=["gif-header", "text", "gif", "truncated-png", "empty"],
)
async def test_bad_images_are_rejected_and_nothing_is_stored(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    data: bytes,
    code: str,
) -> None:
    response = await upload(client, job_input(), data, filename="photo.png")
    payload = response.json()["data"]["createJob"]
    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "productImage"], code)
    ]
    assert await count_rows(engine) == (0, 0)
    assert stored_files(settings) == []


async def test_image_over_the_pixel_limit_is_rejected_before_decoding(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    # 8000 x 6000 = 48 megapixels of one colour: a small PNG that would be a large bitmap.
    data = image_bytes(8000, 6000, fmt="PNG")
    assert len(data) < 1_000_000
    response = await upload(client, job_input(), data)
    errors = response.json()["data"]["createJob"]["errors"]
    assert errors[0]["code"] == "TOO_LARGE" and "megapixels" in errors[0]["message"]
    assert await count_rows(engine) == (0, 0)
    assert stored_files(settings) == []


async def test_image_over_max_upload_bytes_is_a_field_error(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    data = image_bytes(fmt="PNG") + b"\x00" * (settings.max_upload_bytes + 10)
    response = await upload(client, job_input(), data)
    errors = response.json()["data"]["createJob"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "productImage"], "TOO_LARGE")]
    assert await count_rows(engine) == (0, 0)


async def test_request_far_over_the_limit_is_refused_with_413(
    engine: AsyncEngine, database_url: str, redis_url: str, redis: aioredis.Redis, tmp_path: Path
) -> None:
    # The body may hold eight photos and a music track; beyond them all (and some slack) it is
    # refused before it is read. Small limits, so the test need not build 100 MB.
    settings = make_settings(
        database_url, redis_url, tmp_path, max_upload_bytes=50_000, max_music_bytes=100_000
    )
    data = b"\x00" * (MAX_PRODUCT_IMAGES * 50_000 + 100_000 + 1024 * 1024)
    async with serve_app(settings) as (client, _app):
        response = await upload(client, job_input(), data)
    assert response.status_code == 413
    assert await count_rows(engine) == (0, 0)


async def test_multipart_without_preflight_header_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await upload(client, job_input(), image_bytes(), headers={})
    assert response.status_code == 400
    assert "Apollo-Require-Preflight" in response.json()["errors"][0]["message"]
    assert await count_rows(engine) == (0, 0)


async def test_operation_name_header_also_satisfies_csrf_check(client: httpx.AsyncClient) -> None:
    response = await upload(
        client, job_input(), image_bytes(), headers={"X-Apollo-Operation-Name": "Create"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["createJob"]["errors"] == []


async def test_job_survives_redis_being_down_and_stays_pending(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    from devserver.embedded_redis import free_port

    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    async with serve_app(make_settings(database_url, dead_redis, tmp_path)) as (client, _app):
        job = await create_job(client)
        assert job["status"] == "PENDING"
        fetched = await gql(client, "query($id: ID!){ job(id: $id){ status } }", {"id": job["id"]})
        assert fetched["data"]["job"]["status"] == "PENDING"
    assert await count_rows(engine) == (1, 4)
