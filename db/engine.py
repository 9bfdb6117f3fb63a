"""Engine and session factory.

`async_sessionmaker(expire_on_commit=False)`: rows stay readable after the commit that ends a
unit of work, which is when resolvers hand them to the GraphQL layer.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = structlog.get_logger("db")
# A transaction that has written holds SQLite's one write lock (PostgreSQL: its rows' locks)
# until it ends; every change here is meant to be short. Longer than this is logged.
SLOW_WRITE_SECONDS = 2.0
_WRITES = ("INSERT", "UPDATE", "DELETE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # API and worker share the file: wait on locks instead of failing at once.
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_async_engine(url, **kwargs)
    _log_slow_writes(engine)
    return engine


def _log_slow_writes(engine: AsyncEngine) -> None:
    """Warn about a transaction that held its write locks longer than SLOW_WRITE_SECONDS, with
    the statements it ran (their text, never their parameters)."""

    def before_execute(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        info = _info(conn)
        if info is None:
            return
        if "write_started" in info:
            if len(info["write_statements"]) < 8:
                info["write_statements"].append(statement[:120])
        elif statement.lstrip()[:6].upper() in _WRITES:
            info["write_started"] = time.monotonic()
            info["write_statements"] = [statement[:120]]

    def ended(conn: Connection) -> None:
        info = _info(conn)
        if info is None:
            return
        started = info.pop("write_started", None)
        statements = info.pop("write_statements", None)
        if started is not None and (held := time.monotonic() - started) > SLOW_WRITE_SECONDS:
            log.warning("db.slow_write", seconds=round(held, 2), statements=statements)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", before_execute)
    event.listen(sync_engine, "commit", ended)
    event.listen(sync_engine, "rollback", ended)


def _info(conn: Connection) -> dict[str, Any] | None:
    """The connection's info, or None when it is invalidated (a query cancelled mid-flight): a
    listener must never raise, least of all on the rollback that cleans such a connection up,
    and an invalidated connection's state goes with it."""
    if conn.invalidated:
        return None
    try:
        return conn.info
    except SQLAlchemyError:
        return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (API) and a writer (worker) work at once; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
