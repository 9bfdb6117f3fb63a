"""The HTTP edge: /health, GET queries, limits, masking, CORS, GraphiQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from devserver.embedded_redis import free_port
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import gql


async def open_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(settings) as (client, _app):
        yield client


async def test_health_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("workers")["stuck"] == []
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "events": "ok"}


async def test_health_names_redis_when_it_is_down(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, f"redis://127.0.0.1:{free_port()}/0", tmp_path)
    async for client in open_client(settings):
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.json()["down"] == ["redis", "events"]
        assert response.json()["database"] == "ok"


@pytest.mark.slow
async def test_health_names_the_database_when_it_is_down(redis_url: str, tmp_path: Path) -> None:
    dead_database = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    settings = make_settings(dead_database, redis_url, tmp_path)
    async for client in open_client(settings):
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.json()["down"] == ["database"]


async def test_get_runs_queries_but_not_mutations(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ styles { name } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["styles"]) == 4

    mutation = 'mutation { cancelJob(id: "x") { errors { code } } }'
    response = await client.get("/graphql", params={"query": mutation})
    assert response.status_code == 400
    assert "GET" in response.text


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await client.get("/health")
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("{ " + " ".join(f"a{i}: styles {{ name }}" for i in range(40)) + " }", "aliases"),
        ("{ styles { " + "name " * 3000 + "} }", "token"),
    ],
    ids=["aliases", "tokens"],
)
async def test_query_limits(client: httpx.AsyncClient, query: str, fragment: str) -> None:
    response = await client.post("/graphql", json={"query": query})
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert fragment in body["errors"][0]["message"].lower()


async def test_query_depth_limit(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    # Our schema has no cycles deeper than 12, so prove the limit with a lower setting.
    settings = make_settings(database_url, redis_url, tmp_path, max_query_depth=3)
    async for client in open_client(settings):
        deep = "{ jobs { edges { node { stages { name } } } } }"
        body = (await client.post("/graphql", json={"query": deep})).json()
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
        shallow = "{ jobs { edges { cursor } } }"
        assert "errors" not in (await client.post("/graphql", json={"query": shallow})).json()


async def test_unexpected_errors_are_masked_and_the_server_stays_up(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers import jobs

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    monkeypatch.setattr(jobs, "get_job", broken)
    body = await gql(client, '{ job(id: "00000000-0000-0000-0000-000000000000") { id } }')
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" not in str(body)
    assert (await client.get("/health")).status_code == 200


async def test_introspection_can_be_turned_off(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path, introspection=False)
    async for client in open_client(settings):
        body = (
            await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        ).json()
        assert "introspection" in body["errors"][0]["message"].lower()
        ok = (await client.post("/graphql", json={"query": "{ styles { name } }"})).json()
        assert len(ok["data"]["styles"]) == 4


async def test_graphiql_only_when_enabled(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    html = {"Accept": "text/html"}
    asset = "/graphiql-assets/react@18.2.0/umd/react.production.min.js"
    # Off with API keys (production), or when turned off.
    for off in ({"api_keys": "k:o"}, {"graphiql": False}):
        settings = make_settings(database_url, redis_url, tmp_path, **off)
        async for plain_client in open_client(settings):
            headers = {**html, "Authorization": "Bearer k"}
            assert (await plain_client.get("/graphql", headers=headers)).status_code in (400, 404)
            assert (await plain_client.get(asset)).status_code == 404
    # On by default in local mode (make serve).
    async for graphiql_client in open_client(settings.model_copy(update={"graphiql": None})):
        response = await graphiql_client.get("/graphql", headers=html)
        assert response.status_code == 200 and "graphiql" in response.text.lower()
        # No CDN: every script and stylesheet is served by the app (tests/web/test_graphiql.py
        # runs it in a browser with the network cut off).
        assert "unpkg.com" not in response.text and "jsdelivr" not in response.text
        sources = re.findall(r'(?:src|href)="(graphiql-assets/[^"]+)"', response.text)
        assert len(sources) == 7 and f"/{sources[0]}" == asset
        for source in sources:
            served = await graphiql_client.get(f"/{source}")
            assert served.status_code == 200, source


async def test_cors_allows_the_configured_origin_only(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,apollo-require-preflight",
    }
    allowed = await client.options(
        "/graphql", headers={"Origin": "http://localhost:3000", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    denied = await client.options("/graphql", headers={"Origin": "http://evil.test", **preflight})
    assert "access-control-allow-origin" not in denied.headers


async def test_subscriptions_over_plain_http_are_refused_with_a_reason(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    query = 'subscription { jobProgress(jobId: "00000000-0000-0000-0000-000000000000") { jobId } }'
    posted = await client.post("/graphql", json={"query": query})
    fetched = await client.get("/graphql", params={"query": query})
    for response in (posted, fetched):
        assert response.status_code == 400
        assert "subscriptions are served over websockets only" in response.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
