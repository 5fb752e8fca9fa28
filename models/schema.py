"""Which schema a database has, and bringing it to the one this code runs on (Alembic migrations).

A database records its schema revision in `alembic_version`. Opening one for work
(`models.database.open_database`) checks it: an empty database is created at the head by running
the migrations, one at the head is used, and any other is refused with a `SchemaError` naming its
case. Only `duban db upgrade` (`upgrade_schema`) changes an existing schema. It also adopts a
database made before migrations (Duban's tables, no revision): the baseline's tables, columns and
indexes it lacks are added, as opening it used to add them, it is stamped at the baseline, and the
later revisions run.

The migrations run on the caller's engine through Alembic's Python API: no alembic.ini, no
subprocess. Each upgrade is one transaction. Instances that start together take turns: on
PostgreSQL through an advisory lock, on SQLite by taking the write lock first (BEGIN IMMEDIATE).
On SQLite foreign keys are off while migrating, since batch operations rebuild tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, cast

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Column, Connection, MetaData, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
"""The revision of the schema as it was before migrations (commit f9b9085)."""
_LOCK_KEY = 0x6475_6261_6E  # 'duban': any constant bigint, the same in every instance


class SchemaState(StrEnum):
    """Where a database stands against this code's migrations."""

    EMPTY = "empty"  # none of Duban's tables: created at the head on first use
    CURRENT = "current"  # at the head
    BEHIND = "behind"  # an older revision: `duban db upgrade`
    UNKNOWN = "unknown"  # a revision this code does not know: a newer Duban made it
    LEGACY = "legacy"  # Duban's tables without a revision: made before migrations


@dataclass(frozen=True)
class SchemaStatus:
    """A database's state, its revision (None when it has none) and this code's head."""

    state: SchemaState
    revision: str | None
    head: str


class SchemaError(Exception):
    """The database's schema is not this code's, and opening it for work does not change that."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(f"database schema {status.state}: revision {status.revision}, head {status.head}")
        self.status = status


class AdoptionError(Exception):
    """A database without a revision whose tables lack columns that cannot be added (required ones
    without a default): not a database Duban made, so nothing is changed."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("columns missing: " + ", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_schema` found and did (tables and columns added when adopting a database)."""

    before: SchemaStatus
    after: SchemaStatus
    tables_added: tuple[str, ...] = ()
    columns_added: tuple[str, ...] = ()


@cache
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def scripts() -> ScriptDirectory:
    """The migration scripts shipped with this code (read once per process)."""
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The revision this code runs on."""
    head = scripts().get_current_head()
    if head is None:  # pragma: no cover - the baseline always exists
        raise RuntimeError(f"no migrations under {MIGRATIONS}")
    return head


@cache
def baseline_metadata() -> MetaData:
    """The baseline's tables, frozen in its revision file (shared: read it, never change it)."""
    return cast(MetaData, scripts().get_revision(BASELINE).module.baseline_metadata())


def read_status(conn: Connection) -> SchemaStatus:
    """The state of the database on `conn` (for `AsyncConnection.run_sync`)."""
    head = head_revision()
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        present = set(inspect(conn).get_table_names())
        legacy = not present.isdisjoint(baseline_metadata().tables)
        return SchemaStatus(SchemaState.LEGACY if legacy else SchemaState.EMPTY, None, head)
    if revision == head:
        return SchemaStatus(SchemaState.CURRENT, revision, head)
    try:
        scripts().get_revision(revision)
    except CommandError:
        return SchemaStatus(SchemaState.UNKNOWN, revision, head)
    return SchemaStatus(SchemaState.BEHIND, revision, head)


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """The state of the database (nothing is changed)."""
    async with engine.connect() as conn:
        return await conn.run_sync(read_status)


async def ensure_schema(engine: AsyncEngine) -> SchemaStatus:
    """The schema for work: an empty database is created at the head; one at the head is fine;
    anything else raises `SchemaError` (the command line says to run `duban db upgrade`)."""
    status = await schema_status(engine)
    if status.state is SchemaState.EMPTY:
        status = (await upgrade_schema(engine, create_only=True)).after
    if status.state is not SchemaState.CURRENT:
        raise SchemaError(status)
    return status


async def upgrade_schema(engine: AsyncEngine, *, create_only: bool = False) -> Upgrade:
    """Bring the database to the head in one transaction: create an empty one, upgrade one behind,
    adopt one made before migrations. A revision this code does not know raises `SchemaError` (so
    does anything but an empty database with `create_only`); an unadoptable one `AdoptionError`."""
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await _sqlite_foreign_keys(conn, on=False)
        try:
            async with conn.begin():
                if sqlite:  # one transaction (the driver would commit each CREATE on its own), holding
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock: instances take turns
                return await conn.run_sync(_upgrade, create_only)
        finally:
            if sqlite:
                await _sqlite_foreign_keys(conn, on=True)


async def _sqlite_foreign_keys(conn: AsyncConnection, *, on: bool) -> None:
    """SQLite ignores this pragma inside a transaction: it is set, and committed, around one."""
    await conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    await conn.commit()


def _upgrade(conn: Connection, create_only: bool) -> Upgrade:
    if conn.dialect.name == "postgresql":  # instances starting together: one migrates, the others wait
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    before = read_status(conn)
    if before.state is SchemaState.UNKNOWN or (
        create_only and before.state not in (SchemaState.EMPTY, SchemaState.CURRENT)
    ):
        raise SchemaError(before)
    if before.state is SchemaState.CURRENT:
        return Upgrade(before, before)
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    if before.state is SchemaState.LEGACY:
        tables, columns = _adopt(conn)
    _migrate(conn, stamp=BASELINE if before.state is SchemaState.LEGACY else None)
    return Upgrade(before, read_status(conn), tables, columns)


def _migrate(conn: Connection, *, stamp: str | None) -> None:
    """Run every revision after the database's (after `stamp`, written first, when given)."""
    script = scripts()

    def steps(heads: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("head", heads)

    with EnvironmentContext(_config(), script, fn=steps, destination_rev="head") as environment:
        environment.configure(connection=conn, render_as_batch=conn.dialect.name == "sqlite")
        if stamp is not None:
            environment.get_context().stamp(script, stamp)
        environment.run_migrations()


def _adopt(conn: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Bring a database made before migrations to the baseline, as opening it used to: the tables
    an older Duban did not have yet, nullable columns and those with a server default (existing rows
    take it), missing indexes. Checked first, so a database that cannot be adopted is left as it is."""
    baseline = baseline_metadata()
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    columns: list[Column[Any]] = []
    missing: list[str] = []
    indexes = []
    for table in baseline.sorted_tables:
        if table.name not in present:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if column.nullable or column.server_default is not None:
                columns.append(column)
            else:
                missing.append(f"{table.name}.{column.name}")
        named = {i["name"] for i in inspector.get_indexes(table.name)}
        indexes += [index for index in table.indexes if index.name not in named]
    if missing:
        raise AdoptionError(missing)
    created = [table for table in baseline.sorted_tables if table.name not in present]
    baseline.create_all(conn, tables=created, checkfirst=False)
    operations = Operations(MigrationContext.configure(conn))
    for column in columns:
        default = getattr(column.server_default, "arg", None)
        operations.add_column(
            column.table.name, Column(column.name, column.type, nullable=column.nullable, server_default=default)
        )
    for index in indexes:
        index.create(conn)
    return tuple(t.name for t in created), tuple(f"{c.table.name}.{c.name}" for c in columns)
