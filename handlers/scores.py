"""Where the plan stands: /score, /status (with drill-down to a unit) and /indicators."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from config.plan_schema import Gate, Plan
from handlers.context import Ctx
from handlers.evidence_view import tally
from handlers.render import hint_lines, person_label, points_text
from handlers.tasks import task_line
from handlers.types import Button, Reply, UserError
from handlers.units import resolve_unit
from models.evidence import completeness, requirements
from models.phrases import figure_lines
from models.plans import expand_units
from models.proposals import pending_proposals
from models.reports import (
    indicator_rows,
    latest_observations,
    load_score_board,
    load_score_boards,
    report_history,
    responsible_units,
    score_board,
)
from models.scoring import item_points, score_indicator
from models.work import blocked_assignments, list_tasks
from reminders.listing import undelivered

TOP_UNITS = 10
TOP_TASKS = 8


def _indicator_line(ctx: Ctx, code: str, name: str, points: str, maximum: str, bonus: bool) -> str:
    mark = ctx.t("bonus_mark") if bonus else ""
    return f"{code} {name}: {points}/{maximum}{mark}"


async def score(ctx: Ctx, args: str) -> Reply:
    """Points per indicator and what would earn the missing ones: /score [code]."""
    ctx.need_member()
    _, plan = ctx.need_plan()
    code = args.strip().split(" ", 1)[0]
    if code:
        return await _score_one(ctx, plan, code)
    board = await load_score_board(ctx.session, plan)
    lines = [ctx.t("score_header", plan=plan.name, total=points_text(board.total), max=points_text(plan.max_points))]
    if plan.bonus_points:
        lines.append(ctx.t("bonus_line", total=points_text(board.bonus_total), max=points_text(plan.bonus_points)))
    for s in board.scores:
        line = _indicator_line(
            ctx,
            s.indicator.code,
            s.indicator.name,
            points_text(s.points),
            points_text(s.indicator.max),
            s.indicator.bonus,
        )
        lines.append(line + ("" if s.reported else ctx.t("not_reported_mark")))
    lines.append(ctx.t("score_more"))
    return Reply("\n".join(lines))


async def _gate_one(ctx: Ctx, plan: Plan, gate: Gate) -> Reply:
    """A pass/fail basic indicator: its state, who answered and when, what it asks, who is responsible."""
    rows = await indicator_rows(ctx.session, plan.id)
    row = rows[gate.code]
    answers = await report_history(ctx.session, row, limit=20)
    counted = next((a for a in answers if a.status is None), None)
    if counted is None:
        state = ctx.t("gate_open")
    else:
        who = person_label(ctx, counted.role, counted.unit, counted.who, counted.transport)
        when = ctx.local(counted.at).strftime("%Y-%m-%d %H:%M")
        state = ctx.t("gate_answered", state=ctx.t("gate_met" if counted.value else "gate_not_met"), who=who, when=when)
    units = await responsible_units(ctx.session, [row.id or 0])
    lines = [ctx.t("gate_header", code=gate.code, name=gate.name), state]
    if gate.text:
        lines.append(ctx.t("rule_line", text=gate.text))
    if gate.evidence:
        due = gate.evidence_due or plan.evidence_due
        lines.append(ctx.t("evidence_line", text=gate.evidence) + (ctx.t("evidence_due", date=due) if due else ""))
    lines.append(ctx.t("gate_units", units=_units_text(ctx, units.get(row.id or 0, []))))
    if counted is None or not counted.value:
        lines.append(ctx.t("gate_how", code=gate.code))
    return Reply("\n".join(lines))


async def _score_one(ctx: Ctx, plan: Plan, code: str) -> Reply:
    indicator = next((i for i in plan.indicators if i.code == code), None)
    gate = next((g for g in plan.gates if g.code.lower() == code.lower()), None)
    if gate is not None:
        return await _gate_one(ctx, plan, gate)
    if indicator is None:
        raise UserError("unknown_code", code=code[:16])
    rows = await indicator_rows(ctx.session, plan.id)
    obs = (await latest_observations(ctx.session, plan.id)).get(rows[code].id or 0, {})
    board = score_board(plan, rows, {rows[code].id or 0: obs})
    found = board.get(code)
    assert found is not None
    lines = [
        _indicator_line(
            ctx, code, indicator.name, points_text(found.points), points_text(indicator.max), indicator.bonus
        ),
        ctx.t("rule_line", text=indicator.rule_text),
    ]
    per_item = item_points(indicator, obs)
    for sub_item in indicator.items():
        lines.append(f"  · {sub_item.name}: {points_text(per_item[sub_item.name])}/{points_text(sub_item.max)}")
    lines += ["  " + line for line in figure_lines(ctx.lang, indicator, obs)]
    lines += hint_lines(ctx, indicator, obs)
    if indicator.evidence:
        due = indicator.evidence_due or plan.evidence_due
        lines.append(ctx.t("evidence_line", text=indicator.evidence) + (ctx.t("evidence_due", date=due) if due else ""))
    return Reply("\n".join(lines))


async def status(ctx: Ctx, args: str) -> Reply:
    """The plan at a glance, or one unit's part: /status [unit]."""
    member = ctx.need_member()
    _, plan = ctx.need_plan()
    word = args.strip()
    if word:
        unit = await resolve_unit(ctx, word, command="/status {unit}")
        if not ctx.reads_all and unit.id != member.unit_id:
            raise UserError("other_unit_hidden")
        return replace(await _unit_status(ctx, plan, unit.id or 0, unit.name), page=True)
    if not ctx.reads_all and ctx.unit is not None:
        return replace(await _unit_status(ctx, plan, ctx.unit.id or 0, ctx.unit.name), page=True)
    return replace(await _plan_status(ctx, plan), page=True)


def _cut(ctx: Ctx, names: list[str], limit: int = 4) -> str:
    """'A、B、C、D 等 9 个单位' for long lists."""
    text = "、".join(names[:limit])
    return text + (ctx.t("and_more_units", count=len(names)) if len(names) > limit else "")


def _signed(delta: Decimal) -> str:
    text = points_text(delta)
    return text if text.startswith("-") else "+" + text


async def _plan_status(ctx: Ctx, plan: Plan) -> Reply:
    """What a leader acts on: the total and its week, gates not met, overdue and blocked tasks with
    their units, indicators with no figure yet, and whether the plan has ended."""
    plan_row, _ = ctx.need_plan()
    board, week_ago = await load_score_boards(ctx.session, plan, ctx.now - dt.timedelta(days=7))
    tasks = await list_tasks(ctx.session, plan.id)
    today = ctx.today
    lines = [ctx.t("status_header", plan=plan.name, today=today.isoformat())]
    if plan_row.archived_at is not None:
        lines.append(ctx.t("status_archived", date=ctx.local(plan_row.archived_at).date().isoformat()))
    elif today > plan.end:
        lines.append(ctx.t("status_ended", date=plan.end.isoformat()))
    else:
        lines.append(ctx.t("status_running", end=plan.end.isoformat(), days=(plan.end - today).days))
    delta = Decimal(points_text(board.total)) - Decimal(points_text(week_ago.total))
    week = ctx.t("status_week_change", delta=_signed(delta)) if delta else ctx.t("status_week_same")
    lines.append(ctx.t("status_total", total=points_text(board.total), max=points_text(plan.max_points), week=week))
    if plan.bonus_points:
        lines.append(ctx.t("bonus_line", total=points_text(board.bonus_total), max=points_text(plan.bonus_points)))
    if board.gates:
        met = sum(g.met is True for g in board.gates)
        failed = [f"{g.code} {g.name[:20]}" for g in board.gates if g.met is False]
        open_ = sum(g.met is None for g in board.gates)
        lines.append(ctx.t("status_gates", met=met, total=len(board.gates), open=open_))
        lines += ["  " + ctx.t("status_gate_failed", gate=g) for g in failed]
    lines += await _evidence_lines(ctx, plan, None)
    done = sum(t.done for t in tasks)
    overdue = [t for t in tasks if t.overdue(today)]
    soon = [t for t in tasks if t.due_soon(today)]
    if tasks:
        lines.append(ctx.t("status_tasks", done=done, total=len(tasks), overdue=len(overdue), soon=len(soon)))
    for task in overdue[:TOP_TASKS]:
        behind = [a.unit for a in task.late_units(today)]
        lines.append("  " + ctx.t("status_overdue_task", code=task.code, title=task.title, units=_cut(ctx, behind)))
    if len(overdue) > TOP_TASKS:
        lines.append("  " + ctx.t("more_tasks", count=len(overdue) - TOP_TASKS))
    blocked = await blocked_assignments(ctx.session, plan.id)
    if blocked:
        lines.append(ctx.t("status_blocked_header", count=len(blocked)))
        for b in blocked[:TOP_TASKS]:
            lines.append(
                "  "
                + ctx.t(
                    "status_blocked_line",
                    code=b.task_code,
                    title=b.task_title,
                    unit=b.unit,
                    note=b.note or ctx.t("no_note"),
                )
            )
    missing = [s.indicator for s in board.scores if not s.reported]
    if missing:
        names = [f"{i.code} {i.name}" for i in missing]
        lines.append(
            ctx.t(
                "status_no_figure",
                count=len(missing),
                items="、".join(names[:6]) + (ctx.t("and_more_items", count=len(names)) if len(names) > 6 else ""),
            )
        )
    if ctx.is_admin:
        pending = await pending_proposals(ctx.session, plan.id)
        if pending:
            lines.append(ctx.t("status_proposals", count=len(pending)))
        lines += await _undelivered_lines(ctx, plan.id)
    late = Counter(a.unit for t in tasks for a in t.late_units(today))
    buttons: list[Button] = []
    if late:
        lines.append(ctx.t("status_late_units"))
        for unit, count in late.most_common(TOP_UNITS):
            lines.append(f"  {unit}: {count}")
            buttons.append(Button(unit, f"/status {unit}"))
        if len(late) > TOP_UNITS:
            lines.append("  " + ctx.t("more_units", count=len(late) - TOP_UNITS))
    elif soon:
        lines.append(ctx.t("status_next_deadlines"))
        lines += ["  " + task_line(ctx, t, None) for t in soon[:5]]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, min(len(buttons), 6), 3))
    return Reply("\n".join(lines), buttons=rows)


async def _evidence_lines(ctx: Ctx, plan: Plan, unit_id: int | None) -> list[str]:
    """Evidence completeness, for plans that ask for evidence (the whole plan, or one unit)."""
    if not requirements(plan):
        return []
    counts = tally(await completeness(ctx.session, plan, unit_id=unit_id))
    params = {state: counts[state] for state in ("accepted", "pending", "rejected", "missing")}
    return [ctx.t("status_evidence", total=sum(counts.values()), **params)]


async def _undelivered_lines(ctx: Ctx, plan_id: str) -> list[str]:
    """For admins: reminders of the last week that reached nobody, by recipient."""
    found = await undelivered(ctx.session, plan_id, ctx.now - dt.timedelta(days=7))
    if not found:
        return []
    names = [f"{name or ctx.t('rem_unit_leaders')}（{count}）" for name, count in found]
    return [ctx.t("status_undelivered", count=sum(c for _, c in found), units=_cut(ctx, names))]


async def _unit_status(ctx: Ctx, plan: Plan, unit_id: int, unit_name: str) -> Reply:
    tasks = [t for t in await list_tasks(ctx.session, plan.id) if t.for_unit(unit_id)]
    today = ctx.today
    own = [t.for_unit(unit_id) for t in tasks]
    done = sum(a is not None and a.status == "done" for a in own)
    late = [t for t in tasks if t.deadline and t.deadline < today and (a := t.for_unit(unit_id)) and a.status != "done"]
    lines = [
        ctx.t("unit_status_header", unit=unit_name, today=today.isoformat()),
        ctx.t("unit_status_tasks", done=done, total=len(tasks), overdue=len(late)),
    ]
    for task in tasks:
        lines.append("  " + task_line(ctx, task, unit_id))
    lines += await _evidence_lines(ctx, plan, unit_id)
    mine = [i for i in plan.indicators if unit_name in expand_units(plan, i.units + i.lead)]
    if mine:
        rows = await indicator_rows(ctx.session, plan.id)
        obs = await latest_observations(ctx.session, plan.id)
        lines.append(ctx.t("unit_status_indicators"))
        for indicator in mine:  # only the unit's indicators are scored
            points = points_text(score_indicator(indicator, obs.get(rows[indicator.code].id or 0, {})))
            lines.append(
                "  "
                + _indicator_line(
                    ctx, indicator.code, indicator.name, points, points_text(indicator.max), indicator.bonus
                )
            )
    return Reply("\n".join(lines))


async def indicators(ctx: Ctx, args: str) -> Reply:
    """Codes, names, maximum points and responsible units of every indicator (and gate)."""
    ctx.need_member()
    plan_row, plan = ctx.need_plan()
    rows = await indicator_rows(ctx.session, plan_row.id)
    units = await responsible_units(ctx.session, [r.id for r in rows.values() if r.id is not None])
    lines = [ctx.t("indicators_header", plan=plan.name)]
    for ind in plan.indicators:
        lines.append(
            _indicator_line(ctx, ind.code, ind.name, "", points_text(ind.max), ind.bonus).replace(": /", ": ")
            + "  "
            + _units_text(ctx, units.get(rows[ind.code].id or 0, []))
        )
    if plan.gates:
        lines.append(ctx.t("gates_header"))
        for gate in plan.gates:
            lines.append(f"{gate.code} {gate.name[:40]}  " + _units_text(ctx, units.get(rows[gate.code].id or 0, [])))
    return Reply("\n".join(lines))


def _units_text(ctx: Ctx, units: list[tuple[bool, str]]) -> str:
    leads = [name for lead, name in units if lead]
    others = [name for lead, name in units if not lead]
    shown = leads + others
    text = "、".join(shown[:4])
    if len(shown) > 4:
        text += ctx.t("and_more_units", count=len(shown))
    return text
