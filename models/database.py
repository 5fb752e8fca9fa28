"""Engine and sessions. Users write plain database URLs; we pick the async driver for them.

`sqlite:///data/duban.db` and `postgresql://user@host/db` are what people type; SQLAlchemy's async
engine needs `sqlite+aiosqlite` and `postgresql+asyncpg`. Both forms, with or without a driver,
are accepted.

When the database goes away for a moment, the process carries on:
- PostgreSQL restarted (or its connections terminated): a connection is tested when it is taken
  from the pool (`pool_pre_ping`), so one left broken while idle is replaced before it is used; a
  statement already running on it fails, and SQLAlchemy then discards every older connection of the
  pool. What fails is the unit of work that was running, as a whole: the chat transport apologises,
  the sender's row stays pending and is sent later. Nothing is retried blindly here, so nothing is
  written twice.
- SQLite locked by another connection (a `duban plan load`, an `sqlite3` shell, a VACUUM): a writer
  waits up to BUSY_TIMEOUT for the lock, SQLite retrying meanwhile, before it fails with "database
  is locked" (and then the unit of work is rolled back as a whole).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from config.settings import DEFAULT_DATABASE_URL
from models import tables  # noqa: F401 - registers the tables on SQLModel.metadata
from models.schema import ensure_schema

ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}
BUSY_TIMEOUT = 10.0
"""Seconds a SQLite statement waits for another connection's write lock (Python's default is 5 s).
Long enough for a `duban plan load` or a VACUUM of a county's database; the wait happens in the
connection's thread, never in the event loop."""


class DatabaseUrlError(ValueError):
    """A database URL we cannot use."""


def async_url(url: str) -> URL:
    """Map a user's database URL to its async-driver form (sqlite -> aiosqlite, postgresql -> asyncpg)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse text
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in ASYNC_DRIVERS:
        raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    driver = ASYNC_DRIVERS[backend]
    name = "postgresql" if backend == "postgres" else backend
    return parsed.set(drivername=f"{name}+{driver}")


def _prepare_sqlite_path(url: URL) -> None:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


@dataclass
class Database:
    """An engine and its session factory; one per process, passed to every service."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        async with self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        """Release connections."""
        await self.engine.dispose()


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the reminder engine read while a chat message writes; with WAL, NORMAL sync is
        # crash-safe (a power cut may lose the last commits, never corrupt the file).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


async def open_database(
    url: str = DEFAULT_DATABASE_URL, *, create: bool = True, busy_timeout: float = BUSY_TIMEOUT
) -> Database:
    """Open the database at `url`. With `create` (work, tests, first use) its schema must be this
    code's: an empty database is created at the head, any other schema raises
    `models.schema.SchemaError` (only `duban db upgrade` changes one). Without it, the schema is
    neither checked nor touched (`duban db upgrade` and `duban db current` open it so).
    `busy_timeout`: seconds a SQLite writer waits for a lock another connection holds."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        _prepare_sqlite_path(target)
        engine = create_async_engine(target, connect_args={"timeout": busy_timeout})
        _tune_sqlite(engine)
    else:
        engine = create_async_engine(target, pool_pre_ping=True)
    if create:
        try:
            await ensure_schema(engine)
        except BaseException:
            await engine.dispose()
            raise
    return Database(engine, async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False))


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored time with its zone: SQLite hands datetimes back without one, and they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
