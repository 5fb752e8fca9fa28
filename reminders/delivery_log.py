"""The sender's records, written by the journal many at a time (a statement or two per commit).

A delivery's life: the write-ahead mark (`sending`, a new row or an old one marked again), the pieces
confirmed so far, the outcome (`sent`, `failed`, `doubt`, `unconfirmed`); then the reminder row's
settlement. All records of a delivery go to the `delivery` table through one upsert: the records of
one commit are merged per delivery in queue order (a later record overrides what it sets, an empty
field keeps the stored value), so a commit writes each delivery once, and its marks, progress and
outcomes are one statement executed for many parameter sets. Settlements follow in one `UPDATE …
WHERE id IN (…)` per distinct outcome (a burst's rows are nearly all "sent, now"). Plain Core
statements: the ORM's per-statement bookkeeping was most of the cost of a burst.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, case, literal_column, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from models.tables import Delivery, ReminderRow
from reminders.journal import Batched, Executor
from reminders.recipients import Recipient

DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
REMINDER: Table = ReminderRow.__table__  # type: ignore[attr-defined]
Key = tuple[int, int]
"""(reminder id, member id): one delivery."""
KEEP = ("state", "chat_id", "message_id")
"""Text fields a record may leave empty: the stored value stays."""


def mark(key: Key, who: Recipient, now: dt.datetime) -> dict[str, Any]:
    """The mark committed before a message leaves: after a crash, `sending` means in doubt. A new
    delivery starts with no message id and no piece; a delivery marked again keeps both."""
    return _record(key, now, state="sending", transport=who.transport, chat_id=who.chat_id)


def marks(records: list[dict[str, Any]]) -> Batched:
    """Marks of many deliveries, committed together before their requests leave."""
    return Batched("delivery", records)


def progress(key: Key, pieces: int, now: dt.datetime) -> Batched:
    """Pieces of a long message confirmed so far: never sent again."""
    return Batched("delivery", [_record(key, now, pieces=pieces)])


def outcome(key: Key, state: str, message_id: str, now: dt.datetime, confirmed: int = 0) -> Batched:
    """What came of a delivery; an empty message id or no confirmed pieces leave the stored ones."""
    return Batched("delivery", [_record(key, now, state=state, message_id=message_id, pieces=confirmed)])


def settle(row_ids: list[int], values: Mapping[str, object]) -> dict[str, Any]:
    """Reminder rows' new status (sent, retried later, undeliverable) and its bookkeeping, the same
    for each of `row_ids`; their attempts are counted up by one."""
    return {"_ids": row_ids, **values}


def settlements(records: list[dict[str, Any]]) -> Batched:
    """Settlements written together."""
    return Batched("settle", records)


def _record(
    key: Key,
    now: dt.datetime,
    *,
    state: str = "",
    transport: str = "",
    chat_id: str = "",
    message_id: str = "",
    pieces: int = 0,
) -> dict[str, Any]:
    return {
        "reminder_id": key[0],
        "member_id": key[1],
        "transport": transport,
        "chat_id": chat_id,
        "message_id": message_id,
        "at": now,
        "state": state,
        "pieces": pieces,
    }


def merged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per delivery: later records override what they set, in queue order."""
    by_key: dict[Key, dict[str, Any]] = {}
    for record in records:
        key = (record["reminder_id"], record["member_id"])
        before = by_key.get(key)
        if before is None:
            by_key[key] = record
            continue
        before = by_key[key] = {**before, "at": record["at"]}
        for name in ("transport", *KEEP):
            if record[name]:
                before[name] = record[name]
        if record["pieces"]:
            before["pieces"] = record["pieces"]
    return list(by_key.values())


def _upsert_for(dialect: str) -> Any:
    """INSERT … ON CONFLICT (reminder_id, member_id) DO UPDATE, setting only what a record carries."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DELIVERY)
    new = statement.excluded
    empty: ColumnElement[str] = literal_column("''")
    zero: ColumnElement[int] = literal_column("0")
    kept = {name: case((new[name] == empty, DELIVERY.c[name]), else_=new[name]) for name in KEEP}
    return statement.on_conflict_do_update(
        index_elements=[DELIVERY.c.reminder_id, DELIVERY.c.member_id],
        set_={**kept, "at": new.at, "pieces": case((new.pieces == zero, DELIVERY.c.pieces), else_=new.pieces)},
    )


def _settlement(dialect: str, columns: tuple[str, ...]) -> Any:
    """UPDATE reminder SET <columns>, attempts = attempts + 1 WHERE id = <id>."""
    values: dict[str, Any] = {c: bindparam(c) for c in columns}
    return (
        update(REMINDER)
        .where(REMINDER.c.id == bindparam("_id"))
        .values({**values, "attempts": REMINDER.c.attempts + literal_column("1")})
    )


_COMPILED: dict[tuple[str, ...], tuple[str, list[Callable[[Any], Any] | None], list[str]]] = {}


async def _execute_many(
    connection: AsyncConnection,
    key: tuple[str, ...],
    build: Callable[[str], Any],
    table: Table,
    keys: list[str],
    rows: list[dict[str, Any]],
) -> None:
    """Run one statement for many parameter sets, handing the driver its parameters ready: a burst
    writes two records a message, and SQLAlchemy's handling of each parameter set cost more than the
    database's work. The statement is compiled once per dialect, and each parameter converted by its
    column type's own bind processor (as SQLAlchemy would); on SQLite the statement goes to
    aiosqlite's thread in one trip (SQLAlchemy's cursor takes three)."""
    dialect = connection.dialect
    if (dialect.name, *key) not in _COMPILED:
        compiled = build(dialect.name).compile(dialect=dialect, column_keys=keys)
        order = list(compiled.positiontup or ())
        convert = [table.c[name].type.bind_processor(dialect) if name in table.c else None for name in order]
        _COMPILED[(dialect.name, *key)] = (str(compiled), convert, order)
    sql, convert, order = _COMPILED[(dialect.name, *key)]
    pairs = list(zip(order, convert, strict=True))
    params = [tuple(f(row[name]) if f is not None else row[name] for name, f in pairs) for row in rows]
    if dialect.name != "sqlite":
        await connection.exec_driver_sql(sql, params)
        return
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # a connection in use has its driver's
    await driver.executemany(sql, params)


async def _deliveries(connection: AsyncConnection, records: list[dict[str, Any]]) -> None:
    await _execute_many(connection, ("delivery",), _upsert_for, DELIVERY, list(records[0]), merged(records))


async def _settle(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Each settled row by its id; rows settled alike share a statement."""
    alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {k: v for k, v in row.items() if k != "_ids"}
        columns = tuple(sorted(values))
        alike.setdefault(columns, []).extend({**values, "_id": i} for i in row["_ids"])
    for columns, group in alike.items():
        build = lambda dialect, columns=columns: _settlement(dialect, columns)  # noqa: E731
        await _execute_many(connection, ("settle", *columns), build, REMINDER, [*columns, "_id"], group)


EXECUTORS: dict[str, Executor] = {"delivery": _deliveries, "settle": _settle}
"""In the order of a delivery's life: the journal applies the kinds of one commit in this order."""
