"""The weekly digest's data: collected from the database, stored, queued for everyone, rendered.

A stored digest keeps the points of every indicator, so next week's "change since last week" is
measured against exactly what was said, not recomputed from a history that corrections may have
rewritten. It keeps its chart too (drawn once, in Chinese, by the caller in a worker thread, outside
any transaction): the sender and `/digest` reuse it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.database import aware
from models.evidence import completeness, requirements
from models.plans import expand_units
from models.reports import indicator_rows, load_score_board
from models.tables import Assignment, AuditEntry, DigestRow, ReminderRow, TaskRow, UnitRow
from models.work import DUE_SOON_DAYS, blocked_assignments, list_tasks
from reminders.digest import (
    BlockedLine,
    DigestData,
    IndicatorLine,
    MissingFigure,
    OwedEvidence,
    TaskLine,
    compose_leader_digest,
    compose_unit_digest,
)
from reminders.state import complete_periods, figure_reporters

ADAPTER = TypeAdapter(DigestData)
WEEK = dt.timedelta(days=7)


async def _previous(session: AsyncSession, plan_id: str, before: dt.datetime) -> list[tuple[dt.datetime, str, str]]:
    """(at, total, points) of the plan's earlier digests, oldest first: never their charts (a PNG each)."""
    statement = (
        select(DigestRow.at, DigestRow.total, DigestRow.points_json)
        .where(DigestRow.plan_id == plan_id, col(DigestRow.at) < before)
        .order_by(col(DigestRow.at))
    )
    return list((await session.exec(statement)).all())


async def collect_digest(session: AsyncSession, plan: Plan, now: dt.datetime) -> DigestData:
    """Everything this week's digest says, compared with the last stored digest."""
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    earlier = await _previous(session, plan.id, now)
    last = earlier[-1] if earlier else None
    previous_points = {k: Decimal(v) for k, v in json.loads(last[2]).items()} if last else {}
    board = await load_score_board(session, plan)
    indicators = tuple(
        IndicatorLine(
            s.indicator.code,
            s.indicator.name,
            s.points,
            s.indicator.max,
            s.indicator.bonus,
            previous_points.get(s.indicator.code) if last else None,
            tuple(expand_units(plan, s.indicator.units + s.indicator.lead)),
        )
        for s in board.scores
    )
    tasks = await list_tasks(session, plan.id)
    overdue = tuple(
        TaskLine(t.code, t.title, t.deadline, tuple(a.unit for a in t.late_units(today)))
        for t in tasks
        if t.overdue(today)
    )
    upcoming = tuple(
        TaskLine(t.code, t.title, t.deadline, tuple(a.unit for a in t.assignments if a.status != "done"))
        for t in tasks
        if t.due_soon(today, DUE_SOON_DAYS)
    )
    trend = tuple((at.astimezone(zone).date(), Decimal(total)) for at, total, _ in earlier) + ((today, board.total),)
    shares: dict[str, list[int]] = {}  # unit -> [done, assigned], units in the order the plan first names them
    for task in tasks:
        for share in task.assignments:
            counts = shares.setdefault(share.unit, [0, 0])
            counts[0] += share.status == "done"
            counts[1] += 1
    return DigestData(
        plan_id=plan.id,
        plan_name=plan.name,
        week_start=(now - WEEK).astimezone(zone).date(),
        week_end=today,
        generated_at=now,
        total=board.total,
        max=plan.max_points,
        bonus_total=board.bonus_total,
        bonus_max=plan.bonus_points,
        previous_total=Decimal(last[1]) if last else None,
        indicators=indicators,
        gates=tuple((g.code, g.name, g.met) for g in board.gates),
        completed=await _completed(session, plan.id, now - WEEK, now),
        overdue=overdue,
        upcoming=upcoming,
        missing=await _missing(session, plan, today),
        blocked=await _blocked(session, plan.id),
        trend=trend,
        plan_start=plan.start,
        plan_end=plan.end,
        unit_progress=tuple((unit, done, assigned) for unit, (done, assigned) in shares.items()),
        **await _evidence(session, plan, today),
    )


async def _evidence(session: AsyncSession, plan: Plan, today: dt.date) -> dict[str, Any]:
    """Evidence completeness, and what units owe that is late or due within DUE_SOON_DAYS."""
    if not requirements(plan):
        return {}
    cells = await completeness(session, plan)
    counts = Counter(c.state for c in cells)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    owed = tuple(OwedEvidence(c.unit, c.code, c.due) for c in cells if c.owed and c.due is not None and c.due <= soon)
    return {
        "evidence": (counts["accepted"], counts["pending"], counts["rejected"], counts["missing"]),
        "evidence_owed": owed,
    }


async def _completed(
    session: AsyncSession, plan_id: str, since: dt.datetime, until: dt.datetime
) -> tuple[TaskLine, ...]:
    """Tasks completed during the week: every unit done now, the last one during the week.

    A task with a unit still at work is not completed (it may be overdue), so no task is ever listed
    both as completed and as overdue.
    """
    statement = (
        select(TaskRow, Assignment, UnitRow)
        .join(Assignment, col(Assignment.task_id) == col(TaskRow.id))
        .join(UnitRow, col(UnitRow.id) == col(Assignment.unit_id))
        .where(TaskRow.plan_id == plan_id)
        .order_by(col(TaskRow.position), col(Assignment.is_lead).desc(), col(Assignment.id))
    )
    shares: dict[str, list[tuple[Assignment, str]]] = defaultdict(list)
    tasks: dict[str, TaskRow] = {}
    for task, share, unit in (await session.exec(statement)).all():
        tasks[task.code] = task
        shares[task.code].append((share, unit.name))
    out = []
    for code, task in tasks.items():
        done = [s.done_at for s, _ in shares[code] if s.status == "done" and s.done_at is not None]
        if len(done) == len(shares[code]) and since < max(aware(d) for d in done) <= until:
            out.append(TaskLine(code, task.title, task.deadline, tuple(name for _, name in shares[code])))
    return tuple(out)


async def _blocked(session: AsyncSession, plan_id: str) -> tuple[BlockedLine, ...]:
    """Calls for help not yet settled."""
    return tuple(
        BlockedLine(b.task_code, b.task_title, b.unit, b.note) for b in await blocked_assignments(session, plan_id)
    )


async def _missing(session: AsyncSession, plan: Plan, today: dt.date) -> tuple[MissingFigure, ...]:
    """Monthly figures of past months that are not in yet, by the units that owe them (their owners)."""
    current = f"{today.year:04d}-{today.month:02d}"
    rows = await indicator_rows(session, plan.id)
    complete = await complete_periods(session, plan, rows)
    out: list[MissingFigure] = []
    for indicator in plan.indicators:
        if indicator.periods is None:
            continue
        owners = figure_reporters(plan, indicator)
        for period in indicator.periods.months():
            if period >= current or period in complete.get(indicator.code, set()):
                continue
            out += [MissingFigure(name, indicator.code, period) for name in owners]
    return tuple(out)


async def enqueue_digest(
    session: AsyncSession, plan: Plan, data: DigestData, chart: bytes, now: dt.datetime
) -> DigestRow:
    """Store a composed digest with its chart and queue it: the whole to the leaders, each unit its
    own slice. Nothing slow happens here: the caller drew the chart before opening the transaction."""
    board_points = {i.code: str(i.points) for i in data.indicators}
    digest = DigestRow(
        plan_id=plan.id,
        at=now,
        week_start=data.week_start,
        week_end=data.week_end,
        total=str(data.total),
        bonus_total=str(data.bonus_total),
        points_json=json.dumps(board_points),
        data_json=ADAPTER.dump_json(data).decode(),
        chart=chart,
    )
    session.add(digest)
    await session.flush()
    plain = select(UnitRow).where(UnitRow.plan_id == plan.id, UnitRow.is_group == False)  # noqa: E712
    units = (await session.exec(plain.order_by(col(UnitRow.id)))).all()
    targets: list[int | None] = [None]
    targets += [u.id for u in units if compose_unit_digest(data, u.name, "zh") is not None]
    for unit_id in targets:
        session.add(
            ReminderRow(
                plan_id=plan.id,
                key=f"digest:{digest.id}:{unit_id if unit_id else 'leaders'}",
                kind="digest",
                due_at=now,
                unit_id=unit_id,
                subject=data.week_end.isoformat(),
                digest_id=digest.id,
                created_at=now,
            )
        )
    return digest


async def reusable_digest(session: AsyncSession, plan: Plan, now: dt.datetime) -> DigestRow | None:
    """The plan's last stored digest, when it still says what a digest composed now would say.

    "Nothing changed" means: the digest was stored on the same local day (deadlines and "this week"
    are counted by the day), and no audit row of the plan was written since (every change that
    matters - a report, progress, a calendar or policy edit, a plan load - writes one). Its text and
    its chart then stand as they are; no new chart is drawn.
    """
    zone = ZoneInfo(plan.timezone)
    statement = (
        select(DigestRow.id, DigestRow.at)
        .where(DigestRow.plan_id == plan.id, col(DigestRow.at) <= now)
        .order_by(col(DigestRow.at).desc(), col(DigestRow.id).desc())
        .limit(1)
    )
    last = (await session.exec(statement)).first()
    if last is None or last[1].astimezone(zone).date() != now.astimezone(zone).date():
        return None
    since = select(AuditEntry.id).where(AuditEntry.plan_id == plan.id, col(AuditEntry.at) >= last[1]).limit(1)
    if (await session.exec(since)).first() is not None:
        return None
    return await session.get(DigestRow, last[0])  # only now its chart is read


def digest_data(digest: DigestRow) -> DigestData:
    """What a stored digest said, to render it again (in another language)."""
    return ADAPTER.validate_json(digest.data_json)


def render_digest(digest: DigestRow, unit: str | None, lang: str) -> str:
    """A stored digest in one reader's language: the whole for leaders, the slice for a unit."""
    data = digest_data(digest)
    if unit is None:
        return compose_leader_digest(data, lang)
    return compose_unit_digest(data, unit, lang) or ""
