"""Plain factory functions for test data and GraphQL calls."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import httpx
from PIL import Image

CREATE_JOB = """
mutation Create($input: CreateJobInput!) {
  createJob(input: $input) {
    job { id status productName ctaText style aspectRatio productImageUrl costUsd
          stages { name status progress } }
    errors { field code message }
  }
}
"""


def image_bytes(
    width: int = 64, height: int = 48, fmt: str = "PNG", color: str = "#c9a45c"
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def job_input(**overrides: Any) -> dict[str, Any]:
    return {
        "productName": "Aurora Headphones",
        "style": "LUXURY",
        "ctaText": "Shop now",
        **overrides,
    }


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload(
    client: httpx.AsyncClient,
    input_: dict[str, Any],
    data: bytes,
    *,
    filename: str = "product.png",
    content_type: str = "image/png",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """createJob as a GraphQL multipart request (spec: operations, map, then the files)."""
    operations = {
        "query": CREATE_JOB,
        "variables": {"input": {**input_, "productImage": None}},
    }
    return await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.productImage"]}),
        },
        files={"0": (filename, data, content_type)},
        headers={"Apollo-Require-Preflight": "true"} if headers is None else headers,
    )


async def create_job(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = await gql(client, CREATE_JOB, {"input": job_input(**overrides)})
    payload: dict[str, Any] = body["data"]["createJob"]
    assert payload["errors"] == [], payload
    job: dict[str, Any] = payload["job"]
    return job


async def wait_for_job(
    client: httpx.AsyncClient,
    query: str,
    job_id: str,
    statuses: tuple[str, ...] = ("COMPLETED", "FAILED", "CANCELLED"),
    timeout: float = 120,
) -> dict[str, Any]:
    """Poll `query` (which selects `job(id: $id) { status ... }`) until the job is in one of
    `statuses`; returns the job as that query shows it."""
    async with asyncio.timeout(timeout):
        while True:
            job: dict[str, Any] = (await gql(client, query, {"id": job_id}))["data"]["job"]
            if job["status"] in statuses:
                return job
            await asyncio.sleep(0.2)
