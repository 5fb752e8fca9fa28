"""The live page's data (督办看板): the plan at a glance, as display-ready JSON.

The page (`bot/web_static/`) shows what the digest shows, interactively: the total and its
projection, the weekly trend, gates, every indicator with the figure behind it and what earns the
rest, blocked shares and late units first, the tasks × units grid, evidence completeness. Every
string is formatted here (points as the plan writes them, dates and times in the plan's zone), so
the page never computes a score. Who may see what is checked here too (`need_scope`): leaders and
admins the whole plan, a liaison their own unit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from config.plan_schema import Plan
from handlers.context import Ctx
from handlers.evidence_view import tally
from handlers.render import hint_lines, points_text
from handlers.types import UserError
from models.database import aware
from models.evidence import completeness, requirements
from models.phrases import figure_lines
from models.plans import expand_units
from models.reports import COUNTS, IndicatorScore, load_score_boards
from models.tables import DigestRow, IndicatorRow, Member, ProgressEvent, Report, UnitRow
from models.work import TaskView, blocked_assignments, list_tasks
from reminders.digest import projection

Json = dict[str, Any]
TREND_WEEKS = 26


def need_scope(ctx: Ctx, unit_id: int | None = None) -> None:
    """Leaders and admins see everything; a liaison only their unit's page (`unit_id`), never the
    plan's; anyone else nothing."""
    member = ctx.need_member()
    if ctx.reads_all:
        return
    if member.role == "liaison" and unit_id is not None and unit_id == member.unit_id:
        return
    raise UserError("page_forbidden")


def stamp(ctx: Ctx, moment: dt.datetime | None) -> str:
    """A stored time as people read it on the page: '2022-09-02 15:20' in the plan's zone."""
    if moment is None:
        return ""
    return ctx.local(aware(moment)).strftime("%Y-%m-%d %H:%M")


async def plan_board(ctx: Ctx) -> Json:
    """Everything the plan view shows."""
    need_scope(ctx)
    plan_row, plan = ctx.need_plan()
    today = ctx.today
    board, week_ago = await load_score_boards(ctx.session, plan, ctx.now - dt.timedelta(days=7))
    tasks = await list_tasks(ctx.session, plan.id)
    reporters = await last_reporters(ctx, plan.id)
    change = Decimal(points_text(board.total)) - Decimal(points_text(week_ago.total))
    state = "archived" if plan_row.archived_at is not None else "ended" if today > plan.end else "running"
    return {
        "plan": {
            "id": plan.id,
            "name": plan.name,
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
            "today": today.isoformat(),
            "days_left": max((plan.end - today).days, 0),
            "state": state,
        },
        "generated_at": stamp(ctx, ctx.now),
        "total": _total(plan, board.total, board.bonus_total, change, today),
        "trend": await _trend(ctx, plan, board.total),
        "gates": [{"code": g.code, "name": g.name, "met": g.met} for g in board.gates],
        "indicators": [indicator_row(ctx, plan, s, reporters) for s in board.scores],
        "late_units": _late_units(tasks, today),
        "blocked": [
            {
                "task": b.task_code,
                "title": b.task_title,
                "unit_id": b.unit_id,
                "unit": b.unit,
                "note": b.note,
                "since": ctx.local(b.since).date().isoformat() if b.since else "",
            }
            for b in await blocked_assignments(ctx.session, plan.id)
        ],
        "tasks": [
            {
                "code": t.code,
                "title": t.title,
                "deadline": t.deadline.isoformat() if t.deadline else "",
                "done": sum(a.status == "done" for a in t.assignments),
                "total": len(t.assignments),
            }
            for t in tasks
        ],
        "units": await _units(ctx, plan.id, tasks),
        "cells": await _cells(ctx, tasks, today),
        "evidence": await evidence_counts(ctx, plan, None),
    }


def _total(plan: Plan, total: Decimal, bonus: Decimal, change: Decimal, today: dt.date) -> Json:
    carried = projection(total, plan.max_points, plan.start, plan.end, today)
    week = "" if not change else points_text(change) if change < 0 else "+" + points_text(change)
    return {
        "points": points_text(total),
        "max": points_text(plan.max_points),
        "bonus": points_text(bonus),
        "bonus_max": points_text(plan.bonus_points),
        "week_change": week,
        "projection": {"date": carried[0].isoformat(), "points": points_text(carried[1])} if carried else None,
    }


async def _trend(ctx: Ctx, plan: Plan, total: Decimal) -> list[Json]:
    """The totals of the stored weekly digests, then today's."""
    statement = (
        select(DigestRow.at, DigestRow.total)
        .where(DigestRow.plan_id == plan.id, col(DigestRow.at) < ctx.now)
        .order_by(col(DigestRow.at).desc())
        .limit(TREND_WEEKS)
    )
    earlier = [(ctx.local(aware(at)).date(), Decimal(t)) for at, t in (await ctx.session.exec(statement)).all()]
    points = [{"date": day.isoformat(), "points": points_text(value)} for day, value in reversed(earlier)]
    today = ctx.today.isoformat()
    return [p for p in points if p["date"] != today] + [{"date": today, "points": points_text(total)}]


def _late_units(tasks: list[TaskView], today: dt.date) -> list[Json]:
    late = Counter((a.unit_id, a.unit) for t in tasks for a in t.late_units(today))
    return [{"id": unit_id, "name": name, "overdue": count} for (unit_id, name), count in late.most_common()]


async def _units(ctx: Ctx, plan_id: str, tasks: list[TaskView]) -> list[Json]:
    """The grid's columns: every unit with a share of a task, in the order the plan first names them."""
    seen: dict[int, str] = {}
    for task in tasks:
        for share in task.assignments:
            seen.setdefault(share.unit_id, share.unit)
    shorts = await _short_names(ctx, plan_id)
    return [{"id": i, "name": name, "short": shorts.get(i) or short_name(name)} for i, name in seen.items()]


async def _short_names(ctx: Ctx, plan_id: str) -> dict[int, str]:
    """A unit's first alias, when the plan gives one, as its column header."""
    rows = (await ctx.session.exec(select(UnitRow.id, UnitRow.aliases).where(UnitRow.plan_id == plan_id))).all()
    return {unit_id or 0: aliases.split("|")[0] for unit_id, aliases in rows if aliases}


def short_name(name: str) -> str:
    """'区市场监督管理局' → '市场监督管理局': the district prefix says nothing in a column header; but
    '区委宣传部', '区政府办', '区人民法院' keep it (委, 政, 人… are part of the organ's name)."""
    if len(name) > 3 and name[0] in "区市县" and name[1] not in "委政人法检纪":
        return name[1:]
    return name


async def _cells(ctx: Ctx, tasks: list[TaskView], today: dt.date) -> list[Json]:
    notes = await latest_notes(ctx, [a.id for t in tasks for a in t.assignments])
    cells = []
    for task in tasks:
        for share in task.assignments:
            note, at, by = notes.get(share.id, ("", None, ""))
            cells.append(
                {
                    "task": task.code,
                    "unit_id": share.unit_id,
                    "status": cell_status(task, share.status, today),
                    "note": note,
                    "note_at": stamp(ctx, at),
                    "note_by": by,
                }
            )
    return cells


def cell_status(task: TaskView, status: str, today: dt.date) -> str:
    """done / blocked / overdue / doing / not_started, in that order of precedence."""
    if status == "done":
        return "done"
    if status == "blocked":
        return "blocked"
    if task.deadline is not None and task.deadline < today:
        return "overdue"
    return "doing" if status == "doing" else "not_started"


async def latest_notes(ctx: Ctx, assignment_ids: list[int]) -> dict[int, tuple[str, dt.datetime | None, str]]:
    """The latest progress event of each share: (note, when, who)."""
    if not assignment_ids:
        return {}
    statement = (
        select(  # type: ignore[call-overload]
            ProgressEvent.assignment_id, ProgressEvent.note, ProgressEvent.at, Member.display_name, Member.user_id
        )
        .outerjoin(Member, col(Member.id) == col(ProgressEvent.member_id))
        .where(col(ProgressEvent.assignment_id).in_(assignment_ids))
        .order_by(col(ProgressEvent.id))
    )
    found: dict[int, tuple[str, dt.datetime | None, str]] = {}
    for assignment_id, note, at, name, user_id in (await ctx.session.exec(statement)).all():
        found[assignment_id] = (note, at, name or user_id or "")
    return found


async def last_reporters(ctx: Ctx, plan_id: str) -> dict[str, tuple[str, dt.datetime]]:
    """Per indicator code, who wrote its newest current figure and when ('区市场监管局 张敏')."""
    statement = (
        select(IndicatorRow.code, Report.at, UnitRow.name, Member.display_name, Member.role)  # type: ignore[call-overload]
        .join(IndicatorRow, col(IndicatorRow.id) == col(Report.indicator_id))
        .outerjoin(Member, col(Member.id) == col(Report.member_id))
        .outerjoin(UnitRow, col(UnitRow.id) == col(Report.unit_id))
        .where(Report.plan_id == plan_id, COUNTS, col(Report.replaced_at).is_(None))
        .order_by(col(Report.id))
    )
    found: dict[str, tuple[str, dt.datetime]] = {}
    for code, at, unit, name, role in (await ctx.session.exec(statement)).all():
        found[code] = (" ".join(w for w in (unit or (ctx.t(f"role_{role}") if role else ""), name or "") if w), at)
    return found


def indicator_row(ctx: Ctx, plan: Plan, score: IndicatorScore, reporters: dict[str, tuple[str, dt.datetime]]) -> Json:
    """One indicator as the plan and unit views list it."""
    indicator = score.indicator
    who, at = reporters.get(indicator.code, ("", None))
    hints = hint_lines(ctx, indicator, dict(score.observations))
    return {
        "code": indicator.code,
        "name": indicator.name,
        "points": points_text(score.points),
        "max": points_text(indicator.max),
        "bonus": indicator.bonus,
        "reported": score.reported,
        "figure": "；".join(figure_lines(ctx.lang, indicator, score.observations)),
        "reported_by": who,
        "reported_at": stamp(ctx, at),
        "rest": " ".join(line.strip(" ·") for line in hints[1:]) if len(hints) > 1 else "",
        "units": expand_units(plan, indicator.units + indicator.lead),
    }


async def evidence_counts(ctx: Ctx, plan: Plan, unit_id: int | None) -> Json | None:
    """accepted / pending / rejected / missing, for plans that ask for evidence."""
    if not requirements(plan):
        return None
    counts = tally(await completeness(ctx.session, plan, unit_id=unit_id))
    return {state: counts[state] for state in ("accepted", "pending", "rejected", "missing")}
