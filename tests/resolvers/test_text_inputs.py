"""Text in, text out: what createJob accepts is valid Unicode the pipeline can use, limits count
characters as people see them, and anything else is a field error with nothing stored, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import CREATE_JOB, create_job, gql, job_input
from tests.resolvers.test_create_job import count_rows

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one character, seven code points


async def refused(client: httpx.AsyncClient, **overrides: str) -> list[dict[str, object]]:
    # ASCII JSON, as a browser's JSON.stringify sends a lone surrogate: as a \ud800 escape.
    request = {"query": CREATE_JOB, "variables": {"input": job_input(**overrides)}}
    response = await client.post(
        "/graphql", content=json.dumps(request), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["createJob"]
    assert payload["job"] is None
    errors: list[dict[str, object]] = payload["errors"]
    return errors


@pytest.mark.parametrize(
    ("field", "value", "code", "says"),
    [
        ("productName", "Aurora\x00Headphones", "INVALID_TEXT", "control character U+0000"),
        ("ctaText", "Shop\x07now", "INVALID_TEXT", "control character U+0007"),
        ("productName", "Aurora \ud800", "INVALID_TEXT", "lone surrogate"),
        ("ctaText", "\udfff", "INVALID_TEXT", "lone surrogate"),
        ("productName", "Kite\u202e", "INVALID_TEXT", "bidirectional override"),
        ("productName", "\u200b\u00a0\u200b\u2060\u3000", "REQUIRED", "invisible"),
        ("ctaText", "\ufeff \u200d", "REQUIRED", "invisible"),
        ("productName", FAMILY * 121, "TOO_LONG", "121 characters; at most 120"),
        ("ctaText", "限時優惠立即購買限時優惠立即購買限時優惠立", "TOO_LONG", "11 words"),
    ],
)
async def test_unusable_text_is_a_field_error_and_nothing_is_stored(
    client: httpx.AsyncClient, engine: AsyncEngine, field: str, value: str, code: str, says: str
) -> None:
    errors = await refused(client, **{field: value})
    assert len(errors) == 1
    assert errors[0]["field"] == ["input", field] and errors[0]["code"] == code
    assert says in str(errors[0]["message"])
    assert await count_rows(engine) == (0, 0)
    # The server is fine and takes the next request.
    assert (await create_job(client))["status"] == "PENDING"


async def test_limits_count_characters_as_people_see_them(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    name = FAMILY * 120  # 840 code points
    job = await create_job(client, productName=name, ctaText="Café ☕ now")
    assert job["productName"] == name
    fetched = await gql(client, "query($id: ID!){ job(id: $id){ productName } }", {"id": job["id"]})
    assert fetched["data"]["job"]["productName"] == name
    assert await count_rows(engine) == (1, 4)


async def test_text_is_stored_composed_with_spaces_collapsed(client: httpx.AsyncClient) -> None:
    job = await create_job(
        client, productName="\u200b Cre\u0300me\u00a0\u00a0Bru\u0302le\u0301e \u200b", ctaText="Go"
    )
    assert job["productName"] == "Crème Brûlée"
