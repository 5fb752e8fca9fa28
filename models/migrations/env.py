"""Alembic's environment, for developers' `alembic -c models/migrations/alembic.ini …` commands.

Duban never runs this file: `models.schema` runs the migrations on its own connection. Here the
database comes from `-x db=URL`, else the settings (DATABASE_URL, .env, sqlite:///data/duban.db), and
autogenerate compares it with `models.tables`. SQLModel's column types are written as plain
SQLAlchemy ones, so a revision file needs no SQLModel import; on SQLite, changes to a table are
written as batch operations (SQLite cannot alter most of a table in place).
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from config.settings import Settings
from models import tables  # noqa: F401 - registers the tables on SQLModel.metadata
from models.database import async_url


def _url() -> str:
    """The database to compare with or upgrade: `-x db=URL`, else Duban's own setting."""
    given: str | None = context.get_x_argument(as_dictionary=True).get("db")
    return given or Settings().database_url


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """SQLModel's types as the SQLAlchemy types they render as (False: Alembic's own rendering)."""
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = create_async_engine(async_url(_url()))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


if context.config.config_file_name is not None:  # what autogenerate detected, on stderr
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)
if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: the baseline creates its tables on a connection")
asyncio.run(_online())
