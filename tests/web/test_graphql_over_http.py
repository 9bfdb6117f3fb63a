"""GraphQL over HTTP: the application/graphql-response+json media type, and graphql-http's
audit (the spec's reference implementation, run with node) against a real server: no errors,
no warnings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from devserver.embedded_redis import free_port
from devserver.stack import Stack
from tests.conftest import make_settings
from tests.nodejs import JS, install_js, needs_node
from web.graphql_http import GRAPHQL_RESPONSE_JSON, JSON, response_media_type

NEW = {"Accept": GRAPHQL_RESPONSE_JSON}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/*", JSON),
        ("text/html", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0.5, application/json", JSON),
        (f"*/*, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, */*", JSON),
        (f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=oops", JSON),
    ],
)
def test_the_response_media_type_follows_accept(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


async def post(client: httpx.AsyncClient, body: dict[str, Any], accept: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers={"Accept": accept})


REQUEST_ERRORS: dict[str, dict[str, Any]] = {
    "parse": {"query": "{"},
    "validation": {"query": "{ nope }"},
    "variables": {"query": "query Q($id: ID!) { job(id: $id) { id } }", "variables": {"id": None}},
    "limits": {"query": "{ " + " ".join(f"a{i}: styles {{ name }}" for i in range(40)) + " }"},
}


@sqlite_only
@pytest.mark.parametrize("case", REQUEST_ERRORS)
async def test_a_request_that_never_executes_is_a_400_without_data(
    client: httpx.AsyncClient, case: str
) -> None:
    response = await post(client, REQUEST_ERRORS[case], GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    body = response.json()
    assert "data" not in body and body["errors"][0]["message"]

    # application/json (and */*, and no Accept) clients see what they always saw.
    for accept in ("application/json", "*/*"):
        legacy = await post(client, REQUEST_ERRORS[case], accept)
        assert legacy.status_code == 200
        assert legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None and legacy.json()["errors"]


@sqlite_only
@pytest.mark.parametrize(
    ("method", "body", "reason"),
    [
        ("POST", {"query": "query A { styles { name } }", "operationName": "B"}, '"B"'),
        ("POST", {"variables": {}}, "No GraphQL query"),
        ("GET", {"query": 'mutation { cancelJob(id: "x") { errors { code } } }'}, "GET"),
    ],
    ids=["unknown operation", "no query", "mutation over GET"],
)
async def test_a_refused_request_is_a_graphql_error_in_the_new_type(
    client: httpx.AsyncClient, method: str, body: dict[str, Any], reason: str
) -> None:
    def send(accept: str) -> Any:
        if method == "GET":
            return client.get("/graphql", params=body, headers={"Accept": accept})
        return post(client, body, accept)

    response = await send(GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    assert reason in response.json()["errors"][0]["message"] and "data" not in response.json()
    legacy = await send("application/json")  # Strawberry's own answer, as before
    assert legacy.status_code == 400 and legacy.headers["content-type"].startswith("text/plain")
    assert reason in legacy.text

    broken = await client.post(
        "/graphql", content=b"{", headers={"Accept": GRAPHQL_RESPONSE_JSON, "Content-Type": JSON}
    )
    assert broken.status_code == 400 and "JSON" in broken.json()["errors"][0]["message"]


@sqlite_only
async def test_results_and_field_errors_are_200_in_either_type(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok = await post(client, {"query": "{ styles { name } }"}, GRAPHQL_RESPONSE_JSON)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert len(ok.json()["data"]["styles"]) == 4

    get = await client.get("/graphql", params={"query": "{ styles { name } }"}, headers=NEW)
    assert get.status_code == 200 and get.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)

    from resolvers import jobs

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "get_job", broken)
    query = {"query": '{ job(id: "00000000-0000-0000-0000-000000000000") { id } }'}
    failed = await post(client, query, GRAPHQL_RESPONSE_JSON)
    # The operation ran: a field error, with its path and the data entry, is still a 200.
    assert failed.status_code == 200
    assert failed.json()["data"] == {"job": None}
    assert failed.json()["errors"][0]["path"] == ["job"]


@pytest.mark.slow
@needs_node
async def test_the_graphql_over_http_audit_passes(redis_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(install_js)
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", redis_url, tmp_path)
    stack = Stack(settings, port=free_port(), workers=0, env={"API_KEYS": ""}, quiet=True)
    await asyncio.to_thread(stack.start)
    try:
        process = await asyncio.create_subprocess_exec(
            "node", "audit.mjs", f"{stack.url}/graphql",
            cwd=JS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await asyncio.to_thread(stack.stop)
    assert process.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert len(results) > 50
    not_ok = [f"{r['status']} {r['id']} {r['name']}: {r.get('reason')}" for r in results
              if r["status"] != "ok"]  # fmt: skip
    assert not_ok == []
