"""Claims and leases: several `duban run` on one database, each due row sent by one of them.

A sender claims the due rows it will send (`claim`): it writes its name and a lease deadline on them
in one short transaction, skipping rows another live instance holds. On PostgreSQL the rows are
selected `FOR UPDATE SKIP LOCKED`, so two instances claiming at the same moment never get the same
row; SQLite has one writer at a time and takes the same statement as a whole. While it sends, the
instance extends its lease (`Lease`); settling a row releases it. An instance that dies stops
extending: a lease after its last extension its unsettled rows are due for anyone, and the deliveries
it had marked `sending` are in doubt and sent again (at most what it had in flight).

The lease is LEASE unless `duban run` is given another (DUBAN_CLAIM_LEASE_SECONDS): a shorter one
hands a dead instance's rows over sooner (the fault tests use a few seconds), at the price of more
extensions while a slow batch is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, NamedTuple

from sqlalchemy import Table, update
from sqlalchemy import select as sa_select
from sqlmodel import col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import Database
from models.tables import ReminderRow

log = logging.getLogger(__name__)
REMINDER: Table = ReminderRow.__table__  # type: ignore[attr-defined]
LEASE = dt.timedelta(seconds=60)
"""How long a claim holds without being extended, by default: also how soon another instance takes
over the rows of one that died."""


def renew_every(lease: dt.timedelta) -> float:
    """Seconds between extensions while a batch is being sent: a third of the lease, so one failed
    extension (the database away for a moment) still leaves the claim held."""
    return lease.total_seconds() / 3


def instance_name() -> str:
    """This process, as written on the rows it claims: host, process id and a random tag."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def free_for(instance: str, now: dt.datetime) -> Any:
    """Rows nobody holds: never claimed, lease run out, or held by this instance itself."""
    return or_(
        col(ReminderRow.claimed_until).is_(None),
        col(ReminderRow.claimed_until) < now,
        col(ReminderRow.claimed_by) == instance,
    )


class Claimed(NamedTuple):
    """A claimed row, as the sender needs it: read with plain Core (a burst claims thousands, and
    building ORM objects for them cost more than sending them)."""

    id: int
    plan_id: str
    kind: str
    due_at: dt.datetime
    unit_id: int | None
    subject: str
    detail: str
    digest_id: int | None
    attempts: int


CLAIMED = [REMINDER.c[name] for name in Claimed._fields]


async def claim(
    session: AsyncSession, where: Any, instance: str, now: dt.datetime, limit: int, lease: dt.timedelta = LEASE
) -> list[Claimed]:
    """Claim up to `limit` rows matching `where` (oldest due first) that nobody else holds, for `lease`:
    one `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …`."""
    chosen = (
        sa_select(REMINDER.c.id)
        .where(where, free_for(instance, now))
        .order_by(REMINDER.c.due_at, REMINDER.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(REMINDER)
        .where(REMINDER.c.id.in_(chosen.scalar_subquery()))
        .values(claimed_by=instance, claimed_until=now + lease)
        .returning(*CLAIMED)
    )
    found = (await (await session.connection()).execute(statement)).all()
    return sorted((Claimed._make(row) for row in found), key=lambda row: (row.due_at, row.id))


class Lease:
    """Keeps this instance's claim on a batch alive while it is being sent, renewing it every third
    of the lease until the batch is done; then frees what was not settled (rows settled meanwhile are
    released by settling)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        instance: str,
        ids: Sequence[int],
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.db, self.clock, self.instance, self.ids, self.lease = db, clock, instance, list(ids), lease
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Lease:
        if self.ids:
            self._task = asyncio.create_task(self._renew())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.ids and kind is None:  # after an error or a cancellation, outcomes may be unwritten
            try:
                await self.release()
            except Exception:  # the lease runs out by itself
                log.exception("could not release the claim on %d reminders", len(self.ids))

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(renew_every(self.lease))
            try:
                await self.renew()
            except Exception:
                log.exception("could not extend the lease on %d reminders", len(self.ids))

    async def release(self) -> int:
        """Free the batch's rows this instance did not settle (a stop in the middle of a batch), so
        the next pass, or another instance, takes them at once."""
        async with self.db.session() as session:
            result = await session.exec(
                update(ReminderRow)
                .where(
                    col(ReminderRow.id).in_(self.ids),
                    col(ReminderRow.status) == "pending",
                    col(ReminderRow.claimed_by) == self.instance,
                )
                .values(claimed_by=None, claimed_until=None)
            )
        return int(result.rowcount or 0)

    async def renew(self) -> int:
        """Extend the lease on the batch's rows still pending and held by this instance."""
        now = self.clock()
        async with self.db.session() as session:
            result = await session.exec(
                update(ReminderRow)
                .where(
                    col(ReminderRow.id).in_(self.ids),
                    col(ReminderRow.status) == "pending",
                    col(ReminderRow.claimed_by) == self.instance,
                )
                .values(claimed_until=now + self.lease)
            )
        return int(result.rowcount or 0)


async def release_after_restart(db: Database) -> int:
    """On SQLite, where one `duban run` holds the database (`bot.single_run`), every claim left on a
    pending row belongs to a process that is gone: free them at start, so a restart sends at once
    instead of a lease later. On PostgreSQL other instances may be alive: their leases run out."""
    if db.engine.dialect.name != "sqlite":
        return 0
    async with db.session() as session:
        result = await session.exec(
            update(ReminderRow)
            .where(col(ReminderRow.claimed_by).is_not(None), col(ReminderRow.status) == "pending")
            .values(claimed_by=None, claimed_until=None)
        )
    return int(result.rowcount or 0)
