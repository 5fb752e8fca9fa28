"""The outbox: reminders written to the database ahead of time, exactly once each.

`sync_outbox` runs the pure policy over the days from where the last sync stopped to a short
horizon ahead, inserts the reminders it has not stored yet (unique key), cancels pending ones that
are no longer relevant (the unit finished, the figure came in), revives cancelled ones that are
relevant again, and moves pending ones whose time changed (a new send time, a holiday, a new digest
day). The weekly digest is planned here too, as one `digest_due` row per plan and week, which the
engine turns into the digest when it falls due. Nothing here sends anything.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.tables import AuditEntry, OutboxState, ReminderRow
from models.upsert import insert_missing
from reminders.policy import DIGEST_DUE, KINDS, Due, digest_dues, due_reminders
from reminders.state import effective_policy, plan_state, work_calendar

HORIZON_DAYS = 2
PLANNED = (*KINDS, DIGEST_DUE)
"""The kinds a sync plans, and so may change: reminders and the weekly `digest_due` rows (not the
composed digests, catch-ups or notices)."""


@dataclass
class SyncResult:
    """What a sync changed."""

    added: int = 0
    cancelled: int = 0
    revived: int = 0
    moved: int = 0


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The start of a local day, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


async def sync_outbox(
    session: AsyncSession, plan: Plan, now: dt.datetime, *, horizon_days: int = HORIZON_DAYS, only_new: bool = False
) -> SyncResult:
    """Bring the plan's outbox up to date for the days up to `horizon_days` ahead.

    `only_new`: nothing changed in the plan since the last sync (the caller knows), so only days not
    yet written need computing; otherwise pending reminders are re-checked too.
    """
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    state_row = await session.get(OutboxState, plan.id)
    first_new = today if state_row is None else min(state_row.synced_until + dt.timedelta(days=1), today)
    last = today + dt.timedelta(days=horizon_days)
    if only_new and first_new > last:
        return SyncResult()
    oldest_pending = (
        None
        if only_new
        else (
            await session.exec(
                select(func.min(ReminderRow.due_at)).where(
                    ReminderRow.plan_id == plan.id, ReminderRow.status == "pending"
                )
            )
        ).one()
    )
    first = min(first_new, oldest_pending.astimezone(zone).date()) if oldest_pending else first_new
    warned: list[int] = []
    calendar = await work_calendar(session, plan, on_unknown_year=warned.append)
    policy = await effective_policy(session, plan)
    digests = digest_dues(policy, calendar, zone, first, last)
    wanted = {d.key: d for d in due_reminders(await plan_state(session, plan), policy, calendar, first, last) + digests}
    candidates = (
        col(ReminderRow.plan_id) == plan.id,
        col(ReminderRow.kind).in_(PLANNED),
        # A week's digest row is found by its key wherever it lies: a new digest day may move it out
        # of the days synced here (a reminder's key names its day, so it never leaves it).
        or_(col(ReminderRow.due_at) >= local_midnight(first, zone), col(ReminderRow.key).in_([d.key for d in digests])),
    )
    columns = select(ReminderRow.key, ReminderRow.id, ReminderRow.status, ReminderRow.due_at)
    tried = set((await session.exec(select(ReminderRow.id).where(*candidates, col(ReminderRow.attempts) > 0))).all())
    pending = select(ReminderRow.id, ReminderRow.detail).where(*candidates, col(ReminderRow.status) == "pending")
    details = dict((await session.exec(pending)).all())
    stored = {
        key: _Stored(row_id or 0, status, due_at, row_id in tried, details.get(row_id, ""))
        for key, row_id, status, due_at in (await session.exec(columns.where(*candidates))).all()
    }
    result = await _reconcile(session, plan.id, wanted, stored, first_new, now)
    if state_row is None:
        state_row = OutboxState(plan_id=plan.id, synced_until=last)
    state_row.synced_until = max(state_row.synced_until, last)
    session.add(state_row)
    for year in warned:
        await _warn_unknown_year(session, plan.id, year, now)
    return result


async def cancel_pending(session: AsyncSession, plan_id: str) -> int:
    """Cancel every pending reminder and notice of a plan (it was archived); returns how many."""
    result = await session.exec(
        update(ReminderRow)
        .where(col(ReminderRow.plan_id) == plan_id, col(ReminderRow.status) == "pending")
        .values(status="cancelled", last_error="plan archived")
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class _Stored:
    """What a sync needs to know of a stored row."""

    row_id: int
    status: str
    due_at: dt.datetime
    tried: bool
    """The sender tried it already: it keeps the time the sender gave it for its retry."""
    detail: str
    """What the reminder says (an evidence reminder's codes shrink as the unit hands files in)."""


async def _reconcile(
    session: AsyncSession,
    plan_id: str,
    wanted: dict[str, Due],
    stored: dict[str, _Stored],
    first_new: dt.date,
    now: dt.datetime,
) -> SyncResult:
    """Insert what is new, cancel what is no longer relevant, revive what is relevant again, and move
    what is still wanted but at another time."""
    new_rows = [_row(plan_id, due, now) for key, due in wanted.items() if key not in stored and due.day >= first_new]
    revive = [s.row_id for key, s in stored.items() if s.status == "cancelled" and _revives(wanted.get(key), now)]
    cancel = [s.row_id for key, s in stored.items() if s.status == "pending" and key not in wanted]
    for ids, status in ((revive, "pending"), (cancel, "cancelled")):
        if ids:
            await session.exec(update(ReminderRow).where(col(ReminderRow.id).in_(ids)).values(status=status))
    moves = _moves(wanted, stored, set(revive))
    if moves:
        # Bulk UPDATE by primary key: one statement executed for every moved row.
        await session.exec(update(ReminderRow), params=moves)
    if new_rows:
        # One multi-row statement: on the day 700 units fall overdue, ORM objects one by one are slow.
        await insert_missing(session, ReminderRow, new_rows, ("plan_id", "key"))
    return SyncResult(added=len(new_rows), cancelled=len(cancel), revived=len(revive), moved=len(moves))


def _revives(due: Due | None, now: dt.datetime) -> bool:
    """A cancelled row is wanted again: a reminder if its time is still ahead, a week's digest always
    (moved away and back, it must still be composed once)."""
    return due is not None and (due.due_at >= now or due.kind == DIGEST_DUE)


def _moves(wanted: dict[str, Due], stored: dict[str, _Stored], revived: set[int]) -> list[dict[str, object]]:
    """Pending rows (and revived ones) whose wanted time or content changed: `/remind time`, a digest
    day, a holiday; evidence a unit handed in since the row was written.

    A row the sender tried already keeps the time it was given for its retry, and what it said.
    """
    out: list[dict[str, object]] = []
    for key, s in stored.items():
        if key not in wanted or not (s.status == "pending" or s.row_id in revived) or s.tried:
            continue
        detail = json.dumps(wanted[key].detail, ensure_ascii=False)
        if s.due_at != wanted[key].due_at or s.detail != detail:
            out.append({"id": s.row_id, "due_at": wanted[key].due_at, "detail": detail})
    return out


def _row(plan_id: str, due: Due, now: dt.datetime) -> dict[str, object]:
    return {
        "plan_id": plan_id,
        "key": due.key,
        "kind": due.kind,
        "due_at": due.due_at,
        "unit_id": due.unit_id,
        "subject": due.subject,
        "assignment_id": due.assignment_id,
        "digest_id": None,
        "detail": json.dumps(due.detail, ensure_ascii=False),
        "status": "pending",
        "created_at": now,
        "sent_at": None,
        "folded_into": None,
        "attempts": 0,
        "last_error": "",
    }


async def _warn_unknown_year(session: AsyncSession, plan_id: str, year: int, now: dt.datetime) -> None:
    """Tell the office once that a year's holidays are guessed from weekends."""
    key = f"calendar_warning:{year}:admins:{year}"
    exists = (
        await session.exec(select(ReminderRow).where(ReminderRow.plan_id == plan_id, ReminderRow.key == key))
    ).first()
    if exists is not None:
        return
    session.add(
        ReminderRow(
            plan_id=plan_id,
            key=key,
            kind="calendar_warning",
            due_at=now,
            subject=str(year),
            detail=json.dumps({"year": year}),
            created_at=now,
        )
    )
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            actor="reminders",
            action="calendar.unknown_year",
            detail=json.dumps({"year": year}),
        )
    )
