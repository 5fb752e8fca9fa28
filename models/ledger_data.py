"""What the exported ledger (台账) says, read from the database in one pass, before any sheet is drawn.

The workbook is drawn in a worker thread from this snapshot (openpyxl is CPU work), so nothing here
holds a session while cells are written, and every number comes from the same moment. Nothing is
derived twice: statuses come from `models.work`, points and hints from `models.scoring` through the
score board, evidence from `models.evidence.completeness`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.evidence import EvidenceCell, completeness
from models.plans import expand_units, unit_resolver
from models.reports import HistoryEntry, ScoreBoard, indicator_rows, load_score_board, report_history
from models.tables import Report, UnitRow
from models.work import TaskView, list_tasks, task_history


def local_time(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """A stored time as the ledger writes it, in the plan's zone: 2022-06-01 10:00 (stored times are
    UTC; SQLite hands them back without their zone)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Share:
    """One row of the task ledger: a unit's share of a task, or a group's shares taken together.

    `status` is a unit's own ('todo', 'doing', 'blocked', 'done'); a group has '' and is read by
    `done` of `total` member units. `note` is the latest progress note (for a group, with the unit
    that wrote it).
    """

    status: str
    done: int
    total: int
    updated: dt.datetime | None
    note: str
    overdue: bool
    group: bool = False


@dataclass(frozen=True)
class Ranked:
    """A unit's standing: what it owes, what it has done, what is late."""

    rank: int
    unit: str
    tasks: int
    tasks_done: int
    tasks_overdue: int
    evidence_owed: int
    evidence_accepted: int
    evidence_overdue: int
    reports: int

    @property
    def overdue(self) -> int:
        """Everything late: tasks past their deadline and evidence still owed past its due date."""
        return self.tasks_overdue + self.evidence_overdue

    @property
    def rate(self) -> Fraction | None:
        """Share of what it owes that is done (tasks done, evidence accepted), exact; None when it owes nothing."""
        owed = self.tasks + self.evidence_owed
        return Fraction(self.tasks_done + self.evidence_accepted, owed) if owed else None


@dataclass(frozen=True)
class LedgerData:
    """Everything the workbook shows, as of `now`."""

    plan: Plan
    now: dt.datetime
    zone: ZoneInfo
    shares: dict[tuple[str, str], Share]
    board: ScoreBoard
    gate_answers: dict[str, HistoryEntry | None]
    evidence: list[EvidenceCell]
    ranking: list[Ranked]

    @property
    def today(self) -> dt.date:
        """The export's day in the plan's zone: deadlines are read against it."""
        return self.now.astimezone(self.zone).date()


async def collect(session: AsyncSession, plan: Plan, *, now: dt.datetime) -> LedgerData:
    """Read every figure the ledger needs, as the plan stands at `now`."""
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    tasks = await list_tasks(session, plan.id)
    notes = await _latest_notes(session, tasks)
    evidence = await completeness(session, plan)
    plain_units = select(UnitRow).where(UnitRow.plan_id == plan.id, col(UnitRow.is_group).is_(False))
    units = (await session.exec(plain_units.order_by(col(UnitRow.id)))).all()
    return LedgerData(
        plan=plan,
        now=now,
        zone=zone,
        shares=task_shares(plan, tasks, notes, today),
        board=await load_score_board(session, plan),
        gate_answers=await _gate_answers(session, plan),
        evidence=evidence,
        ranking=rank_units(
            [(u.id or 0, u.name) for u in units], tasks, evidence, await _reports_by_unit(session, plan.id), today
        ),
    )


async def _latest_notes(session: AsyncSession, tasks: list[TaskView]) -> dict[tuple[str, str], tuple[dt.datetime, str]]:
    """The latest non-empty progress note of every (task code, unit), with when it was written."""
    notes: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
    for task in tasks:
        for event in await task_history(session, task.id):
            if event.note:
                notes[(task.code, event.unit)] = (event.at, event.note)
    return notes


async def _gate_answers(session: AsyncSession, plan: Plan) -> dict[str, HistoryEntry | None]:
    """The answer that counts for each gate (as `/score G1` shows it), or None before anyone answered."""
    rows = await indicator_rows(session, plan.id)
    answers: dict[str, HistoryEntry | None] = {}
    for gate in plan.gates:
        history = await report_history(session, rows[gate.code], limit=20)
        answers[gate.code] = next((a for a in history if a.status is None), None)
    return answers


async def _reports_by_unit(session: AsyncSession, plan_id: str) -> Counter[int]:
    """How many figures each unit sent (proposals included; the copy an accepted proposal makes is not)."""
    statement = (
        select(Report.unit_id, func.count())
        .where(Report.plan_id == plan_id, col(Report.unit_id).is_not(None), col(Report.source_report).is_(None))
        .group_by(col(Report.unit_id))
    )
    return Counter({unit_id or 0: count for unit_id, count in (await session.exec(statement)).all()})


Notes = dict[tuple[str, str], tuple[dt.datetime, str]]
"""The latest progress note of each (task code, unit), with when it was written."""


def _unit_share(task: TaskView, unit: str, notes: Notes, today: dt.date) -> Share:
    share = next(a for a in task.assignments if a.unit == unit)
    done = share.status == "done"
    return Share(
        status=share.status,
        done=int(done),
        total=1,
        updated=share.status_at,
        note=notes.get((task.code, unit), (None, ""))[1],
        overdue=task.deadline is not None and task.deadline < today and not done,
    )


def _group_share(members: list[Share], names: list[str]) -> Share:
    """A group's row: how many of its units are done, the newest change and note, late if any unit is."""
    changes = [s.updated for s in members if s.updated is not None]
    latest = max(
        ((s.updated, f"{name}：{s.note}") for s, name in zip(members, names, strict=True) if s.note and s.updated),
        default=(None, ""),
    )
    return Share(
        status="",
        done=sum(s.done for s in members),
        total=len(members),
        updated=max(changes, default=None),
        note=latest[1],
        overdue=any(s.overdue for s in members),
        group=True,
    )


def task_shares(
    plan: Plan, tasks: list[TaskView], notes: dict[tuple[str, str], tuple[dt.datetime, str]], today: dt.date
) -> dict[tuple[str, str], Share]:
    """Every (task code, unit or group name) the task ledger may list, with its status cells.

    A plan lists a task's units by name or by group (各镇街); groups are expanded when the plan is
    stored, so a group's row is computed here from the shares of its member units on that task.
    """
    canonical, _ = unit_resolver(plan)
    out: dict[tuple[str, str], Share] = {}
    for task in tasks:
        for a in task.assignments:
            out[(task.code, a.unit)] = _unit_share(task, a.unit, notes, today)
        for group in plan.groups:
            names = [n for n in expand_units(plan, [group.name]) if (task.code, n) in out]
            if names:
                out[(task.code, group.name)] = _group_share([out[(task.code, n)] for n in names], names)
        for alias, name in canonical.items():  # a plan may list a unit by another of its names
            if alias != name and (task.code, name) in out:
                out[(task.code, alias)] = out[(task.code, name)]
    return out


def rank_units(
    units: list[tuple[int, str]],
    tasks: list[TaskView],
    evidence: list[EvidenceCell],
    reports: Counter[int],
    today: dt.date,
) -> list[Ranked]:
    """Units that owe anything or reported anything, best first.

    The order: fewest late items (tasks past their deadline not done, plus evidence still owed past
    its due date); then the highest completion rate ((tasks done + evidence accepted) / (tasks +
    evidence required)); then the most figures reported; then plan order. Equal standings share a
    rank (1, 2, 2, 4).
    """
    standings = []
    for position, (unit_id, name) in enumerate(units):
        mine = [a for t in tasks for a in t.assignments if a.unit_id == unit_id]
        late = [t for t in tasks for a in t.late_units(today) if a.unit_id == unit_id]
        cells = [c for c in evidence if c.unit_id == unit_id]
        overdue_cells = [c for c in cells if c.owed and c.due is not None and c.due < today]
        entry = Ranked(
            rank=0,
            unit=name,
            tasks=len(mine),
            tasks_done=sum(a.status == "done" for a in mine),
            tasks_overdue=len(late),
            evidence_owed=len(cells),
            evidence_accepted=sum(c.state == "accepted" for c in cells),
            evidence_overdue=len(overdue_cells),
            reports=reports.get(unit_id, 0),
        )
        if entry.tasks or entry.evidence_owed or entry.reports:
            standings.append((position, entry))

    def key(item: tuple[int, Ranked]) -> tuple[int, Fraction, int]:
        entry = item[1]
        return (entry.overdue, -(entry.rate if entry.rate is not None else Fraction(-1)), -entry.reports)

    standings.sort(key=lambda item: (*key(item), item[0]))
    ranked: list[Ranked] = []
    for i, item in enumerate(standings):
        same = i > 0 and key(item) == key(standings[i - 1])
        rank = ranked[-1].rank if same else i + 1
        ranked.append(replace(item[1], rank=rank))
    return ranked
