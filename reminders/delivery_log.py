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
import json
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Table,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter

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


_Convert = Callable[[Any], Any]
_COMPILED: dict[tuple[str, ...], tuple[str, Callable[[dict[str, Any]], Any], list[tuple[int, _Convert]]]] = {}


def _remembering(convert: _Convert) -> _Convert:
    """`convert`, answering again at once for the value it was just given (the same object): the
    marks of one wave and the settlements of one batch share one timestamp."""
    last: list[Any] = [object(), None]

    def again(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return again


def _compiled(
    dialect: Any, key: tuple[str, ...], build: Callable[[str], Any], table: Table, keys: list[str]
) -> tuple[str, Callable[[dict[str, Any]], Any], list[tuple[int, _Convert]]]:
    """The statement's SQL, a getter of its parameters in order from a record, and the column type
    bind processors (as SQLAlchemy would apply them) of the parameters that have one."""
    if (dialect.name, *key) not in _COMPILED:
        compiled = build(dialect.name).compile(dialect=dialect, column_keys=keys)
        order = list(compiled.positiontup or ())
        processors = [table.c[name].type.bind_processor(dialect) if name in table.c else None for name in order]
        converts = [(i, _remembering(f)) for i, f in enumerate(processors) if f is not None]
        getter = itemgetter(*order) if len(order) > 1 else (lambda row, name=order[0]: (row[name],))
        _COMPILED[(dialect.name, *key)] = (str(compiled), getter, converts)
    return _COMPILED[(dialect.name, *key)]


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
    sql, getter, converts = _compiled(dialect, key, build, table, keys)
    params: list[Any] = []
    for row in rows:
        values = getter(row)
        if converts:
            converted = list(values)
            for i, convert in converts:
                converted[i] = convert(converted[i])
            values = tuple(converted)
        params.append(values)
    if dialect.name != "sqlite":
        await connection.exec_driver_sql(sql, params)
        return
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # a connection in use has its driver's
    await driver.executemany(sql, params)


async def _deliveries(connection: AsyncConnection, records: list[dict[str, Any]]) -> None:
    await _execute_many(connection, ("delivery",), _upsert_for, DELIVERY, list(records[0]), merged(records))


def _settlement(dialect: str, columns: tuple[str, ...]) -> Any:
    """UPDATE reminder SET <columns>, attempts = attempts + 1 WHERE id IN <ids>, the ids one parameter
    (a JSON array on SQLite, an array on PostgreSQL): one statement, compiled once, for any number."""
    ids: BindParameter[Any] = bindparam("_ids")
    if dialect == "postgresql":
        chosen = REMINDER.c.id == any_(cast(ids, ARRAY(Integer)))
    else:
        chosen = REMINDER.c.id.in_(select(literal_column("value")).select_from(func.json_each(ids)))
    values: dict[str, Any] = {c: bindparam(c) for c in columns}
    return update(REMINDER).where(chosen).values({**values, "attempts": REMINDER.c.attempts + literal_column("1")})


async def _settle(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Rows settled alike (a burst's rows are nearly all "sent, now") in one `UPDATE … WHERE id IN
    (…)`; each settled row's attempts counted up by one."""
    alike: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {k: v for k, v in row.items() if k != "_ids"}
        ids = row["_ids"] if connection.dialect.name == "postgresql" else json.dumps(row["_ids"])
        alike.setdefault(tuple(sorted(values)), []).append({**values, "_ids": ids})
    for columns, group in alike.items():
        build = lambda dialect, columns=columns: _settlement(dialect, columns)  # noqa: E731
        await _execute_many(connection, ("settle", *columns), build, REMINDER, [*columns, "_ids"], group)


EXECUTORS: dict[str, Executor] = {"delivery": _deliveries, "settle": _settle}
"""In the order of a delivery's life: the journal applies the kinds of one commit in this order."""
