"""A plan as the sheets of an Excel workbook, the way an office keeps its plan and ledger (台账).

`write_plan` adds the sheets that define a plan (计划信息, 单位, 分组, 阶段, 领导小组, 任务台账,
任务分项, 评分分类, 基础指标, 评分指标); the task ledger carries each unit's status when the caller
(the export) passes it. `read_plan` (in `config.plan_workbook_read`) builds the plan back from those
sheets, so a plan written and read again is the same plan. `write_template` writes the same sheets
empty, with instructions and one example row each (`config.plan_workbook_template`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from config import plan_workbook_cells as cells
from config.i18n import translate
from config.plan_schema import Plan, Task
from config.plan_workbook_layout import (
    GATES,
    GROUPS,
    INDICATORS,
    LEADERS,
    PARTS,
    PHASES,
    PLAN,
    PLAN_KEYS,
    PLAN_SHEETS,
    SECTIONS,
    TASK_LEVEL,
    TASKS,
    UNITS,
    Column,
    Sheet,
    key_help,
    key_label,
)
from config.plan_workbook_read import RowProblem, read_plan
from config.plan_workbook_template import example_row, write_guide
from config.plan_yaml import as_written, flow_yaml
from config.xlsx_style import FIRST_ROW, HIGHLIGHTS, add_row, fit_rows, new_sheet

__all__ = ["LedgerCells", "RowProblem", "read_plan", "write_plan", "write_task_ledger", "write_template"]

Heading = Callable[[str], str]


@dataclass(frozen=True)
class LedgerCells:
    """The status of one task for one responsible unit, as the export fills the task ledger."""

    status: str
    updated: str
    progress: str
    overdue: bool


def write_plan(
    wb: Workbook,
    plan: Plan,
    *,
    heading: Heading,
    ledger: Mapping[tuple[str, str], LedgerCells] | None = None,
    lang: str = "zh",
) -> None:
    """Add the sheets that define `plan`; `heading(sheet title)` is each sheet's title row.

    `ledger[(task code, unit)]` fills the task ledger's status columns; the unit is named as the
    plan lists it (a group such as 各镇街 is one row and one key).
    """
    write_plan_info(wb, plan, heading=heading, lang=lang)
    for sheet, elements in ((UNITS, plan.units), (GROUPS, plan.groups), (PHASES, plan.phases), (LEADERS, plan.leaders)):
        write_rows(wb, sheet, elements, heading=heading, lang=lang)
    write_task_ledger(wb, plan, heading=heading, ledger=ledger, lang=lang)
    parts = [(task.code, part) for task in plan.tasks for part in task.parts]
    ws = new_sheet(wb, PARTS.title(lang), heading=heading(PARTS.title(lang)), headers=PARTS.headers(lang))
    for number, (code, part) in enumerate(parts, start=1):
        add_row(ws, [number, code, part.text, cells.joined(part.units)])
    fit_rows(ws)
    for sheet, scored in ((SECTIONS, plan.sections), (GATES, plan.gates), (INDICATORS, plan.indicators)):
        write_rows(wb, sheet, scored, heading=heading, lang=lang)


def write_template(wb: Workbook, lang: str = "zh") -> None:
    """The plan's sheets, empty: 填写说明 first, then each sheet with one example row (skipped on import)."""
    title = translate(lang, "xl_template_title")

    def heading(sheet_title: str) -> str:
        return f"{title} · {sheet_title}"

    write_guide(wb, lang)
    write_plan_info(wb, None, heading=heading, lang=lang)
    for sheet in PLAN_SHEETS[1:]:
        ws = new_sheet(wb, sheet.title(lang), heading=heading(sheet.title(lang)), headers=sheet.headers(lang))
        add_row(ws, example_row(sheet, lang), highlight="warn")
        fit_rows(ws)


def write_plan_info(wb: Workbook, plan: Plan | None, *, heading: Heading, lang: str) -> Worksheet:
    """计划信息: one setting per row (项目, 键, 值, 说明); `plan` None leaves the values empty."""
    ws = new_sheet(wb, PLAN.title(lang), heading=heading(PLAN.title(lang)), headers=PLAN.headers(lang))
    for key, kind, _ in PLAN_KEYS:
        label, help_text = key_label(key, lang), key_help(key, lang)
        if kind == "note":
            notes: list[str | None] = [*plan.notes] if plan is not None else []
            for note in notes or [None]:
                add_row(ws, [label, key, note, help_text])
            continue
        value = _setting(plan, key) if plan is not None else None
        add_row(ws, [label, key, _setting_cell(kind, value, lang), help_text])
    fit_rows(ws)
    return ws


def _setting(plan: Plan, key: str) -> Any:
    """The value of a dotted setting (office.unit), or None; a reminder or calendar setting only
    when the plan gives it (an empty cell is the default, which the 说明 column names)."""
    node: Any = plan
    for part in key.split("."):
        if node is None or (node is not plan and part not in node.model_fields_set):
            return None
        node = getattr(node, part)
    return node


def _setting_cell(kind: str, value: Any, lang: str) -> object:
    if value is None:
        return None
    if kind in ("list", "ints", "dates"):
        return cells.joined(value)
    if kind == "decimal":
        return cells.number(value)
    if kind == "time":
        return cells.clock_text(value)
    if kind == "flag":
        return cells.yes(value, lang, explicit=True)
    return value


def write_rows(wb: Workbook, sheet: Sheet, elements: Sequence[BaseModel], *, heading: Heading, lang: str) -> Worksheet:
    """A sheet with one row per element of one of the plan's lists."""
    ws = new_sheet(wb, sheet.title(lang), heading=heading(sheet.title(lang)), headers=sheet.headers(lang))
    for number, element in enumerate(elements, start=1):
        add_row(ws, [number if c.kind == "seq" else cell_value(c, element, lang) for c in sheet.columns])
    fit_rows(ws)
    return ws


def cell_value(column: Column, element: BaseModel, lang: str) -> object:
    """What one column shows for one element."""
    value = getattr(element, column.field)
    if value is None:
        return None
    kind = column.kind
    if kind in ("list", "refs"):
        return cells.joined(value)
    if kind == "reporters":
        return cells.joined(value) if value else translate(lang, "xl_none")
    if kind == "decimal":
        return cells.number(value)
    if kind == "bool":
        return cells.yes(value, lang)
    if kind == "unit_kind":
        return cells.unit_kind_text(value, lang)
    if kind == "rule":
        return flow_yaml(as_written(value))
    if kind == "periods":
        return cells.periods_text(value.start, value.end, value.current_from, lang)
    return value


def write_task_ledger(
    wb: Workbook,
    plan: Plan,
    *,
    heading: Heading,
    ledger: Mapping[tuple[str, str], LedgerCells] | None = None,
    lang: str = "zh",
) -> Worksheet:
    """任务台账: one row per task and responsible unit, the task's own cells merged down its rows."""
    ws = new_sheet(wb, TASKS.title(lang), heading=heading(TASKS.title(lang)), headers=TASKS.headers(lang))
    for number, task in enumerate(plan.tasks, start=1):
        leads = _lead_cells(plan, task, lang)
        rows = [
            _task_row(ws, number, task, (unit, leads.get(index)), (ledger or {}).get((task.code, unit)), lang)
            for index, unit in enumerate(task.units)
        ]
        _merge_task(ws, rows, overdue=[(ledger or {}).get((task.code, u)) for u in task.units])
    fit_rows(ws)
    return ws


def _lead_cells(plan: Plan, task: Task, lang: str) -> dict[int, str]:
    """The 牵头 cell of each row: 是 for a lead unit; a lead the task names only through a group
    (领导小组成员单位, led by 区发改局) is written by name on that group's row (else on the first row)."""
    entries: dict[int, list[str]] = {}
    for lead in task.lead:
        if lead in task.units:
            row, said = task.units.index(lead), translate(lang, "xl_yes")
        else:
            row = next((i for i, unit in enumerate(task.units) if lead in _members(plan, unit)), 0)
            said = lead
        entries.setdefault(row, []).append(said)
    return {row: cells.SEPARATOR.join(said) for row, said in entries.items()}


def _members(plan: Plan, name: str) -> set[str]:
    """Every unit and group a group stands for, through nested groups (nothing for a unit)."""
    groups = {alias: g for g in plan.groups for alias in (g.name, *g.aliases)}
    found: set[str] = set()
    stack = [name]
    while stack:
        group = groups.get(stack.pop())
        for member in group.members if group is not None else []:
            if member not in found:
                found.add(member)
                stack.append(member)
    return found


def _task_row(
    ws: Worksheet, number: int, task: Task, unit_lead: tuple[str, str | None], status: LedgerCells | None, lang: str
) -> int:
    unit, lead = unit_lead
    parts = "、".join(str(i) for i, part in enumerate(task.parts, start=1) if unit in part.units)
    by_header: dict[str, object] = {
        "seq": number,
        "code": task.code,
        "task_group": task.group,
        "task_title": task.title,
        "task_text": task.text,
        "task_part": parts or None,
        "unit": unit,
        "lead_flag": lead,
        "deadline": cells.deadline_text(task.deadline, task.ongoing, lang),
        "status": status.status if status else None,
        "updated": status.updated if status else None,
        "progress": status.progress if status else None,
        "note": task.note,
    }
    highlight = "overdue" if status is not None and status.overdue else None
    return add_row(ws, [by_header[c.header] for c in TASKS.columns], highlight=highlight)


def _merge_task(ws: Worksheet, rows: list[int], *, overdue: list[LedgerCells | None]) -> None:
    """Merge the task's own cells down its rows; they are red only when every row is overdue."""
    if len(rows) < 2:
        return
    all_overdue = all(s is not None and s.overdue for s in overdue)
    for index, column in enumerate(TASKS.columns, start=1):
        if column.header not in TASK_LEVEL:
            continue
        ws.merge_cells(start_row=rows[0], start_column=index, end_row=rows[-1], end_column=index)
        if not all_overdue:
            ws.cell(row=rows[0], column=index).fill = PatternFill(fill_type=None)
        elif rows[0] >= FIRST_ROW:
            ws.cell(row=rows[0], column=index).fill = HIGHLIGHTS["overdue"]
