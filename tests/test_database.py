"""Database URLs as users write them, and the same work on PostgreSQL when one is reachable (`pg_url`,
in conftest). How older databases gain newer columns: tests/test_migrations.py."""

from __future__ import annotations

import datetime as dt

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
