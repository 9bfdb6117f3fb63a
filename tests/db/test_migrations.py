"""Alembic: `upgrade head` builds exactly the models' schema, and the chain runs both ways."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base
from db.types import JSONType
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


async def _upgrade(url: str, revision: str = "head") -> None:
    # Alembic's env.py runs its own event loop: keep it off ours.
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def _downgrade(url: str, revision: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


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


async def test_jobs_from_before_several_photos_keep_their_one(empty_database: str) -> None:
    """Revision 0007: a job made with one photo lists it as its photos; one without, none."""
    await _upgrade(empty_database, "0006")
    with_photo, without = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    row: dict[str, object] = {
        "owner": "local",
        "status": "pending",
        "product_name": "Kite",
        "style": "minimal",
        "cta_text": "Fly",
        "aspect_ratio": "portrait",
        "cost_usd": 0,
        "event_sequence": 0,
        "created_at": now,
        "updated_at": now,
    }
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Uuid()),
        sa.column("product_image_path"),
        sa.column("product_image_paths", JSONType),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        *(sa.column(name) for name in row if not name.endswith("_at")),
    )

    def insert(connection: Connection) -> None:
        connection.execute(
            jobs.insert(),
            [
                {**row, "id": with_photo, "product_image_path": "uploads/kite.png"},
                {**row, "id": without, "product_image_path": None},
            ],
        )
        connection.commit()

    def by_id(column: Any) -> Any:
        def read(connection: Connection) -> dict[uuid.UUID, Any]:
            return {row[0]: row[1] for row in connection.execute(select(jobs.c.id, column))}

        return read

    await _run(empty_database, insert)
    await _upgrade(empty_database)
    photos = await _run(empty_database, by_id(jobs.c.product_image_paths))
    assert photos == {with_photo: ["uploads/kite.png"], without: []}
    await _downgrade(empty_database, "0006")
    paths = await _run(empty_database, by_id(jobs.c.product_image_path))
    assert paths == {with_photo: "uploads/kite.png", without: None}
    await drop_everything(empty_database)
