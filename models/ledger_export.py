"""The ledger (台账) as an Excel workbook: the plan's own sheets with the task ledger filled in, then
the status sheets (指标得分, 基础指标达标情况, 佐证材料, 单位排名).

Reading the database is one pass (`models.ledger_data.collect`); drawing the workbook is CPU work
(openpyxl) and runs in a worker thread, outside the session, so the bot keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel.ext.asyncio.session import AsyncSession

from config.i18n import translate
from config.plan_schema import Plan
from config.plan_workbook import LedgerCells, write_plan
from config.xlsx_style import fit_rows
from models.ledger_data import LedgerData, Share, collect, local_time
from models.ledger_sheets import evidence_sheet, gates_sheet, ranking_sheet, scores_sheet
from models.tables import PlanRow


async def export_workbook(
    session: AsyncSession, plan_row: PlanRow, plan: Plan, *, now: dt.datetime, lang: str = "zh"
) -> bytes:
    """The whole ledger as .xlsx bytes, as the plan stands at `now` (times in the plan's zone)."""
    data = await collect(session, plan, now=now)
    return await asyncio.to_thread(draw_workbook, data, lang)


def draw_workbook(data: LedgerData, lang: str) -> bytes:
    """Every sheet of the export. What the office reads first comes first (the task ledger, points,
    gates, evidence, the ranking), the sheets that define the plan after them; a plan without gates
    or evidence requirements gets no empty status sheet for them (its empty task ledger stays among
    the plan's sheets, where an import looks for it)."""
    wb = Workbook()
    time = data.now.astimezone(data.zone).strftime("%Y-%m-%d %H:%M")

    def heading(sheet: str) -> str:
        return translate(lang, "xl_ex_heading", plan=data.plan.name, sheet=sheet, time=time)

    write_plan(wb, data.plan, heading=heading, ledger=ledger_cells(data, lang), lang=lang)
    sheets = [scores_sheet(wb, data, heading, lang)]
    if data.plan.gates:
        sheets.append(gates_sheet(wb, data, heading, lang))
    if data.evidence:
        sheets.append(evidence_sheet(wb, data, heading, lang))
    sheets.append(ranking_sheet(wb, data, heading, lang))
    for ws in sheets:
        fit_rows(ws)
    if data.plan.tasks:
        sheets.insert(0, wb[translate(lang, "xl_sheet_tasks")])
    _to_front(wb, sheets)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _to_front(wb: Workbook, sheets: list[Worksheet]) -> None:
    """Move `sheets` to the front in this order; the first is the one the workbook opens on."""
    for index, ws in enumerate(sheets):
        wb.move_sheet(ws, offset=index - wb.index(ws))
    for ws in wb.worksheets:  # one selected tab, or the workbook opens with its sheets grouped
        ws.sheet_view.tabSelected = ws is sheets[0]
    wb.active = 0


def status_words(share: Share, lang: str) -> str:
    """已完成 / 进行中 / 受阻 / 未开始 for a unit; for a group, 已完成 once every unit is, else how many
    of its units are: '3/11 已完成'."""
    if not share.group:
        return translate(lang, f"status_{share.status}")
    if share.done == share.total:
        return translate(lang, "status_done")
    return translate(lang, "xl_ex_group_done", done=share.done, total=share.total)


def ledger_cells(data: LedgerData, lang: str) -> dict[tuple[str, str], LedgerCells]:
    """The task ledger's status columns for every (task code, unit or group as the plan names it)."""
    return {
        key: LedgerCells(
            status=status_words(share, lang),
            updated=local_time(share.updated, data.zone),
            progress=share.note,
            overdue=share.overdue,
        )
        for key, share in data.shares.items()
    }
