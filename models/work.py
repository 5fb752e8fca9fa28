"""Tasks and their assignments: who owes what by when, and the progress each unit recorded.

A unit's status on a task changes only by a new ProgressEvent (who, when, note, source message);
the assignment row keeps the latest status for fast listing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Assignment, AuditEntry, Member, ProgressEvent, TaskRow, UnitRow

STATUSES = ("todo", "doing", "blocked", "done")
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class AssignmentView:
    """One unit's share of a task, as listed."""

    id: int
    unit_id: int
    unit: str
    is_lead: bool
    status: str
    status_at: dt.datetime | None


@dataclass
class TaskView:
    """A task with its assignments, and what its dates mean today."""

    id: int
    code: str
    title: str
    deadline: dt.date | None
    ongoing: bool
    assignments: list[AssignmentView] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Every responsible unit reported it done (an ongoing task is done for its deadline too)."""
        return bool(self.assignments) and all(a.status == "done" for a in self.assignments)

    def overdue(self, today: dt.date) -> bool:
        """Past its deadline with a unit not done."""
        return self.deadline is not None and self.deadline < today and not self.done

    def due_soon(self, today: dt.date, days: int = DUE_SOON_DAYS) -> bool:
        """Deadline within the next `days` days and not done."""
        return self.deadline is not None and today <= self.deadline <= today + dt.timedelta(days=days) and not self.done

    def late_units(self, today: dt.date) -> list[AssignmentView]:
        """The units that have not finished a task past its deadline."""
        if self.deadline is None or self.deadline >= today:
            return []
        return [a for a in self.assignments if a.status != "done"]

    def for_unit(self, unit_id: int) -> AssignmentView | None:
        """This unit's assignment, if it has one."""
        return next((a for a in self.assignments if a.unit_id == unit_id), None)


async def list_tasks(session: AsyncSession, plan_id: str) -> list[TaskView]:
    """Every task of a plan with its assignments, in plan order.

    Plain columns, no ORM objects: `/status` reads this on every call, and a plan like Dingtao has
    some 800 assignments, which as ORM rows cost more than the rest of the reply."""
    tasks = (
        await session.exec(
            select(TaskRow.id, TaskRow.code, TaskRow.title, TaskRow.deadline, TaskRow.ongoing)  # type: ignore[call-overload]
            .where(TaskRow.plan_id == plan_id)
            .order_by(col(TaskRow.position))
        )
    ).all()
    views = {
        t: TaskView(id=t or 0, code=code, title=title, deadline=due, ongoing=ongoing)
        for t, code, title, due, ongoing in tasks
    }
    statement = (
        select(  # type: ignore[call-overload]
            Assignment.task_id,
            Assignment.id,
            UnitRow.id,
            UnitRow.name,
            Assignment.is_lead,
            Assignment.status,
            Assignment.status_at,
        )
        .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .where(TaskRow.plan_id == plan_id)
        .order_by(col(Assignment.is_lead).desc(), col(Assignment.id))
    )
    for task_id, assignment_id, unit_id, unit, is_lead, status, status_at in (await session.exec(statement)).all():
        views[task_id].assignments.append(
            AssignmentView(assignment_id or 0, unit_id or 0, unit, is_lead, status, status_at)
        )
    return list(views.values())


async def assignment_rows(
    session: AsyncSession, plan_id: str
) -> list[tuple[int, str, str, int, str, dt.date | None, bool, bool]]:
    """(assignment id, task code, title, unit id, unit, deadline, ongoing, done) for every share of every
    task: plain columns, no ORM objects, because the reminder engine reads this on every pass."""
    statement = (
        select(  # type: ignore[call-overload]
            Assignment.id,
            TaskRow.code,
            TaskRow.title,
            UnitRow.id,
            UnitRow.name,
            TaskRow.deadline,
            TaskRow.ongoing,
            Assignment.status,
        )
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
        .where(TaskRow.plan_id == plan_id)
        .order_by(col(TaskRow.position), col(Assignment.id))
    )
    return [
        (a or 0, code, title, u or 0, name, deadline, ongoing, status == "done")
        for a, code, title, u, name, deadline, ongoing, status in (await session.exec(statement)).all()
    ]


@dataclass(frozen=True)
class ProgressView:
    """A recorded status change, for history listings."""

    at: dt.datetime
    unit: str
    status: str
    note: str
    who: str


async def task_history(session: AsyncSession, task_id: int) -> list[ProgressView]:
    """Every status recorded on a task, oldest first."""
    statement = (
        select(ProgressEvent, Assignment, UnitRow, Member)
        .join(Assignment, col(Assignment.id) == col(ProgressEvent.assignment_id))
        .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
        .outerjoin(Member, col(Member.id) == col(ProgressEvent.member_id))
        .where(Assignment.task_id == task_id)
        .order_by(col(ProgressEvent.id))
    )
    return [
        ProgressView(at=e.at, unit=u.name, status=e.status, note=e.note, who=(m.display_name or m.user_id) if m else "")
        for e, _a, u, m in (await session.exec(statement)).all()
    ]


async def record_progress(
    session: AsyncSession,
    *,
    assignment_id: int,
    status: str,
    note: str,
    member: Member,
    now: dt.datetime,
    transport: str,
    chat_id: str,
    message_id: str,
) -> tuple[str, ProgressEvent]:
    """Record a unit's status on its assignment; returns the status it had before and the event."""
    assert status in STATUSES
    assignment = await session.get(Assignment, assignment_id)
    assert assignment is not None
    before = assignment.status
    event = ProgressEvent(
        assignment_id=assignment_id,
        status=status,
        note=note,
        member_id=member.id,
        at=now,
        transport=transport,
        chat_id=chat_id,
        message_id=message_id,
    )
    session.add(event)
    assignment.status, assignment.status_at = status, now
    assignment.done_at = now if status == "done" else None
    session.add(assignment)
    session.add(
        AuditEntry(
            plan_id=member.plan_id,
            at=now,
            member_id=member.id,
            actor=f"{transport}:{member.user_id}",
            action="progress.record",
            detail=json.dumps(
                {"assignment": assignment_id, "from": before, "to": status, "note": note}, ensure_ascii=False
            ),
        )
    )
    await session.flush()
    return before, event


async def progress_events(session: AsyncSession, assignment_id: int) -> list[ProgressEvent]:
    """Every status recorded on one unit's share, oldest first."""
    statement = select(ProgressEvent).where(ProgressEvent.assignment_id == assignment_id)
    return list((await session.exec(statement.order_by(col(ProgressEvent.id)))).all())


@dataclass(frozen=True)
class BlockedView:
    """A unit's share that is blocked now: which task, which unit, since when, with what note."""

    task_code: str
    task_title: str
    unit_id: int
    unit: str
    since: dt.datetime | None
    note: str


async def blocked_assignments(session: AsyncSession, plan_id: str) -> list[BlockedView]:
    """Every share of a task whose unit asked for help and has not moved on since."""
    statement = (
        select(Assignment, TaskRow, UnitRow)
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
        .where(TaskRow.plan_id == plan_id, Assignment.status == "blocked")
        .order_by(col(Assignment.status_at), col(Assignment.id))
    )
    found = list((await session.exec(statement)).all())
    notes: dict[int, str] = {}
    if found:
        events = select(ProgressEvent).where(
            col(ProgressEvent.assignment_id).in_([a.id for a, _, _ in found]), ProgressEvent.status == "blocked"
        )
        for event in (await session.exec(events.order_by(col(ProgressEvent.id)))).all():
            notes[event.assignment_id] = event.note
    return [BlockedView(t.code, t.title, u.id or 0, u.name, a.status_at, notes.get(a.id or 0, "")) for a, t, u in found]
