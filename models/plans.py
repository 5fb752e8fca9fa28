"""Storing plans: load a checked plan file into the database, or bring a stored plan up to date.

Loading again is an edit, not a wipe: units, tasks and indicators are matched by name and code,
reports and progress are kept, and anything that would lose history is refused with a reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from config.values import plain
from models.tables import (
    Assignment,
    AuditEntry,
    GroupMember,
    IndicatorRow,
    PlanRow,
    ProgressEvent,
    Report,
    Responsibility,
    TaskRow,
    UnitRow,
)


class PlanLoadError(Exception):
    """The plan cannot be stored as given (it would drop recorded history)."""


@dataclass
class LoadResult:
    """What a load changed, for the CLI and the audit log."""

    plan_id: str
    created: bool
    units: int = 0
    tasks: int = 0
    assignments: int = 0
    indicators: int = 0
    gates: int = 0
    warnings: list[str] = field(default_factory=list)


SPEC_CACHE = 256
T = TypeVar("T")
"""Parsed plans kept in memory, the most recently used first. A parsed plan takes about 300 KB
(Dingtao 280 KB, Puyang 350 KB) and parsing one again about 8 ms, which every request about it would
pay: room for a province's plans (256 plans, under 90 MB at most)."""


@lru_cache(maxsize=SPEC_CACHE)
def parse_spec(spec_json: str) -> Plan:
    """The plan of a stored row (cached: the JSON only changes when the plan is loaded again)."""
    return Plan.model_validate_json(spec_json)


Resolver = tuple[dict[str, str], dict[str, list[str]]]
"""Canonical names and group members of a plan's units: `/status <unit>` asks for each indicator's."""


def per_plan(build: Callable[[Plan], T]) -> Callable[[Plan], T]:
    """`build(plan)` worked out once per plan object, for the last SPEC_CACHE plans. The plan is kept
    with its value, so its identity cannot be reused while the entry lives; a plan is never changed
    once parsed. Callers must not change what it returns."""
    found: OrderedDict[int, tuple[Plan, T]] = OrderedDict()

    def cached(plan: Plan) -> T:
        hit = found.get(id(plan))
        if hit is not None and hit[0] is plan:
            found.move_to_end(id(plan))
            return hit[1]
        value = build(plan)
        found[id(plan)] = (plan, value)
        while len(found) > SPEC_CACHE:
            found.popitem(last=False)
        return value

    return cached


def unit_resolver(plan: Plan) -> Resolver:
    """Maps every unit or group name (and alias) to its canonical name, and every group to its units
    (worked out once per plan object; callers must not change what it returns)."""
    return _resolved(plan)


def _resolve_units(plan: Plan) -> Resolver:
    canonical = {n: u.name for u in plan.units for n in (u.name, *u.aliases)}
    canonical.update({n: g.name for g in plan.groups for n in (g.name, *g.aliases)})
    direct = {g.name: [canonical[m] for m in g.members] for g in plan.groups}
    expanded: dict[str, list[str]] = {}

    def expand(name: str) -> list[str]:
        if name not in direct:
            return [name]
        if name not in expanded:
            out: list[str] = []
            for member in direct[name]:
                out += [u for u in expand(member) if u not in out]
            expanded[name] = out
        return expanded[name]

    return canonical, {g: expand(g) for g in direct}


def expand_units(plan: Plan, names: list[str]) -> list[str]:
    """Unit names that `names` stand for, groups expanded, first appearance first."""
    canonical, groups = unit_resolver(plan)
    out: list[str] = []
    for name in names:
        for unit in groups.get(canonical[name], [canonical[name]]):
            if unit not in out:
                out.append(unit)
    return out


async def load_plan(session: AsyncSession, plan: Plan, *, now: dt.datetime, source: str, actor: str) -> LoadResult:
    """Store `plan`, creating it or bringing the stored copy up to date; history is kept."""
    row = await session.get(PlanRow, plan.id)
    result = LoadResult(plan_id=plan.id, created=row is None)
    spec_json = plan.model_dump_json()
    if row is None:
        row = PlanRow(
            id=plan.id,
            name=plan.name,
            timezone=plan.timezone,
            start=plan.start,
            end=plan.end,
            spec_json=spec_json,
            source=source,
            loaded_at=now,
        )
        session.add(row)
        await session.flush()
    else:
        row.name, row.timezone, row.start, row.end = plan.name, plan.timezone, plan.start, plan.end
        row.spec_json, row.source, row.loaded_at = spec_json, source, now
    units = await _sync_units(session, plan, result)
    await _sync_tasks(session, plan, units, result)
    await _sync_indicators(session, plan, units, result)
    session.add(
        AuditEntry(
            plan_id=plan.id,
            at=now,
            actor=actor,
            action="plan.load",
            detail=json.dumps({"source": source, "created": result.created}, ensure_ascii=False),
        )
    )
    return result


async def _sync_units(session: AsyncSession, plan: Plan, result: LoadResult) -> dict[str, int]:
    existing = {u.name: u for u in (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan.id))).all()}
    wanted: list[tuple[str, str, bool, list[str]]] = [(u.name, u.kind, False, u.aliases) for u in plan.units]
    wanted += [(g.name, "group", True, g.aliases) for g in plan.groups]
    for name, kind, is_group, aliases in wanted:
        row = existing.get(name) or UnitRow(plan_id=plan.id, name=name)
        row.kind, row.is_group, row.aliases = kind, is_group, "|".join(aliases)
        session.add(row)
    await session.flush()
    rows = {u.name: u for u in (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan.id))).all()}
    ids = {name: r.id for name, r in rows.items() if r.id is not None}
    all_ids = list(ids.values())
    await session.exec(delete(GroupMember).where(col(GroupMember.group_id).in_(all_ids)))
    _, groups = unit_resolver(plan)
    for group, members in groups.items():
        for member in members:
            session.add(GroupMember(group_id=ids[group], unit_id=ids[member]))
    wanted_names = {w[0] for w in wanted}
    for name in rows:
        if name not in wanted_names:
            result.warnings.append(f"unit {name} is no longer in the plan; kept because history may refer to it")
    result.units = len(plan.units)
    return ids


async def _sync_tasks(session: AsyncSession, plan: Plan, units: dict[str, int], result: LoadResult) -> None:
    existing = {t.code: t for t in (await session.exec(select(TaskRow).where(TaskRow.plan_id == plan.id))).all()}
    for position, task in enumerate(plan.tasks):
        row = existing.pop(task.code, None) or TaskRow(plan_id=plan.id, code=task.code, title=task.title)
        row.title, row.deadline, row.ongoing, row.position = task.title, task.deadline, task.ongoing, position
        session.add(row)
        await session.flush()
        assert row.id is not None
        leads = set(expand_units(plan, task.lead))
        responsible = expand_units(plan, task.units + task.lead)
        await _sync_assignments(session, row.id, [(units[u], u in leads) for u in responsible], task.code)
        result.assignments += len(responsible)
    for code, row in existing.items():
        await _drop_task(session, row, code)
    result.tasks = len(plan.tasks)


async def _sync_assignments(session: AsyncSession, task_id: int, wanted: list[tuple[int, bool]], code: str) -> None:
    current = {
        a.unit_id: a for a in (await session.exec(select(Assignment).where(Assignment.task_id == task_id))).all()
    }
    for unit_id, is_lead in wanted:
        row = current.pop(unit_id, None) or Assignment(task_id=task_id, unit_id=unit_id)
        row.is_lead = is_lead
        session.add(row)
    for row in current.values():
        if await _count(session, ProgressEvent, ProgressEvent.assignment_id == row.id):
            raise PlanLoadError(f"task {code}: a unit with recorded progress would be removed")
        await session.delete(row)


async def _count(session: AsyncSession, table: type, *where: object) -> int:
    statement = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
    return int((await session.exec(statement)).one())


async def _drop_task(session: AsyncSession, row: TaskRow, code: str) -> None:
    assignments = (await session.exec(select(Assignment).where(Assignment.task_id == row.id))).all()
    for a in assignments:
        if await _count(session, ProgressEvent, ProgressEvent.assignment_id == a.id):
            raise PlanLoadError(f"task {code} has recorded progress and cannot be removed from the plan")
        await session.delete(a)
    await session.delete(row)


async def _sync_indicators(session: AsyncSession, plan: Plan, units: dict[str, int], result: LoadResult) -> None:
    existing = {
        i.code: i for i in (await session.exec(select(IndicatorRow).where(IndicatorRow.plan_id == plan.id))).all()
    }
    entries: list[tuple[str, str, str, Decimal | None, bool, list[str], list[str]]]
    entries = [(i.code, i.name, "scored", i.max, i.bonus, i.units, i.lead) for i in plan.indicators]
    entries += [(g.code, g.name, "gate", None, False, g.units, g.lead) for g in plan.gates]
    for position, (code, name, kind, maximum, bonus, responsible, lead) in enumerate(entries):
        row = existing.pop(code, None) or IndicatorRow(plan_id=plan.id, code=code, name=name)
        row.name, row.kind, row.bonus, row.position = name, kind, bonus, position
        row.max_points = plain(maximum) if maximum is not None else "0"
        session.add(row)
        await session.flush()
        assert row.id is not None
        await session.exec(delete(Responsibility).where(col(Responsibility.indicator_id) == row.id))
        leads = set(expand_units(plan, lead))
        for unit in expand_units(plan, responsible + lead):
            session.add(Responsibility(indicator_id=row.id, unit_id=units[unit], is_lead=unit in leads))
    for code, row in existing.items():
        if await _count(session, Report, Report.indicator_id == row.id):
            raise PlanLoadError(f"indicator {code} has reports and cannot be removed from the plan")
        await session.exec(delete(Responsibility).where(col(Responsibility.indicator_id) == row.id))
        await session.delete(row)
    result.indicators = len(plan.indicators)
    result.gates = len(plan.gates)


async def set_archived(
    session: AsyncSession, plan_id: str, *, archived: bool, now: dt.datetime, actor: str, member_id: int | None = None
) -> PlanRow | None:
    """Archive a plan (it stays readable, sends nothing, accepts no reports) or bring it back.

    Returns the plan row, or None when there is no such plan. Archiving twice changes nothing.
    """
    row = await session.get(PlanRow, plan_id)
    if row is None:
        return None
    if (row.archived_at is not None) == archived:
        return row
    row.archived_at = now if archived else None
    session.add(row)
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            member_id=member_id,
            actor=actor,
            action="plan.archive" if archived else "plan.unarchive",
            detail="{}",
        )
    )
    return row


async def list_plans(session: AsyncSession) -> list[PlanRow]:
    """Every stored plan, by id."""
    return list((await session.exec(select(PlanRow).order_by(PlanRow.id))).all())


async def get_plan(session: AsyncSession, plan_id: str) -> tuple[PlanRow, Plan] | None:
    """A stored plan and its parsed spec, or None."""
    row = await session.get(PlanRow, plan_id)
    return (row, parse_spec(row.spec_json)) if row else None


async def last_audit_id(session: AsyncSession, plan_id: str) -> int:
    """The newest audit row of a plan: it moves whenever anything in the plan changes."""
    found = (await session.exec(select(func.max(AuditEntry.id)).where(AuditEntry.plan_id == plan_id))).one()
    return int(found or 0)


_resolved = per_plan(_resolve_units)
