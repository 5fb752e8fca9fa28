"""The reminder policy: plan state + calendar + a range of days -> the reminders due in it.

Pure: no database, no clock. Every reminder has a stable key (kind, subject, recipient, day), so
computing the same range twice yields the same keys and the outbox can store each one exactly once.
A unit whose share is done, or whose figure is in, is simply not in the result any more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from config.plan_schema import ReminderSettings
from reminders.calendar import WorkCalendar

KINDS = (
    "before_deadline",
    "deadline_day",
    "overdue",
    "escalation",
    "period_figure",
    "nudge",
    "evidence",
    "ongoing_progress",
)
LEADERS = "leaders"
DIGEST_DUE = "digest_due"
"""An outbox row that is never delivered itself: when due, the engine composes that week's digest."""


@dataclass(frozen=True)
class AssignmentState:
    """One unit's share of a task, as the policy needs it."""

    assignment_id: int
    task_code: str
    task_title: str
    unit_id: int
    unit: str
    deadline: dt.date | None
    ongoing: bool
    done: bool


@dataclass(frozen=True)
class PeriodicState:
    """A monthly indicator: its months, its units and who has reported which month."""

    code: str
    name: str
    months: tuple[str, ...]
    units: tuple[tuple[int, str], ...]
    reported: frozenset[tuple[str, int | None]]
    """(period, unit id) pairs with a report; unit None means the office reported it for everyone."""

    def has_reported(self, period: str, unit_id: int) -> bool:
        """Whether the unit (or the office on its behalf) has reported this month."""
        return (period, unit_id) in self.reported or (period, None) in self.reported


@dataclass(frozen=True)
class EvidenceState:
    """Evidence a unit owes by a date: the codes not yet reported."""

    unit_id: int
    unit: str
    due: dt.date
    codes: tuple[str, ...]


@dataclass(frozen=True)
class PlanState:
    """Everything the policy looks at, read from the database at one moment."""

    plan_id: str
    timezone: str
    start: dt.date
    end: dt.date
    assignments: tuple[AssignmentState, ...] = ()
    periodic: tuple[PeriodicState, ...] = ()
    evidence: tuple[EvidenceState, ...] = ()


@dataclass(frozen=True)
class Due:
    """A reminder that falls due: when, to whom, about what, and why."""

    key: str
    due_at: dt.datetime
    day: dt.date
    kind: str
    unit_id: int | None
    """None when it goes to the leaders."""
    unit: str
    subject: str
    assignment_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def to_leaders(self) -> bool:
        """Escalations go to the leaders, everything else to a unit."""
        return self.unit_id is None


def _month_after(period: str) -> tuple[int, int]:
    year, month = map(int, period.split("-"))
    return (year + 1, 1) if month == 12 else (year, month + 1)


class _Builder:
    """Collects reminders for a range of days, one per key."""

    def __init__(self, state: PlanState, policy: ReminderSettings, calendar: WorkCalendar) -> None:
        self.state, self.policy, self.calendar = state, policy, calendar
        self.zone = ZoneInfo(state.timezone)
        self.found: dict[str, Due] = {}
        self._kinds: dict[tuple[dt.date, dt.date], tuple[str, dict[str, Any]] | None] = {}
        self.chase_until = state.end + dt.timedelta(days=policy.after_end_days)
        """Overdue work is chased until this day: an ended plan stops nagging after its grace period."""
        """Many units share a deadline: what a (deadline, day) pair means is worked out once."""

    def at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.policy.send_at, tzinfo=self.zone).astimezone(dt.UTC)

    def add(self, kind: str, day: dt.date, unit_id: int | None, unit: str, subject: str, **detail: Any) -> None:
        key = f"{kind}:{subject}:{unit_id if unit_id is not None else LEADERS}:{day.isoformat()}"
        assignment = detail.pop("assignment_id", None)
        self.found[key] = Due(key, self.at(day), day, kind, unit_id, unit, subject, assignment, detail)

    def deadline_kind(self, deadline: dt.date, day: dt.date) -> tuple[str, dict[str, Any]] | None:
        """What a deadline means on a working day: before, on, or past it (and by how much)."""
        key = (deadline, day)
        if key not in self._kinds:
            self._kinds[key] = self._deadline_kind(deadline, day)
        found = self._kinds[key]
        return None if found is None else (found[0], dict(found[1]))

    def _deadline_kind(self, deadline: dt.date, day: dt.date) -> tuple[str, dict[str, Any]] | None:
        if day > deadline:
            if not self.policy.overdue_every_workday or day > self.chase_until:
                return None
            return "overdue", {
                "overdue_workdays": self.calendar.workdays_between(deadline, day),
                "overdue_days": (day - deadline).days,
            }
        if self.policy.on_deadline and day == self.calendar.on_or_before(deadline):
            return "deadline_day", {}
        for count in self.policy.before:
            if day == self.calendar.workdays_before(deadline, count):
                return "before_deadline", {"workdays_left": count}
        return None


def due_reminders(
    state: PlanState, policy: ReminderSettings, calendar: WorkCalendar, first: dt.date, last: dt.date
) -> list[Due]:
    """Every reminder due on the working days from `first` to `last` (local dates), by time then key."""
    builder = _Builder(state, policy, calendar)
    workdays = list(calendar.workdays(first, last))
    for day in workdays:
        _tasks(builder, day)
        _evidence(builder, day)
        _ongoing(builder, day)
    _periodic(builder, first, last)
    return sorted(builder.found.values(), key=lambda d: (d.due_at, d.key))


def _tasks(builder: _Builder, day: dt.date) -> None:
    newly_escalated: list[dict[str, Any]] = []
    still_escalated = 0
    for a in builder.state.assignments:
        if a.done or a.deadline is None:
            continue
        found = builder.deadline_kind(a.deadline, day)
        if found is None:
            continue
        kind, detail = found
        builder.add(
            kind,
            day,
            a.unit_id,
            a.unit,
            a.task_code,
            assignment_id=a.assignment_id,
            title=a.task_title,
            deadline=a.deadline.isoformat(),
            **detail,
        )
        late = detail.get("overdue_workdays", 0)
        if late >= builder.policy.escalate_from:
            still_escalated += 1
            if late == builder.policy.escalate_from:
                newly_escalated.append(
                    {
                        "task": a.task_code,
                        "title": a.task_title,
                        "unit": a.unit,
                        "deadline": a.deadline.isoformat(),
                        "overdue_workdays": late,
                    }
                )
    if newly_escalated:
        builder.add("escalation", day, None, LEADERS, "tasks", items=newly_escalated, total_escalated=still_escalated)


def _evidence(builder: _Builder, day: dt.date) -> None:
    late: list[dict[str, Any]] = []
    for owed in builder.state.evidence:
        if not owed.codes:
            continue
        found = builder.deadline_kind(owed.due, day)
        if found is None:
            continue
        phase, detail = found
        builder.add(
            "evidence",
            day,
            owed.unit_id,
            owed.unit,
            f"evidence-{owed.due.isoformat()}",
            phase=phase,
            due=owed.due.isoformat(),
            codes=list(owed.codes),
            **detail,
        )
        if detail.get("overdue_workdays") == builder.policy.escalate_from:
            late.append({"unit": owed.unit, "due": owed.due.isoformat(), "codes": list(owed.codes)})
    if late:
        builder.add("escalation", day, None, LEADERS, "evidence", evidence=late, days=builder.policy.escalate_from)


def _ongoing(builder: _Builder, day: dt.date) -> None:
    state = builder.state
    if not state.start <= day <= state.end:
        return
    if day != builder.calendar.nth_workday_of_month(day.year, day.month, builder.policy.ongoing_monthly):
        return
    for a in state.assignments:
        if a.ongoing and not a.done:
            builder.add(
                "ongoing_progress",
                day,
                a.unit_id,
                a.unit,
                a.task_code,
                assignment_id=a.assignment_id,
                title=a.task_title,
                month=f"{day.year:04d}-{day.month:02d}",
            )


def _periodic(builder: _Builder, first: dt.date, last: dt.date) -> None:
    """Ask for last month's figure on the n-th working day; nudge those still missing later."""
    asks: dict[tuple[str, dt.date, int, str], list[dict[str, str]]] = defaultdict(list)
    policy, calendar = builder.policy, builder.calendar
    for indicator in builder.state.periodic:
        for period in indicator.months:
            year, month = _month_after(period)
            steps = [("period_figure", policy.period_ask)] + [("nudge", n) for n in policy.period_nudges]
            for kind, n in steps:
                day = calendar.nth_workday_of_month(year, month, n)
                if day is None or not first <= day <= last:
                    continue
                for unit_id, unit in indicator.units:
                    if not indicator.has_reported(period, unit_id):
                        asks[(kind, day, unit_id, unit)].append(
                            {"code": indicator.code, "name": indicator.name, "period": period}
                        )
    for (kind, day, unit_id, unit), items in asks.items():
        builder.add(kind, day, unit_id, unit, "periods", items=items)


def digest_week(day: dt.date) -> str:
    """The ISO week a digest belongs to ('2022-W27'): one digest per plan and week, whatever its day."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def digest_dues(
    policy: ReminderSettings, calendar: WorkCalendar, zone: ZoneInfo, first: dt.date, last: dt.date
) -> list[Due]:
    """The weekly digests planned or due from `first` to `last` (local dates): one per ISO week.

    A digest falls on the policy's weekday and time; on a holiday it moves to the next working day
    (nobody reads a digest on a holiday, and reminders do not go out then either). Its key names the
    week only, so a change of weekday, time or calendar moves the week's digest instead of adding one.
    A digest planned in the range but moved past it by holidays is still listed, at its moved day.
    """
    found: list[Due] = []
    monday = first - dt.timedelta(days=first.weekday() + 7 * DIGEST_SHIFT_WEEKS)
    while monday <= last:
        planned = monday + dt.timedelta(days=policy.digest_weekday)
        day = _next_workday(calendar, planned)
        if planned <= last and day >= first:  # from its planned day to its day, it touches the range
            week = digest_week(planned)
            due_at = dt.datetime.combine(day, policy.digest_at, tzinfo=zone).astimezone(dt.UTC)
            found.append(
                Due(f"{DIGEST_DUE}:{week}", due_at, day, DIGEST_DUE, None, LEADERS, week, detail={"week": week})
            )
        monday += dt.timedelta(days=7)
    return found


DIGEST_SHIFT_WEEKS = 2
"""How far a holiday may push a digest (a Golden Week plus a weekend is under two weeks)."""


def _next_workday(calendar: WorkCalendar, day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next one (at most DIGEST_SHIFT_WEEKS later)."""
    for offset in range(7 * DIGEST_SHIFT_WEEKS):
        candidate = day + dt.timedelta(days=offset)
        if calendar.is_workday(candidate):
            return candidate
    return day
