"""Inserts that may meet the same row written by someone else at the same moment.

Several `duban run` on one database sync the same outbox: both compute the same reminders (same
unique key), and the second insert must quietly find the row there instead of failing the whole
sync. `INSERT … ON CONFLICT DO NOTHING` in the database's own dialect (SQLite and PostgreSQL both
have it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_missing(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> None:
    """Insert `rows`, skipping those whose `unique` columns match a row already stored."""
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).on_conflict_do_nothing(index_elements=list(unique))
    await session.exec(statement, params=list(rows))
