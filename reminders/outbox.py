"""The outbox: reminders written to the database ahead of time, exactly once each.

`sync_outbox` runs the pure policy over the days from where the last sync stopped to a short
horizon ahead, inserts the reminders it has not stored yet (unique key), cancels pending ones that
are no longer relevant (the unit finished, the figure came in), and revives cancelled ones that
are relevant again. Nothing here sends anything.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.tables import AuditEntry, OutboxState, ReminderRow
from reminders.policy import KINDS, Due, due_reminders
from reminders.state import effective_policy, plan_state, work_calendar

HORIZON_DAYS = 2


@dataclass
class SyncResult:
    """What a sync changed."""

    added: int = 0
    cancelled: int = 0
    revived: int = 0


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
    wanted = {d.key: d for d in due_reminders(await plan_state(session, plan), policy, calendar, first, last)}
    stored = {
        key: (row_id or 0, status)
        for key, row_id, status in (
            await session.exec(
                select(ReminderRow.key, ReminderRow.id, ReminderRow.status).where(
                    ReminderRow.plan_id == plan.id,
                    col(ReminderRow.due_at) >= local_midnight(first, zone),
                    col(ReminderRow.kind).in_(KINDS),  # not digests, catch-ups or notices: the policy makes none
                )
            )
        ).all()
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


async def _reconcile(
    session: AsyncSession,
    plan_id: str,
    wanted: dict[str, Due],
    stored: dict[str, tuple[int, str]],
    first_new: dt.date,
    now: dt.datetime,
) -> SyncResult:
    """Insert what is new, cancel what is no longer relevant, revive what is relevant again."""
    new_rows = [_row(plan_id, due, now) for key, due in wanted.items() if key not in stored and due.day >= first_new]
    revive = [
        row_id
        for key, (row_id, status) in stored.items()
        if status == "cancelled" and key in wanted and wanted[key].due_at >= now
    ]
    cancel = [row_id for key, (row_id, status) in stored.items() if status == "pending" and key not in wanted]
    for ids, status in ((revive, "pending"), (cancel, "cancelled")):
        if ids:
            await session.exec(update(ReminderRow).where(col(ReminderRow.id).in_(ids)).values(status=status))
    if new_rows:
        # One multi-row statement: on the day 700 units fall overdue, ORM objects one by one are slow.
        await session.exec(insert(ReminderRow), params=new_rows)
    return SyncResult(added=len(new_rows), cancelled=len(cancel), revived=len(revive))


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
