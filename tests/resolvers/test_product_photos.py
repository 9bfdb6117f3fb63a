"""createJob with several photos (productImages): each checked like productImage, all stored in
order and served back privately, or none stored at all; variants keep them."""

from __future__ import annotations

import io
import json
import random
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job
from domain.enums import JobStatus
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import gql, image_bytes, job_input
from tests.resolvers.test_create_job import assert_nothing_kept, stored_files
from web.middleware import MULTIPART_SLACK

PHOTOS = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) {
    job { id productImageUrl productImageUrls }
    errors { field code message }
  }
}
"""


def photo(width: int, height: int, fmt: str, mode: str = "RGB") -> bytes:
    """A real image with some detail in it (a gradient), so each one encodes differently."""
    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def transparent_png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((200, 40, 40, 255), (width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def noise_png(side: int, seed: int) -> bytes:
    """A PNG that does not compress: about side * side * 3 bytes."""
    pixels = random.Random(seed).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, format="PNG")
    return buffer.getvalue()


EIGHT = [
    photo(360, 640, "JPEG"),  # portrait
    photo(640, 360, "PNG"),  # landscape
    transparent_png(300, 300),
    photo(1600, 1200, "JPEG"),
    photo(320, 320, "WEBP"),
    photo(90, 300, "PNG", mode="L"),  # tall, grey
    photo(120, 80, "PNG", mode="P"),  # palette
    photo(1, 1, "PNG"),
]


async def send_photos(
    client: httpx.AsyncClient,
    photos: list[bytes],
    *,
    single: bytes | None = None,
    query: str = PHOTOS,
    **overrides: Any,
) -> dict[str, Any]:
    """createJob as one multipart request with `photos` as productImages (and `single` as
    productImage)."""
    variables: dict[str, Any] = {"input": job_input(**overrides)}
    mapping: dict[str, list[str]] = {}
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    if photos:
        variables["input"]["productImages"] = [None] * len(photos)
    for index, data in enumerate(photos):
        mapping[str(index)] = [f"variables.input.productImages.{index}"]
        files.append((str(index), (f"photo-{index}.png", data, "image/png")))
    if single is not None:
        variables["input"]["productImage"] = None
        mapping["single"] = ["variables.input.productImage"]
        files.append(("single", ("photo.png", single, "image/png")))
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files=files,
        headers={"Apollo-Require-Preflight": "true"},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["createJob"]
    return payload


async def served(client: httpx.AsyncClient, urls: list[str]) -> list[bytes]:
    contents = []
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        contents.append(response.content)
    return contents


async def mark_completed(engine: AsyncEngine, job_id: str) -> None:
    """As if the worker had made the ad (variants are made of COMPLETED jobs only)."""
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(
            update(Job).where(Job.id == uuid.UUID(job_id)).values(status=JobStatus.COMPLETED)
        )


async def test_eight_photos_of_every_shape_are_kept_and_served_in_order(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    payload = await send_photos(client, EIGHT)

    assert payload["errors"] == []
    job = payload["job"]
    urls = job["productImageUrls"]
    assert len(urls) == 8
    assert await served(client, urls) == EIGHT
    for url in urls:  # private: only the signed URL serves it
        assert (await client.get(url.split("?", 1)[0])).status_code == 403
    assert job["productImageUrl"] == urls[0]  # the first photo, for clients that show one
    extensions = [url.split("?", 1)[0].rsplit(".", 1)[1] for url in urls]
    assert extensions == ["jpg", "png", "png", "jpg", "webp", "png", "png", "png"]
    assert len(stored_files(settings)) == 8

    # And they are the job's, whenever it is read again.
    again = await gql(
        client, "query($id: ID!) { job(id: $id) { productImageUrls } }", {"id": job["id"]}
    )
    assert await served(client, again["data"]["job"]["productImageUrls"]) == EIGHT


async def test_product_image_is_a_list_of_one(client: httpx.AsyncClient) -> None:
    data = image_bytes(fmt="JPEG")
    payload = await send_photos(client, [], single=data)

    assert payload["errors"] == []
    assert payload["job"]["productImageUrls"] == [payload["job"]["productImageUrl"]]
    assert await served(client, payload["job"]["productImageUrls"]) == [data]


async def test_no_photo_at_all_is_an_empty_list(client: httpx.AsyncClient) -> None:
    payload = (await gql(client, PHOTOS, {"input": job_input()}))["data"]["createJob"]
    assert payload["job"]["productImageUrls"] == []
    assert payload["job"]["productImageUrl"] is None


async def test_nine_photos_are_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    payload = await send_photos(client, [*EIGHT, image_bytes()])

    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "productImages"], "TOO_LONG")
    ]
    assert "9 photos; at most 8" in payload["errors"][0]["message"]
    await assert_nothing_kept(engine, redis, settings)


async def test_a_bad_fourth_photo_is_named_by_its_index_and_none_is_stored(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    photos = [*EIGHT[:3], b"GIF89a not really a photo", EIGHT[4]]
    payload = await send_photos(client, photos)

    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "productImages", "3"], "INVALID_IMAGE")
    ]
    await assert_nothing_kept(engine, redis, settings)


async def test_every_bad_photo_is_reported_at_once(client: httpx.AsyncClient) -> None:
    payload = await send_photos(client, [b"", EIGHT[0], image_bytes(fmt="GIF")])
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "productImages", "0"], "REQUIRED"),
        (["input", "productImages", "2"], "INVALID_IMAGE"),
    ]


async def test_product_image_and_product_images_together_conflict(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    payload = await send_photos(client, EIGHT[:2], single=EIGHT[2])

    assert payload["job"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "productImages"], "CONFLICT")
    ]
    await assert_nothing_kept(engine, redis, settings)


async def test_eight_photos_each_at_the_size_limit_fit_in_one_request(
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    redis: aioredis.Redis,
    tmp_path: Path,
) -> None:
    settings = make_settings(
        database_url, redis_url, tmp_path, max_upload_bytes=60_000, max_music_bytes=50_000
    )
    photos = [noise_png(128, seed) for seed in range(8)]
    assert all(len(p) <= settings.max_upload_bytes for p in photos)
    # More than one photo and a track could be: the body cap counts eight photos.
    one_photo_and_a_track = settings.max_upload_bytes + settings.max_music_bytes + MULTIPART_SLACK
    assert sum(map(len, photos)) > one_photo_and_a_track
    async with serve_app(settings) as (client, _app):
        payload = await send_photos(client, photos)
        assert payload["errors"] == []
        assert await served(client, payload["job"]["productImageUrls"]) == photos
        too_big = await send_photos(client, [photos[0], photos[1] + b"\x00" * 20_000])
    assert [(e["field"], e["code"]) for e in too_big["errors"]] == [
        (["input", "productImages", "1"], "TOO_LARGE")
    ]


async def test_variants_show_the_same_photos(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    source = (await send_photos(client, EIGHT[:3]))["job"]
    await mark_completed(engine, source["id"])
    body = await gql(
        client,
        """mutation($input: CreateVariantsInput!) { createVariants(input: $input) {
          jobs { productImageUrl productImageUrls } errors { code message } } }""",
        {"input": {"jobId": source["id"], "count": 2, "vary": ["HOOK"]}},
    )
    payload = body["data"]["createVariants"]

    assert payload["errors"] == []
    for variant in payload["jobs"]:
        assert await served(client, variant["productImageUrls"]) == EIGHT[:3]
        assert variant["productImageUrl"] == variant["productImageUrls"][0]
