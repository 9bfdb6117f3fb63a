"""The engine's slow-write warning: what an operator reads when a transaction sat on its write
locks (SQLite's one writer, PostgreSQL's rows) for longer than any change here should take."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db import engine as engine_module
from db.engine import create_session_factory
from db.models import AppSecret


async def test_a_write_held_too_long_is_logged_with_its_statements(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[tuple[str, dict[str, Any]]] = []

    class Log:
        def warning(self, event: str, **fields: Any) -> None:
            warnings.append((event, fields))

    monkeypatch.setattr(engine_module, "SLOW_WRITE_SECONDS", 0.5)
    monkeypatch.setattr(engine_module, "log", Log())
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        session.add(AppSecret(name="probe", value="1"))
    async with factory() as session, session.begin():
        await session.execute(select(AppSecret.value))  # reads hold no write lock
        await asyncio.sleep(0.6)
        await session.execute(update(AppSecret).where(AppSecret.name == "probe").values(value="2"))
    assert warnings == []
    async with factory() as session, session.begin():
        await session.execute(update(AppSecret).where(AppSecret.name == "probe").values(value="3"))
        await asyncio.sleep(0.6)  # holding the lock across an await of something else
    ((event, fields),) = warnings
    assert event == "db.slow_write" and fields["seconds"] >= 0.6
    assert fields["statements"][0].startswith("UPDATE app_secrets")
    assert "3" not in str(fields["statements"])  # the statement's text, not its values


# PostgreSQL: on SQLite the cancelled statement runs on in aiosqlite's thread, holding the write
# lock until it ends (the worker's writes run whole for that reason: worker/recorder.py).
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_query_cancelled_mid_flight_leaves_the_database_usable(engine: AsyncEngine) -> None:
    """As at a worker's shutdown: its sweep is cancelled inside a query. The connection is
    invalidated; its rollback must still go through (no listener may fail it), and the next
    transaction writes."""
    factory = create_session_factory(engine)
    slow = "SELECT pg_sleep(3)"

    async def sweep() -> None:
        async with factory() as session, session.begin():
            await session.execute(update(AppSecret).values(value="4"))
            await session.execute(text(slow))

    async with factory() as session, session.begin():
        session.add(AppSecret(name="probe", value="1"))
    task = asyncio.create_task(sweep())
    await asyncio.sleep(0.1)  # inside the slow query
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(20), factory() as session, session.begin():
        await session.execute(update(AppSecret).values(value="5"))
    async with factory() as session:
        assert (await session.execute(select(AppSecret.value))).scalar_one() == "5"
