"""job, jobs (pagination, filters, owner isolation), styles, and the N+1 guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.engine import create_session_factory
from db.models import Job
from tests.conftest import make_settings, serve_app
from tests.factories import create_job, gql

JOBS = """
query($first: Int, $after: String, $status: JobStatus, $style: AdStyle) {
  jobs(first: $first, after: $after, status: $status, style: $style) {
    edges { cursor node { id productName style status progress stages { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_job_by_id_returns_every_contract_field(client: httpx.AsyncClient) -> None:
    created = await create_job(client, style="BOLD", ctaText="Get yours")
    body = await gql(
        client,
        """query($id: ID!) { job(id: $id) {
            id status progress productName style ctaText aspectRatio productImageUrl videoUrl
            errorMessage costUsd createdAt updatedAt script { hook }
            stages { name status progress startedAt completedAt errorMessage costUsd provider }
        } }""",
        {"id": created["id"]},
    )
    job = body["data"]["job"]
    assert job["id"] == created["id"]
    assert (job["status"], job["progress"], job["style"], job["ctaText"]) == (
        "PENDING", 0, "BOLD", "Get yours",
    )  # fmt: skip
    assert job["costUsd"] == 0.0 and job["videoUrl"] is None and job["script"] is None
    assert job["createdAt"].endswith("+00:00")  # timezone-aware
    assert [s["name"] for s in job["stages"]] == [
        "SCRIPT_GEN", "VOICE_GEN", "VIDEO_GEN", "COMPOSITING",
    ]  # fmt: skip


@pytest.mark.parametrize("job_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
async def test_unknown_job_is_null(client: httpx.AsyncClient, job_id: str) -> None:
    body = await gql(client, "query($id: ID!) { job(id: $id) { id } }", {"id": job_id})
    assert body == {"data": {"job": None}}


async def test_jobs_are_newest_first_and_paginate_by_cursor(client: httpx.AsyncClient) -> None:
    ids = [(await create_job(client, productName=f"Product {i}"))["id"] for i in range(5)]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await gql(client, JOBS, {"first": 2, "after": after})
        connection = body["data"]["jobs"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))
    assert pages == 3


async def test_jobs_filters_by_status_and_style(client: httpx.AsyncClient) -> None:
    luxury = await create_job(client, style="LUXURY")
    bold = await create_job(client, style="BOLD")
    await gql(
        client, "mutation($id: ID!){ cancelJob(id: $id){ errors { code } } }", {"id": bold["id"]}
    )

    by_style = await gql(client, JOBS, {"style": "LUXURY"})
    assert [e["node"]["id"] for e in by_style["data"]["jobs"]["edges"]] == [luxury["id"]]
    by_status = await gql(client, JOBS, {"status": "CANCELLED"})
    assert [e["node"]["id"] for e in by_status["data"]["jobs"]["edges"]] == [bold["id"]]
    both = await gql(client, JOBS, {"status": "CANCELLED", "style": "LUXURY"})
    assert both["data"]["jobs"]["edges"] == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [({"first": 0}, "`first`"), ({"first": 101}, "`first`"), ({"after": "garbage!"}, "`after`")],
)
async def test_bad_pagination_arguments_are_explained(
    client: httpx.AsyncClient, variables: dict[str, Any], message: str
) -> None:
    body = await gql(client, JOBS, variables)
    assert message in body["errors"][0]["message"]


async def test_styles_lists_four_templates_of_thirty_seconds(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        "{ styles { style name description scenes { index durationSeconds purpose isStatic } } }",
    )
    styles = body["data"]["styles"]
    assert [s["style"] for s in styles] == ["LUXURY", "ENERGETIC", "MINIMAL", "BOLD"]
    for style in styles:
        assert [s["index"] for s in style["scenes"]] == [1, 2, 3, 4]
        assert sum(s["durationSeconds"] for s in style["scenes"]) == 30
        assert [s["isStatic"] for s in style["scenes"]] == [False, False, False, True]
        assert [s["purpose"] for s in style["scenes"]] == ["hook", "feature", "benefit", "cta"]
        assert style["description"]


async def test_stage_queries_do_not_grow_with_page_size(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    """jobs(first: N){ stages } costs the same number of statements for 5 jobs as for 50."""
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        for i in range(50):
            session.add(
                Job.new(owner="local", product_name=f"P{i}", style="minimal", cta_text="Go")
            )

    async with serve_app(make_settings(database_url, redis_url, tmp_path)) as (client, app):
        await _count_statements(client, app)


async def _count_statements(client: httpx.AsyncClient, app: Starlette) -> None:
    app_engine = app.state.services.session_factory.kw["bind"]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(app_engine.sync_engine, "before_cursor_execute", count)
    query = "query($n: Int){ jobs(first: $n){ edges { node { progress stages { name } } } } }"
    counts = {}
    for size in (5, 50):
        statements.clear()
        body = await gql(client, query, {"n": size})
        edges = body["data"]["jobs"]["edges"]
        assert len(edges) == size and all(len(e["node"]["stages"]) == 4 for e in edges)
        counts[size] = len(statements)
    assert counts[5] == counts[50] == 2, counts  # one for the page, one for all its stages


async def test_owners_never_see_each_others_jobs(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path, api_keys="ka:alice,kb:bob")
    alice = {"Authorization": "Bearer ka"}
    bob = {"Authorization": "Bearer kb"}
    async with serve_app(settings) as (client, _app):
        created = await gql(
            client,
            "mutation($i: CreateJobInput!){ createJob(input: $i){ job { id } } }",
            {"i": {"productName": "Alice's lamp", "style": "MINIMAL", "ctaText": "Buy"}},
            headers=alice,
        )
        job_id = created["data"]["createJob"]["job"]["id"]
        by_id = "query($id: ID!){ job(id: $id){ id } }"

        assert (await gql(client, by_id, {"id": job_id}, alice))["data"]["job"]["id"] == job_id
        assert (await gql(client, by_id, {"id": job_id}, bob))["data"]["job"] is None
        bob_jobs = await gql(client, JOBS, {}, bob)
        assert bob_jobs["data"]["jobs"]["edges"] == []
        alice_jobs = await gql(client, JOBS, {}, alice)
        assert len(alice_jobs["data"]["jobs"]["edges"]) == 1

        for mutation in ("cancelJob", "retryJob"):
            body = await gql(
                client,
                f"mutation($id: ID!){{ {mutation}(id: $id)"
                "{ job { id } errors { code field } } }",
                {"id": job_id},
                bob,
            )
            assert body["data"][mutation] == {
                "job": None,
                "errors": [{"code": "NOT_FOUND", "field": ["id"]}],
            }
        # Bob's attempt changed nothing.
        status = await gql(
            client, "query($id: ID!){ job(id: $id){ status } }", {"id": job_id}, alice
        )
        assert status["data"]["job"]["status"] == "PENDING"

        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic ka"}):
            response = await client.post(
                "/graphql", json={"query": "{ styles { name } }"}, headers=headers
            )
            assert response.status_code == 401
            assert "ka" not in response.text
