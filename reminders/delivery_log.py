"""The sender's records, written by the journal many at a time (one statement per kind and commit).

A delivery's life: the write-ahead mark (`sending`, a new row or an old one marked again), the pieces
confirmed so far, the outcome (`sent`, `failed`, `doubt`, `unconfirmed`), then the reminder row's
settlement. `EXECUTORS` lists the kinds in that order: the journal applies them so, and a record is
never written before the ones that precede it. Plain Core statements executed for many parameter
sets: the ORM's per-statement bookkeeping was most of the cost of a burst.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Integer, String, Table, and_, bindparam, case, insert, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Delivery, ReminderRow
from reminders.journal import Batched, Executor
from reminders.recipients import Recipient

DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
REMINDER: Table = ReminderRow.__table__  # type: ignore[attr-defined]
Key = tuple[int, int]
"""(reminder id, member id): one delivery."""


def mark(key: Key, who: Recipient, now: dt.datetime, *, exists: bool) -> Batched:
    """The mark committed before a message leaves: after a crash, `sending` means in doubt."""
    if exists:
        return Batched("mark_again", {"r": key[0], "m": key[1], "chat": who.chat_id, "at": now})
    row = {"reminder_id": key[0], "member_id": key[1], "transport": who.transport, "chat_id": who.chat_id}
    return Batched("mark_new", {**row, "message_id": "", "at": now, "state": "sending", "pieces": 0})


def progress(key: Key, pieces: int) -> Batched:
    """Pieces of a long message confirmed so far: never sent again."""
    return Batched("progress", {"r": key[0], "m": key[1], "pieces": pieces})


def outcome(key: Key, state: str, message_id: str, now: dt.datetime, confirmed: int = 0) -> Batched:
    """What came of a delivery; an empty message id or no confirmed pieces leave the stored ones."""
    return Batched("outcome", {"r": key[0], "m": key[1], "state": state, "mid": message_id, "at": now, "pc": confirmed})


def settle(row_id: int, values: Mapping[str, object]) -> Batched:
    """The reminder row's new status (sent, retried later, undeliverable) and its bookkeeping."""
    return Batched("settle", {"_id": row_id, **values})


def _same_delivery() -> Any:
    return and_(DELIVERY.c.reminder_id == bindparam("r"), DELIVERY.c.member_id == bindparam("m"))


async def _mark_new(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await (await session.connection()).execute(insert(DELIVERY), rows)


async def _mark_again(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    statement = (
        update(DELIVERY)
        .where(_same_delivery())
        .values(state="sending", chat_id=bindparam("chat"), at=bindparam("at"))
    )
    await (await session.connection()).execute(statement, rows)


async def _progress(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    statement = update(DELIVERY).where(_same_delivery()).values(pieces=bindparam("pieces"))
    await (await session.connection()).execute(statement, rows)


async def _outcome(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    mid = bindparam("mid", type_=String)
    pieces = bindparam("pc", type_=Integer)
    statement = (
        update(DELIVERY)
        .where(_same_delivery())
        .values(
            state=bindparam("state"),
            at=bindparam("at"),
            message_id=case((mid == "", DELIVERY.c.message_id), else_=mid),
            pieces=case((pieces == 0, DELIVERY.c.pieces), else_=pieces),
        )
    )
    await (await session.connection()).execute(statement, rows)


async def _settle(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Rows settled the same way (the same columns set) go in one statement."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(k for k in row if k != "_id")), []).append(row)
    connection = await session.connection()
    for columns, group in shapes.items():
        statement = (
            update(REMINDER)
            .where(REMINDER.c.id == bindparam("_id"))
            .values({c: bindparam(f"v_{c}") for c in columns})
        )
        await connection.execute(statement, [{"_id": r["_id"], **{f"v_{c}": r[c] for c in columns}} for r in group])


EXECUTORS: dict[str, Executor] = {
    "mark_new": _mark_new,
    "mark_again": _mark_again,
    "progress": _progress,
    "outcome": _outcome,
    "settle": _settle,
}
"""In the order of a delivery's life: the journal applies the kinds of one commit in this order."""
