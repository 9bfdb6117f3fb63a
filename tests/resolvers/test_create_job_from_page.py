"""createJob with productUrl: a shop's page (served from 127.0.0.1) fills in the name, the
description, the photos and the price; what the caller gives wins; a page that cannot be used
is a field error on productUrl, and then nothing is stored and nothing is queued.

The shop and its pages are the product page reader's (tests/resolvers/test_product_page.py,
tests/resolvers/pages/); no request leaves the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from devserver.embedded_redis import free_port
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import gql, image_bytes, job_input
from tests.pipeline.providers.fakes.server import serve
from tests.resolvers.test_create_job import assert_nothing_kept, stored_files
from tests.resolvers.test_product_page import Shop
from tests.resolvers.test_product_photos import mark_completed, photo, send_photos, served

FROM_PAGE = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) {
    job {
      id productName productDescription productPrice productUrl productImageUrls
      productFacts { field source note }
    }
    errors { field code message }
  }
}
"""
PAGE = "/products/aurora-wireless-headphones"
NAME = "Aurora Wireless Headphones"
DESCRIPTION = (
    "Noise cancelling over-ear headphones with a 40-hour battery. "
    "Folds flat into the case & charges over USB-C."
)
# The photos the Shopify page's JSON-LD lists, in its order.
PHOTOS = {
    "/cdn/shop/files/aurora-front.png": (photo(600, 800, "PNG"), "image/png"),
    "/cdn/shop/files/aurora-side.jpg": (photo(800, 450, "JPEG"), "image/jpeg"),
    "/cdn/shop/files/aurora-case.webp": (photo(320, 320, "WEBP"), "image/webp"),
}

FACTS = [
    {"field": "name", "source": "json-ld", "note": None},
    {"field": "description", "source": "json-ld", "note": None},
    {"field": "price", "source": "json-ld", "note": None},
    {"field": "photos", "source": "json-ld", "note": "3 photos"},
]


@pytest.fixture
async def shop() -> AsyncIterator[Shop]:
    """A shop on loopback selling the Aurora headphones (the Shopify Dawn page and its photos);
    tests add other pages to it."""
    shop = Shop()
    async with serve(Starlette(routes=[Route("/{path:path}", shop.handle)])) as origin:
        shop.origin = origin
        shop.fixture(PAGE, "shopify_dawn.html")
        for path, (data, kind) in PHOTOS.items():
            shop.image(path, data, kind)
        yield shop


@pytest.fixture
def settings(engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    """The shop is on 127.0.0.1: reading it needs private networks allowed."""
    return make_settings(
        database_url, redis_url, tmp_path, product_page_allow_private_networks=True
    )


async def create_from(client: httpx.AsyncClient, **input_: Any) -> dict[str, Any]:
    body = await gql(client, FROM_PAGE, {"input": input_})
    payload: dict[str, Any] = body["data"]["createJob"]
    return payload


def without_name(**overrides: Any) -> dict[str, Any]:
    values = job_input(**overrides)
    del values["productName"]
    return values


def fields_and_codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_a_product_page_fills_in_the_job(
    client: httpx.AsyncClient, shop: Shop, settings: Settings, redis: aioredis.Redis
) -> None:
    url = shop.origin + PAGE
    payload = await create_from(client, **without_name(productUrl=url))

    assert payload["errors"] == []
    job = payload["job"]
    assert job["productName"] == NAME
    assert job["productDescription"] == DESCRIPTION
    assert job["productPrice"] == "$24.00"
    assert job["productUrl"] == url
    # The page's three photos, stored as uploads are and served back in the page's order.
    assert await served(client, job["productImageUrls"]) == [d for d, _ in PHOTOS.values()]
    assert len(stored_files(settings)) == 3
    assert await redis.zscore("video_generation_queue", job["id"]) is not None
    # Why the ad says what it says: each fact and where on the page it was read.
    assert job["productFacts"] == FACTS

    again = await gql(
        client,
        "query($id: ID!) { job(id: $id) { productName productPrice productUrl } }",
        {"id": job["id"]},
    )
    assert again["data"]["job"] == {
        "productName": NAME,
        "productPrice": "$24.00",
        "productUrl": url,
    }


async def test_what_the_caller_gives_wins_over_the_page(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    own_photo = image_bytes(fmt="JPEG")
    payload = await send_photos(
        client,
        [],
        single=own_photo,
        query=FROM_PAGE,
        productName="Aurora Pro",
        productDescription="Our quietest headphones yet.",
        productUrl=shop.origin + PAGE,
    )

    assert payload["errors"] == []
    job = payload["job"]
    assert job["productName"] == "Aurora Pro"
    assert job["productDescription"] == "Our quietest headphones yet."
    assert job["productPrice"] == "$24.00"  # the page's: the input has no price
    assert await served(client, job["productImageUrls"]) == [own_photo]
    assert shop.asked == [PAGE]  # the page's photos were not even fetched
    # Only the page's price is the page's.
    assert job["productFacts"] == [{"field": "price", "source": "json-ld", "note": None}]


async def test_the_callers_name_wins_and_the_page_fills_the_rest(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    payload = await create_from(
        client, **job_input(productName="Aurora Pro", productUrl=shop.origin + PAGE)
    )
    job = payload["job"]
    assert job["productName"] == "Aurora Pro"
    assert job["productDescription"] == DESCRIPTION
    assert await served(client, job["productImageUrls"]) == [d for d, _ in PHOTOS.values()]


async def test_a_name_too_long_on_the_page_is_shortened_at_a_word(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    long_name = "Aurora Wireless Headphones " + "with Extra Long Battery " * 8
    url = shop.page(
        "/products/long",
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
        f'"@type": "Product", "name": "{long_name}"}}</script></head></html>',
    )
    payload = await create_from(client, **without_name(productUrl=url))

    name = payload["job"]["productName"]
    assert 100 < len(name) <= 120 and long_name.startswith(name)
    assert long_name[len(name)] == " "  # whole words only


async def test_without_a_name_or_a_page_the_name_is_required(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    payload = await create_from(client, **without_name())

    assert fields_and_codes(payload) == [(["input", "productName"], "REQUIRED")]
    assert "productUrl" in payload["errors"][0]["message"]
    await assert_nothing_kept(engine, redis, settings)


async def test_a_typo_elsewhere_costs_no_request_to_the_shop(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    payload = await create_from(client, **without_name(ctaText="", productUrl=shop.origin + PAGE))

    assert fields_and_codes(payload) == [(["input", "ctaText"], "REQUIRED")]
    assert shop.asked == []


def _add_page(shop: Shop, case: str) -> str:
    """A page of the shop that cannot make a job, by what is wrong with it; its URL."""
    if case == "no-product":
        return shop.fixture("/journal/how-to-care-for-linen/", "blog_post.html")
    if case == "not-html":
        shop.answers["/manual.pdf"] = lambda _: Response(b"%PDF-1.7", media_type="application/pdf")
        return shop.origin + "/manual.pdf"
    assert case == "oversize"
    return shop.page("/products/huge", "<html>" + "<p>Aurora</p>" * 200_000 + "</html>")


@pytest.mark.parametrize(
    ("case", "code"),
    [("no-product", "NO_PRODUCT"), ("not-html", "NO_PRODUCT"), ("oversize", "TOO_LARGE")],
)
async def test_a_page_that_cannot_make_a_job_is_a_field_error_and_nothing_is_kept(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    settings: Settings,
    shop: Shop,
    case: str,
    code: str,
) -> None:
    payload = await create_from(client, **without_name(productUrl=_add_page(shop, case)))

    assert payload["job"] is None
    assert fields_and_codes(payload) == [(["input", "productUrl"], code)]
    assert payload["errors"][0]["message"].startswith("productUrl ")
    await assert_nothing_kept(engine, redis, settings)


async def test_an_unreachable_page_is_a_field_error_and_nothing_is_kept(
    client: httpx.AsyncClient, engine: AsyncEngine, redis: aioredis.Redis, settings: Settings
) -> None:
    url = f"http://127.0.0.1:{free_port()}{PAGE}"  # nothing listens there
    payload = await create_from(client, **job_input(productUrl=url))

    assert fields_and_codes(payload) == [(["input", "productUrl"], "UNREACHABLE")]
    await assert_nothing_kept(engine, redis, settings)


async def test_a_page_on_a_private_address_is_refused_by_default(
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    redis: aioredis.Redis,
    tmp_path: Path,
    shop: Shop,
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path)
    assert settings.product_page_allow_private_networks is False
    async with serve_app(settings) as (client, _app):
        payload = await create_from(client, **without_name(productUrl=shop.origin + PAGE))

    assert fields_and_codes(payload) == [(["input", "productUrl"], "INVALID_URL")]
    assert "127.0.0.1" in payload["errors"][0]["message"]
    assert shop.asked == []  # refused before any connection
    await assert_nothing_kept(engine, redis, settings)


async def test_an_overlong_url_is_refused_before_any_request(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    payload = await create_from(
        client, **without_name(productUrl=shop.origin + PAGE + "?q=" + "x" * 2100)
    )

    assert fields_and_codes(payload) == [(["input", "productUrl"], "TOO_LONG")]
    assert shop.asked == []


async def test_variants_keep_the_page_and_its_price(
    client: httpx.AsyncClient, shop: Shop, engine: AsyncEngine
) -> None:
    source = (await create_from(client, **without_name(productUrl=shop.origin + PAGE)))["job"]
    await mark_completed(engine, source["id"])
    body = await gql(
        client,
        """mutation($input: CreateVariantsInput!) { createVariants(input: $input) {
          jobs { productName productPrice productUrl productImageUrls
                 productFacts { field source note } }
          errors { message } } }""",
        {"input": {"jobId": source["id"], "count": 1, "vary": ["HOOK"]}},
    )
    [variant] = body["data"]["createVariants"]["jobs"]

    assert variant["productPrice"] == "$24.00"
    assert variant["productUrl"] == source["productUrl"]
    assert variant["productFacts"] == source["productFacts"] == FACTS
    assert await served(client, variant["productImageUrls"]) == [d for d, _ in PHOTOS.values()]


async def test_a_page_without_structured_data_makes_a_job_from_its_heading_and_price(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.image("/images/I/51kettle._AC_SL1500_.jpg", photo(600, 600, "JPEG"), "image/jpeg")
    # The second photo of its gallery is gone: skipped, and said on the job.
    url = shop.fixture("/dp/B0KETTLE", "no_structured_data.html")
    payload = await create_from(client, **without_name(productUrl=url))

    assert payload["errors"] == []
    job = payload["job"]
    assert (job["productName"], job["productPrice"]) == (
        "Copper Pour-Over Kettle, 1 Litre, Gooseneck Spout",
        "$64.99",
    )
    assert len(job["productImageUrls"]) == 1
    assert job["productFacts"] == [
        {"field": "name", "source": "heading", "note": None},
        {"field": "price", "source": "page text", "note": None},
        {
            "field": "photos",
            "source": "page script",
            "note": "1 photo; 1 could not be used (answered HTTP 404)",
        },
    ]
