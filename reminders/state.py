"""Reading what the reminder policy needs from the database: plan state, policy and calendar."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Mapping

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Indicator, Plan, ReminderSettings
from models.evidence import completeness
from models.ownership import figure_owners
from models.reports import indicator_rows, latest_observations, responsibilities
from models.tables import AuditEntry, CalendarDay, IndicatorRow, OutboxState, UnitRow
from models.work import assignment_rows
from reminders.calendar import WorkCalendar
from reminders.policy import AssignmentState, EvidenceState, PeriodicState, PlanState


async def plan_state(session: AsyncSession, plan: Plan) -> PlanState:
    """The plan's assignments, monthly figures and owed evidence as they stand now."""
    assignments = tuple(AssignmentState(*row) for row in await assignment_rows(session, plan.id))
    rows = await indicator_rows(session, plan.id)
    units = await responsibilities(session, plan.id)
    unit_ids = {name: unit_id for pairs in units.values() for unit_id, name in pairs}
    unit_ids |= await _unit_ids(session, plan.id)
    complete = await complete_periods(session, plan, rows)
    periodic = tuple(
        PeriodicState(
            code=i.code,
            name=i.name,
            months=tuple(i.periods.months()),
            units=tuple((unit_ids[u], u) for u in figure_reporters(plan, i) if u in unit_ids),
            reported=frozenset((p, None) for p in complete.get(i.code, set())),
        )
        for i in plan.indicators
        if i.periods is not None
    )
    return PlanState(
        plan.id,
        plan.timezone,
        plan.start,
        plan.end,
        assignments,
        periodic,
        await _evidence(session, plan),
    )


def figure_reporters(plan: Plan, indicator: Indicator) -> list[str]:
    """The units asked for a monthly figure: those who own it (every item's owners together)."""
    names = figure_owners(plan, indicator.code)
    for item in indicator.items():
        names += [u for u in figure_owners(plan, indicator.code, item.name) if u not in names]
    return names


async def _unit_ids(session: AsyncSession, plan_id: str) -> dict[str, int]:
    statement = select(UnitRow.name, UnitRow.id).where(UnitRow.plan_id == plan_id)
    return {name: unit_id or 0 for name, unit_id in (await session.exec(statement)).all()}


async def complete_periods(
    session: AsyncSession, plan: Plan, rows: Mapping[str, IndicatorRow]
) -> dict[str, set[str]]:
    """Per monthly indicator, the months whose figure (every item's) counts already."""
    observations = await latest_observations(session, plan.id)
    out: dict[str, set[str]] = {}
    for indicator in plan.indicators:
        if indicator.periods is None:
            continue
        have = observations.get(rows[indicator.code].id or 0, {})
        items: list[str | None] = [i.name for i in indicator.items()] or [None]
        out[indicator.code] = {
            m for m in indicator.periods.months() if all((m, item) in have for item in items)
        }
    return out


async def _evidence(session: AsyncSession, plan: Plan) -> tuple[EvidenceState, ...]:
    """Per unit and due date, the codes whose evidence the unit still owes.

    A unit has handed in its part once a file it sent for the code was accepted or waits for review;
    a rejected or withdrawn file leaves the item owed.
    """
    owed: dict[tuple[int, str, dt.date], list[str]] = defaultdict(list)
    for cell in await completeness(session, plan):
        if cell.owed and cell.due is not None:
            owed[(cell.unit_id, cell.unit, cell.due)].append(cell.code)
    return tuple(EvidenceState(u, name, due, tuple(codes)) for (u, name, due), codes in owed.items())


async def effective_policy(session: AsyncSession, plan: Plan) -> ReminderSettings:
    """The plan file's reminder policy with the admin's changes on top."""
    state = await session.get(OutboxState, plan.id)
    if state is None or not state.policy_json:
        return plan.reminders
    return ReminderSettings.model_validate({**plan.reminders.model_dump(), **json.loads(state.policy_json)})


async def work_calendar(
    session: AsyncSession, plan: Plan, on_unknown_year: Callable[[int], None] | None = None
) -> WorkCalendar:
    """The official calendar with the plan's and the admin's holidays and make-up days."""
    holidays = set(plan.calendar.holidays)
    workdays = set(plan.calendar.workdays)
    for row in (await session.exec(select(CalendarDay).where(CalendarDay.plan_id == plan.id))).all():
        (workdays if row.workday else holidays).add(row.day)
        (holidays if row.workday else workdays).discard(row.day)
    return WorkCalendar(holidays=holidays, workdays=workdays, on_unknown_year=on_unknown_year)


async def set_calendar_day(
    session: AsyncSession,
    plan_id: str,
    day: dt.date,
    *,
    workday: bool,
    note: str,
    member_id: int | None,
    actor: str,
    now: dt.datetime,
) -> None:
    """Record an extra holiday (workday False) or a make-up working day (workday True)."""
    row = await session.get(CalendarDay, (plan_id, day))
    if row is None:
        row = CalendarDay(plan_id=plan_id, day=day, workday=workday, at=now)
    row.workday, row.note, row.member_id, row.at = workday, note, member_id, now
    session.add(row)
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            member_id=member_id,
            actor=actor,
            action="calendar.set",
            detail=json.dumps({"day": day.isoformat(), "workday": workday, "note": note}, ensure_ascii=False),
        )
    )


async def remove_calendar_day(
    session: AsyncSession, plan_id: str, day: dt.date, *, member_id: int | None, actor: str, now: dt.datetime
) -> bool:
    """Drop an office correction; False when there was none for that day."""
    row = await session.get(CalendarDay, (plan_id, day))
    if row is None:
        return False
    await session.delete(row)
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            member_id=member_id,
            actor=actor,
            action="calendar.remove",
            detail=json.dumps({"day": day.isoformat()}),
        )
    )
    return True


async def calendar_days(session: AsyncSession, plan_id: str) -> list[CalendarDay]:
    """The office's corrections, by date."""
    statement = select(CalendarDay).where(CalendarDay.plan_id == plan_id).order_by(CalendarDay.day)  # type: ignore[arg-type]
    return list((await session.exec(statement)).all())


async def set_policy(
    session: AsyncSession,
    plan: Plan,
    changes: dict[str, object],
    *,
    member_id: int | None,
    actor: str,
    now: dt.datetime,
) -> ReminderSettings:
    """Apply the admin's changes to the reminder policy (validated as a whole) and keep them."""
    state = await session.get(OutboxState, plan.id)
    current = json.loads(state.policy_json) if state and state.policy_json else {}
    merged = {**current, **changes}
    policy = ReminderSettings.model_validate({**plan.reminders.model_dump(), **merged})
    if state is None:
        zone_today = now.date() - dt.timedelta(days=1)
        state = OutboxState(plan_id=plan.id, synced_until=zone_today)
    state.policy_json = json.dumps(merged, ensure_ascii=False, default=str)
    session.add(state)
    session.add(
        AuditEntry(
            plan_id=plan.id,
            at=now,
            member_id=member_id,
            actor=actor,
            action="policy.set",
            detail=json.dumps(changes, ensure_ascii=False, default=str),
        )
    )
    return policy
