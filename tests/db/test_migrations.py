"""Alembic: `upgrade head` builds exactly the models' schema, and the chain runs both ways."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base
from devserver.stack import drop_everything

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _run(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        from tests.conftest import require_postgres

        url = await require_postgres()
        await drop_everything(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}"


async def _upgrade(url: str) -> None:
    # Alembic's env.py runs its own event loop: keep it off ours.
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


async def _downgrade(url: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")


async def test_upgrade_head_matches_the_models(empty_database: str) -> None:
    await _upgrade(empty_database)
    assert await _run(empty_database, _diff) == []


async def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    await _upgrade(empty_database)
    assert {"jobs", "stages"} <= await _run(empty_database, _tables)
    await _downgrade(empty_database)
    assert await _run(empty_database, _tables) <= {"alembic_version"}
    await _upgrade(empty_database)
    assert await _run(empty_database, _diff) == []
    await drop_everything(empty_database)
