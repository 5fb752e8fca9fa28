"""Database URLs as users write them, and the same work on PostgreSQL when one is reachable."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.context import Services
from models.database import DatabaseUrlError, async_url, open_database
from tests.conftest import Chat, FakeClock, load_shipped, member


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/duban.db", "sqlite+aiosqlite:///data/duban.db"),
        ("sqlite+aiosqlite:///data/duban.db", "sqlite+aiosqlite:///data/duban.db"),
        ("sqlite+pysqlite:////abs/duban.db", "sqlite+aiosqlite:////abs/duban.db"),
        ("postgresql://user@host/db", "postgresql+asyncpg://user@host/db"),
        ("postgres://user@host:5433/db", "postgresql+asyncpg://user@host:5433/db"),
        ("postgresql+psycopg2://user@host/db", "postgresql+asyncpg://user@host/db"),
        ("postgresql+asyncpg://user@host/db", "postgresql+asyncpg://user@host/db"),
    ],
)
def test_urls_map_to_async_drivers(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("given", ["mysql://u@h/d", "not a url", ""])
def test_unusable_urls_are_refused(given: str) -> None:
    with pytest.raises(DatabaseUrlError):
        async_url(given)


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A throw-away PostgreSQL database, when a server runs on this machine (skipped otherwise)."""
    if not _postgres_up():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    import asyncpg  # type: ignore[import-untyped]

    name = f"duban_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_reports_and_scores_on_postgresql(pg_url: str) -> None:
    clock = FakeClock(dt.datetime(2022, 6, 1, 2, 0, tzinfo=dt.UTC))
    db = await open_database(pg_url)
    try:
        services = Services(db=db, clock=clock)
        await load_shipped(db, "dingtao-2022", clock)
        await load_shipped(db, "puyang-2021", clock)
        admin: Chat = await member(services, "dingtao-2022", "office", "admin")
        assert "0 → 4.29（满分 6）" in (await admin.say("/report 11 8亿")).text
        assert "4.29 → 6" in (await admin.say("/report 11 12亿")).text
        history = (await admin.say("/history 11")).text
        assert "12亿元" in history
        assert "8亿元" in history
        status = await admin.say("/status")
        assert "总分 6 / 100" in status.text
    finally:
        await db.close()


async def test_an_older_database_gets_the_delivery_state_columns(tmp_path: Path) -> None:
    """Databases made before deliveries had a state gain it, existing rows counting as sent."""
    import sqlite3

    from sqlmodel import select

    from models.tables import Delivery

    path = tmp_path / "old.db"
    db = await open_database(f"sqlite:///{path}")
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DROP TABLE delivery")
        conn.execute(
            "CREATE TABLE delivery (id INTEGER PRIMARY KEY, reminder_id INTEGER NOT NULL, member_id INTEGER NOT NULL,"
            " transport VARCHAR NOT NULL, chat_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL, at DATETIME NOT NULL)"
        )
        conn.execute("INSERT INTO delivery VALUES (1, 7, 3, 'telegram', '42', '99', '2022-06-01 02:00:00')")
    db = await open_database(f"sqlite:///{path}")
    try:
        async with db.session() as session:
            row = (await session.exec(select(Delivery))).one()
        assert (row.state, row.pieces, row.message_id) == ("sent", 0, "99")
    finally:
        await db.close()
