"""What evidence is owed and where it stands: `/evidence`, `/evidence <code>`, `/evidence <unit>`.

A liaison sees what their unit still owes (the plan's own words for each item and its due date),
what waits for review and what was accepted. The office and the leaders see the completeness of the
whole plan, code by code, with the units still missing; a code or a unit drills down.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from config.plan_schema import Plan
from handlers.context import Ctx
from handlers.types import Button, Reply, UserError
from handlers.units import resolve_unit
from models.evidence import EvidenceCell, completeness, requirements
from models.reports import indicator_rows
from models.tables import UnitRow

MAX_NAMES = 4
MAX_UNIT_BUTTONS = 6


def size_text(size: int) -> str:
    """A file size as people read it: 820 KB, 3.4 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


async def unit_cells(ctx: Ctx, unit_id: int) -> list[EvidenceCell]:
    """A unit's evidence cells in the current plan."""
    _, plan = ctx.need_plan()
    return await completeness(ctx.session, plan, unit_id=unit_id)


async def overview(ctx: Ctx, args: str) -> Reply:
    """`/evidence [code|unit]` without a file: what is owed, by the speaker's reach."""
    _, plan = ctx.need_plan()
    member = ctx.need_member()
    word = args.strip()
    if not requirements(plan):
        return Reply(ctx.t("evidence_none_required", plan=plan.name) + "\n" + ctx.t("evidence_how_to_send"))
    if not word:
        if ctx.reads_all:
            return await _table(ctx, plan)
        if ctx.unit is None:
            raise UserError("not_member")
        return _unit_view(ctx, ctx.unit, await unit_cells(ctx, ctx.unit.id or 0), owed_only=True)
    rows = await indicator_rows(ctx.session, plan.id)
    code = word if word in rows else word.upper() if word.upper() in rows else None
    if code is not None:
        cells = [c for c in await completeness(ctx.session, plan) if c.code == code]
        if not ctx.reads_all:
            cells = [c for c in cells if c.unit_id == member.unit_id]
        return _code_view(ctx, plan, code, cells)
    unit = await resolve_unit(ctx, word, command="/evidence {unit}")
    if not ctx.reads_all and unit.id != member.unit_id:
        raise UserError("evidence_other_unit")
    return _unit_view(ctx, unit, await unit_cells(ctx, unit.id or 0), owed_only=False)


def due_text(ctx: Ctx, due: dt.date | None) -> str:
    """'截止 2021-06-01' or '已逾期 3 天（截止 2021-06-01）'."""
    if due is None:
        return ctx.t("evidence_no_due")
    late = (ctx.today - due).days
    if late > 0:
        return ctx.t("evidence_overdue", days=late, due=due.isoformat())
    return ctx.t("evidence_due_on", due=due.isoformat())


def _due_shown(ctx: Ctx, due: dt.date | None, *, owed: bool) -> str:
    """The due date, with how late it is only while something is still owed."""
    if owed or due is None:
        return due_text(ctx, due)
    return ctx.t("evidence_due_on", due=due.isoformat())


def _files(ctx: Ctx, cell: EvidenceCell) -> str:
    """'#1“统计.pdf”、#3“旧表.xlsx”（已退回）': a file's own state only where it differs from the cell's."""
    return "、".join(
        ctx.t("evidence_file_ref", id=s.id, name=s.name)
        + ("" if s.status == cell.state else ctx.t("evidence_file_state", state=ctx.t(f"evidence_state_{s.status}")))
        for s in cell.submissions[:3]
    )


def _unit_view(ctx: Ctx, unit: UnitRow, cells: list[EvidenceCell], *, owed_only: bool) -> Reply:
    """One unit: what it owes (with the plan's words), then what waits and what was accepted."""
    owed = [c for c in cells if c.owed]
    lines = [ctx.t("evidence_unit_head", unit=unit.name, owed=len(owed), total=len(cells))]
    for cell in owed:
        lines.append(ctx.t("evidence_owed_line", code=cell.code, name=cell.name, due=due_text(ctx, cell.due)))
        if cell.state == "rejected":
            lines.append(ctx.t("evidence_rejected_reason", reason=cell.reason or "—"))
        lines.append(ctx.t("evidence_requirement", text=cell.requirement.replace("\n", "\n  ")))
    for state in ("pending", "accepted"):
        done = [c for c in cells if c.state == state]
        if done and owed_only:
            codes = ctx.t("evidence_codes_suffix", codes="、".join(c.code for c in done))
            lines.append(ctx.t(f"evidence_unit_{state}", count=len(done), codes=codes))
        elif done:
            lines.append(ctx.t(f"evidence_unit_{state}", count=len(done), codes=""))
            lines += [ctx.t("evidence_cell_files", code=c.code, files=_files(ctx, c)) for c in done]
    if not owed:
        lines.append(ctx.t("evidence_nothing_owed"))
    lines.append(ctx.t("evidence_how_to_send"))
    return Reply("\n".join(lines))


def _code_view(ctx: Ctx, plan: Plan, code: str, cells: list[EvidenceCell]) -> Reply:
    """One code: the requirement, and each responsible unit's state with its files."""
    need = next(r for r in requirements(plan) if r.code == code) if cells else None
    if need is None:
        return Reply(ctx.t("evidence_code_not_required", code=code) + "\n" + ctx.t("evidence_how_to_send"))
    due = _due_shown(ctx, need.due, owed=any(c.owed for c in cells))
    lines = [ctx.t("evidence_code_head", code=code, name=need.name, due=due)]
    lines.append(ctx.t("evidence_requirement", text=need.text.replace("\n", "\n  ")))
    for cell in cells:
        state = ctx.t(f"evidence_state_{cell.state}")
        files = _files(ctx, cell)
        lines.append(ctx.t("evidence_code_unit", unit=cell.unit, state=state) + (f"：{files}" if files else ""))
        if cell.state == "rejected":
            lines.append(ctx.t("evidence_rejected_reason", reason=cell.reason or "—"))
    return Reply("\n".join(lines))


def tally(cells: list[EvidenceCell]) -> Counter[str]:
    """How many cells are in each state."""
    return Counter(c.state for c in cells)


async def _table(ctx: Ctx, plan: Plan) -> Reply:
    """The completeness of the whole plan: totals, then code by code with the units missing."""
    cells = await completeness(ctx.session, plan)
    counts = tally(cells)
    lines = [ctx.t("evidence_table_head", plan=plan.name, total=len(cells), **_counts(counts))]
    for need in requirements(plan):
        mine = [c for c in cells if c.code == need.code]
        here = tally(mine)
        missing = [c.unit for c in mine if c.owed]
        names = "、".join(missing[:MAX_NAMES]) + (
            ctx.t("and_more_units", count=len(missing)) if len(missing) > MAX_NAMES else ""
        )
        lines.append(
            ctx.t(
                "evidence_table_line",
                code=need.code,
                name=need.name,
                due=_due_shown(ctx, need.due, owed=bool(missing)),
                total=len(mine),
                **_counts(here),
            )
            + (ctx.t("evidence_table_missing", units=names) if missing else "")
        )
    if counts["pending"]:
        lines.append(ctx.t("evidence_table_review", count=counts["pending"]))
    owing = Counter(c.unit for c in cells if c.owed).most_common(MAX_UNIT_BUTTONS)
    buttons = [Button(unit, f"/evidence {unit}") for unit, _ in owing]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply("\n".join(lines), buttons=rows)


def _counts(counts: Counter[str]) -> dict[str, int]:
    return {state: counts[state] for state in ("accepted", "pending", "rejected", "missing")}
