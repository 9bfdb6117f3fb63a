"""createJob's duration: AUTO makes a thin brief a shorter ad, SECONDS_15 and SECONDS_30 force
the length, and a value that is not one of them is refused naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import gql, job_input

CREATE = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) {
    job { id duration durationSeconds }
    errors { field code message }
  }
}
"""
RICH = {
    "productDescription": "Cold brew coffee, slow steeped for eighteen hours in small batches. "
    "Smooth and low in acidity, it keeps for two weeks in the fridge, ready when you are.",
    "keyBenefits": ["Ready to pour, no machine needed", "Less bitter than hot-brewed coffee"],
}


async def _create(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = await gql(client, CREATE, {"input": job_input(**overrides)})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createJob"]
    assert payload["errors"] == []
    job: dict[str, Any] = payload["job"]
    return job


@pytest.mark.parametrize(
    ("overrides", "duration", "seconds"),
    [
        ({}, "AUTO", 15.0),  # a name and a CTA: 15 s, not 30 s of filler
        (RICH, "AUTO", 25.0),
        ({"duration": "SECONDS_30"}, "SECONDS_30", 30.0),
        ({**RICH, "duration": "SECONDS_15"}, "SECONDS_15", 15.0),
    ],
)
async def test_the_length_is_decided_and_stored(
    client: httpx.AsyncClient, overrides: dict[str, Any], duration: str, seconds: float
) -> None:
    job = await _create(client, **overrides)
    assert job["duration"] == duration
    assert job["durationSeconds"] == seconds
    again = await gql(
        client, "query($id: ID!) { job(id: $id) { duration durationSeconds } }", {"id": job["id"]}
    )
    assert again["data"]["job"] == {"duration": duration, "durationSeconds": seconds}


@pytest.mark.parametrize("value", ["SECONDS_45", "30", "auto"])
async def test_a_bad_duration_is_a_clear_field_error(client: httpx.AsyncClient, value: str) -> None:
    body = await gql(client, CREATE, {"input": job_input(duration=value)})
    assert body.get("data") is None
    [error] = body["errors"]
    # GraphQL refuses it before the resolver runs, naming the field, the value and the type.
    assert "$input" in error["message"] and ".duration" in error["message"]
    assert value in error["message"]
    assert "AdDuration" in error["message"]
