"""What Duban will send in the coming days (`duban reminders`), and what it could not deliver."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.tables import ReminderRow, UnitRow
from reminders.policy import Due, due_reminders
from reminders.state import effective_policy, plan_state, work_calendar


async def upcoming(session: AsyncSession, plan: Plan, now: dt.datetime, days: int) -> list[Due]:
    """Reminders due from `now` to the end of the `days`-th day after it, as the plan stands now."""
    zone = ZoneInfo(plan.timezone)
    first = now.astimezone(zone).date()
    last = first + dt.timedelta(days=days)
    calendar = await work_calendar(session, plan)
    policy = await effective_policy(session, plan)
    dues = due_reminders(await plan_state(session, plan), policy, calendar, first, last)
    return [d for d in dues if d.due_at >= now]


def as_json(due: Due, zone: ZoneInfo) -> dict[str, Any]:
    """One reminder as the CLI prints it."""
    about = "task" if due.assignment_id is not None else due.subject.split("-")[0]
    return {
        "due": due.due_at.astimezone(zone).isoformat(),
        "kind": due.kind,
        "to": "leaders" if due.to_leaders else due.unit,
        "unit_id": due.unit_id,
        "about": {"type": about, "code": due.subject},
        "detail": due.detail,
    }


async def undelivered(session: AsyncSession, plan_id: str, since: dt.datetime) -> list[tuple[str, int]]:
    """Reminders due since `since` that reached nobody, per recipient (a unit's name, or '' for the
    leaders), most first: the office must bind someone or unblock a chat."""
    statement = (
        select(UnitRow.name, func.count())
        .select_from(ReminderRow)
        .outerjoin(UnitRow, col(UnitRow.id) == col(ReminderRow.unit_id))
        .where(
            ReminderRow.plan_id == plan_id,
            ReminderRow.status == "undeliverable",
            col(ReminderRow.due_at) >= since,
        )
        .group_by(UnitRow.name)
        # ties: the leaders first, then plan order (ORDER BY count alone leaves ties to the database)
        .order_by(func.count().desc(), func.coalesce(func.min(UnitRow.id), 0))
    )
    return [(name or "", count) for name, count in (await session.exec(statement)).all()]
