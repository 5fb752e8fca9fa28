"""The sender's journal when the database goes away: posted records are kept, in order, and written
once it is back; a waiting writer learns the error; a record the database rejects is dropped alone."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from models.database import Database
from reminders import journal as journal_module
from reminders.journal import Batched, Journal, passing

pytestmark = pytest.mark.both_databases  # see tests/backends.py


class Notes:
    """An executor writing numbered notes to a real table; `away` commits fail as an outage would,
    and a note numbered in `rejected` fails as a constraint would."""

    def __init__(self) -> None:
        self.away = 0
        self.rejected: set[int] = set()

    async def __call__(self, connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        if self.away:
            self.away -= 1
            raise OperationalError("INSERT INTO note", {}, ConnectionError("server closed the connection"))
        if any(row["n"] in self.rejected for row in rows):
            raise IntegrityError("INSERT INTO note", {}, ValueError("constraint failed"))
        await connection.execute(text("INSERT INTO note (n) VALUES (:n)"), rows)


def note(n: int) -> Batched:
    return Batched("note", [{"n": n}])


async def stored(db: Database) -> list[int]:
    async with db.engine.connect() as connection:
        return [n for (n,) in await connection.execute(text("SELECT n FROM note ORDER BY n"))]


@pytest.fixture
async def notes(db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[Journal, Notes]:
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE note (n INTEGER NOT NULL UNIQUE)"))
    monkeypatch.setattr(journal_module, "RETRY_FIRST", 0.01)
    monkeypatch.setattr(journal_module, "RETRY_MOST", 0.04)
    executor = Notes()
    return Journal(db, {"note": executor}), executor


async def test_posted_records_outlive_an_outage_and_are_written_once_it_ends(
    db: Database, notes: tuple[Journal, Notes]
) -> None:
    journal, executor = notes
    executor.away = 3  # three commits in a row fail: the retries back off, nothing is dropped
    for n in range(1, 6):
        journal.post(note(n))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if await stored(db) == [1, 2, 3, 4, 5]:
            break
    assert await stored(db) == [1, 2, 3, 4, 5]
    assert executor.away == 0


async def test_a_writer_during_the_outage_learns_it_and_what_was_posted_before_stays_first(
    db: Database, notes: tuple[Journal, Notes]
) -> None:
    journal, executor = notes
    journal.post(note(1))
    executor.away = 1
    with pytest.raises(OperationalError):
        await journal.write(note(2))  # a mark, say: its caller sends nothing
    journal.post(note(3))
    assert await stored(db) == []
    await journal.drain()  # the database is back: the kept record goes first, then the new one
    assert await stored(db) == [1, 3]


async def test_drain_raises_while_the_database_is_away_and_keeps_the_records(
    db: Database, notes: tuple[Journal, Notes]
) -> None:
    journal, executor = notes
    journal.post(note(1))
    executor.away = 1
    with pytest.raises(OperationalError):
        await journal.drain()
    await journal.drain()
    assert await stored(db) == [1]


async def test_a_record_the_database_rejects_is_dropped_alone_and_logged(
    db: Database, notes: tuple[Journal, Notes], caplog: pytest.LogCaptureFixture
) -> None:
    journal, executor = notes
    executor.rejected = {2}
    for n in (1, 2, 3):
        journal.post(note(n))
    with caplog.at_level(logging.ERROR, logger="reminders.journal"):
        await journal.drain()
    assert await stored(db) == [1, 3]
    assert "could not be written" in caplog.text


def test_what_counts_as_the_database_being_away() -> None:
    assert passing(OperationalError("SELECT 1", {}, Exception("database is locked")))
    assert passing(ConnectionRefusedError())
    assert passing(TimeoutError())
    assert not passing(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))
    assert not passing(ValueError("a bug"))
