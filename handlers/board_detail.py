"""The live page's drill-downs: one unit (its tasks, figures, evidence, history) and one indicator
(its rule, sub-scores, and every report, corrections and proposals included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import col, select

from config.plan_schema import Indicator, Plan
from config.values import format_value
from handlers.board import (
    Json,
    cell_status,
    evidence_counts,
    indicator_row,
    last_reporters,
    latest_notes,
    need_scope,
    stamp,
)
from handlers.context import Ctx
from handlers.render import hint_lines, points_text
from handlers.types import UserError
from models.database import aware
from models.evidence import completeness
from models.phrases import figure_lines
from models.plans import expand_units
from models.reports import indicator_rows, load_score_board
from models.scoring import find_item, item_points, value_spec
from models.tables import Assignment, Member, ProgressEvent, Report, TaskRow, UnitRow
from models.work import list_tasks

HISTORY = 30
"""Recent events listed on a unit's page."""
REPORTS = 200
"""Reports listed on an indicator's page, newest first."""


async def unit_board(ctx: Ctx, unit_id: int) -> Json:
    """Everything a unit's page shows (a liaison sees only their own unit's)."""
    need_scope(ctx, unit_id)
    _, plan = ctx.need_plan()
    unit = await ctx.session.get(UnitRow, unit_id)
    if unit is None or unit.plan_id != plan.id or unit.is_group:
        raise UserError("page_not_found")
    today = ctx.today
    tasks = [t for t in await list_tasks(ctx.session, plan.id) if t.for_unit(unit_id)]
    shares = {t.code: share for t in tasks if (share := t.for_unit(unit_id)) is not None}
    notes = await latest_notes(ctx, [s.id for s in shares.values()])
    histories = await _share_histories(ctx, [s.id for s in shares.values()])
    board = await load_score_board(ctx.session, plan)
    reporters = await last_reporters(ctx, plan.id)
    mine = [s for s in board.scores if unit.name in expand_units(plan, s.indicator.units + s.indicator.lead)]
    task_rows = []
    for task in tasks:
        share = shares[task.code]
        note, at, by = notes.get(share.id, ("", None, ""))
        task_rows.append(
            {
                "code": task.code,
                "title": task.title,
                "deadline": task.deadline.isoformat() if task.deadline else "",
                "status": cell_status(task, share.status, today),
                "note": note,
                "note_at": stamp(ctx, at),
                "note_by": by,
                "history": histories.get(share.id, []),
            }
        )
    return {
        "unit": {"id": unit_id, "name": unit.name},
        "generated_at": stamp(ctx, ctx.now),
        "tasks": task_rows,
        "indicators": [indicator_row(ctx, plan, s, reporters) for s in mine],
        "evidence": await _evidence(ctx, plan, unit_id),
        "evidence_counts": await evidence_counts(ctx, plan, unit_id),
        "history": await _unit_history(ctx, plan, unit_id),
    }


async def _share_histories(ctx: Ctx, assignment_ids: list[int]) -> dict[int, list[Json]]:
    """Every status recorded on each share, newest first."""
    if not assignment_ids:
        return {}
    statement = (
        select(ProgressEvent, Member)
        .outerjoin(Member, col(Member.id) == col(ProgressEvent.member_id))
        .where(col(ProgressEvent.assignment_id).in_(assignment_ids))
        .order_by(col(ProgressEvent.id).desc())
    )
    out: dict[int, list[Json]] = {}
    for event, member in (await ctx.session.exec(statement)).all():
        who = (member.display_name or member.user_id) if member else ""
        out.setdefault(event.assignment_id, []).append(
            {"at": stamp(ctx, event.at), "status": event.status, "note": event.note, "by": who}
        )
    return out


async def _evidence(ctx: Ctx, plan: Plan, unit_id: int) -> list[Json]:
    return [
        {
            "code": cell.code,
            "name": cell.name,
            "asked": cell.requirement,
            "state": cell.state,
            "due": cell.due.isoformat() if cell.due else "",
            "files": len(cell.submissions),
        }
        for cell in await completeness(ctx.session, plan, unit_id=unit_id)
    ]


async def _unit_history(ctx: Ctx, plan: Plan, unit_id: int) -> list[Json]:
    """The unit's latest progress notes and reports, newest first."""
    progress = (
        select(ProgressEvent, TaskRow.code, Member)
        .join(Assignment, col(Assignment.id) == col(ProgressEvent.assignment_id))
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .outerjoin(Member, col(Member.id) == col(ProgressEvent.member_id))
        .where(Assignment.unit_id == unit_id)
        .order_by(col(ProgressEvent.id).desc())
        .limit(HISTORY)
    )
    events: list[tuple[dt.datetime, Json]] = []
    for event, code, member in (await ctx.session.exec(progress)).all():
        what = ctx.t("page_history_progress", code=code, status=ctx.t(f"status_{event.status}"), note=event.note)
        events.append((event.at, {"at": stamp(ctx, event.at), "what": what.strip(), "by": _who(member)}))
    reports = (
        select(Report, Member)
        .outerjoin(Member, col(Member.id) == col(Report.member_id))
        .where(Report.plan_id == plan.id, Report.unit_id == unit_id)
        .order_by(col(Report.id).desc())
        .limit(HISTORY)
    )
    codes = {row.id: code for code, row in (await indicator_rows(ctx.session, plan.id)).items()}
    indicators = {i.code: i for i in plan.indicators}
    for report, member in (await ctx.session.exec(reports)).all():
        code = codes.get(report.indicator_id, "")
        value = _value(ctx, indicators.get(code), report)
        what = ctx.t(
            "page_history_report", code=code, place=" ".join(p for p in (report.period, report.item) if p), value=value
        )
        events.append((report.at, {"at": stamp(ctx, report.at), "what": " ".join(what.split()), "by": _who(member)}))
    events.sort(key=lambda e: aware(e[0]), reverse=True)
    return [e for _, e in events[:HISTORY]]


async def indicator_board(ctx: Ctx, code: str) -> Json:
    """Everything an indicator's page shows (a liaison: only an indicator of their unit)."""
    member = ctx.need_member()
    _, plan = ctx.need_plan()
    indicator = next((i for i in plan.indicators if i.code == code), None)
    if indicator is None:
        raise UserError("page_not_found")
    units = expand_units(plan, indicator.units + indicator.lead)
    if not ctx.reads_all:
        need_scope(ctx, member.unit_id if ctx.unit is not None and ctx.unit.name in units else None)
    board = await load_score_board(ctx.session, plan)
    score = board.get(code)
    assert score is not None
    obs = dict(score.observations)
    per_item = item_points(indicator, obs)
    return {
        "indicator": {
            "code": code,
            "name": indicator.name,
            "points": points_text(score.points),
            "max": points_text(indicator.max),
            "bonus": indicator.bonus,
            "rule": indicator.rule_text,
            "items": [
                {"name": i.name, "points": points_text(per_item[i.name]), "max": points_text(i.max)}
                for i in indicator.items()
            ],
            "figure_lines": figure_lines(ctx.lang, indicator, obs),
            "hints": [line.strip(" ·") for line in hint_lines(ctx, indicator, obs)],
            "evidence": indicator.evidence or "",
            "units": units,
        },
        "reports": await _reports(ctx, plan, indicator),
    }


async def _reports(ctx: Ctx, plan: Plan, indicator: Indicator) -> list[Json]:
    rows = await indicator_rows(ctx.session, plan.id)
    statement = (
        select(Report, Member, UnitRow)
        .outerjoin(Member, col(Member.id) == col(Report.member_id))
        .outerjoin(UnitRow, col(UnitRow.id) == col(Report.unit_id))
        .where(Report.plan_id == plan.id, Report.indicator_id == rows[indicator.code].id)
        .order_by(col(Report.id).desc())
        .limit(REPORTS)
    )
    return [
        {
            "period": report.period or "",
            "item": report.item or "",
            "value": _value(ctx, indicator, report),
            "by": _who(member),
            "unit": unit.name if unit else "",
            "at": stamp(ctx, report.at),
            "state": _state(report),
        }
        for report, member, unit in (await ctx.session.exec(statement)).all()
    ]


def _state(report: Report) -> str:
    """counts (the current figure), replaced (corrected since), proposal, accepted, rejected."""
    if report.status is None:
        return "counts" if report.replaced_at is None else "replaced"
    return {"proposed": "proposal"}.get(report.status, report.status)


def _value(ctx: Ctx, indicator: Indicator | None, report: Report) -> str:
    if indicator is None:
        return report.raw
    spec = value_spec(indicator, find_item(indicator, report.item) if report.item else None)
    return format_value(Decimal(report.value), spec.type, unit=spec.unit, lang=ctx.lang)


def _who(member: Member | None) -> str:
    return (member.display_name or member.user_id) if member else ""
