"""The export's status sheets: 指标得分, 基础指标达标情况, 佐证材料 and 单位排名, drawn from a `LedgerData` snapshot.

The look (title row, headers, widths, wrapping, frozen panes, highlights, print setup) is
`config.xlsx_style`'s; this module only decides what each row says. Points are written as numbers
with a number format showing as many places as the plan writes (4.8, 4.29, 20), never as text, so
the office can add them up in Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from itertools import groupby
from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from config.i18n import translate
from config.xlsx_style import FONT_NAME, add_row, new_sheet
from models.evidence import EvidenceCell
from models.evidence_store import EvidenceStore
from models.ledger_data import LedgerData, local_time
from models.phrases import figure_lines, hint_words, person_words
from models.scoring import display_points, indicator_hints

Heading = Callable[[str], str]
"""The title row of a sheet, given the sheet's name (the plan's name and the export time around it)."""

NAMING = EvidenceStore(Path())
"""Only the store's naming is used here (`ab/<sha256>.<ext>`): the workbook reads no file."""


def points_cell(ws: Worksheet, row: int, column: int, points: Decimal) -> None:
    """Points as a number, shown the plan's way: as many decimal places as `display_points` keeps."""
    cell = ws.cell(row=row, column=column)
    shown = Decimal(display_points(points))
    places = max(0, -int(shown.as_tuple().exponent))
    cell.value = shown
    cell.number_format = "0" if places == 0 else "0." + "0" * places


def _bold(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(name=FONT_NAME, size=10, bold=True)


def _headers(lang: str, columns: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(translate(lang, key), width) for key, width in columns]


SCORE_COLUMNS = [
    ("xl_col_code", 6),
    ("xl_col_name", 20),
    ("xl_col_section", 12),
    ("xl_col_rule_text", 58),
    ("xl_ex_figures", 20),
    ("xl_ex_points", 6),
    ("xl_ex_max", 6),
    ("xl_ex_to_earn", 32),
    ("xl_col_bonus", 6),
]


def scores_sheet(wb: Workbook, data: LedgerData, heading: Heading, lang: str) -> Worksheet:
    """指标得分: every indicator with its rule, figures, points, maximum and what would earn the rest."""
    t = partial(translate, lang)
    ws = new_sheet(
        wb, t("xl_sheet_scores"), heading=heading(t("xl_sheet_scores")), headers=_headers(lang, SCORE_COLUMNS)
    )
    sections = {s.code: s.name for s in data.plan.sections}
    for score in data.board.scores:
        ind = score.indicator
        figures = figure_lines(lang, ind, score.observations) or [t("xl_ex_not_reported")]
        hints = [
            f"{item}：{hint_words(lang, h)}" if item else hint_words(lang, h)
            for item, h in indicator_hints(ind, score.observations)
        ]
        row = add_row(
            ws,
            [
                ind.code,
                ind.name,
                sections.get(ind.section or "", ind.section or ""),
                ind.rule_text,
                "\n".join(figures),
                None,
                None,
                "\n".join(hints) or t("full_marks"),
                t("xl_yes") if ind.bonus else "",
            ],
            highlight=None if score.reported else "warn",
        )
        points_cell(ws, row, 6, score.points)
        points_cell(ws, row, 7, ind.max)
    totals = [(t("xl_ex_total"), data.board.total, data.plan.max_points)]
    if data.plan.bonus_points:
        totals.append((t("xl_ex_bonus_total"), data.board.bonus_total, data.plan.bonus_points))
    for label, points, maximum in totals:
        row = add_row(ws, ["", label, "", "", "", None, None, "", ""])
        points_cell(ws, row, 6, points)
        points_cell(ws, row, 7, maximum)
        _bold(ws, row)
    return ws


GATE_COLUMNS = [
    ("xl_col_code", 7),
    ("xl_ex_gate", 26),
    ("xl_col_gate_text", 44),
    ("xl_col_evidence", 34),
    ("xl_ex_state", 9),
    ("xl_ex_reported_by", 18),
    ("xl_ex_reported_at", 17),
]


def gates_sheet(wb: Workbook, data: LedgerData, heading: Heading, lang: str) -> Worksheet:
    """基础指标: every pass/fail gate, met or not or not yet answered, with who answered and when."""
    t = partial(translate, lang)
    ws = new_sheet(
        wb, t("xl_sheet_gate_states"), heading=heading(t("xl_sheet_gate_states")), headers=_headers(lang, GATE_COLUMNS)
    )
    for gate in data.plan.gates:
        answer = data.gate_answers.get(gate.code)
        mark: str | None
        if answer is None:
            state, who, when, mark = t("xl_ex_gate_open"), "", "", "warn"
        else:
            met = answer.value != 0
            state = t("gate_met" if met else "gate_not_met")
            who = person_words(lang, answer.role, answer.unit, answer.who, answer.transport)
            when, mark = local_time(answer.at, data.zone), None if met else "overdue"
        add_row(ws, [gate.code, gate.name, gate.text or "", gate.evidence or "", state, who, when], highlight=mark)
    return ws


EVIDENCE_COLUMNS = [
    ("xl_col_code", 6),
    ("xl_col_name", 18),
    ("xl_col_evidence", 44),
    ("xl_col_evidence_due", 11),
    ("xl_col_unit", 18),
    ("xl_ex_state", 7),
    ("xl_ex_files", 28),
    ("xl_ex_stored", 30),
    ("xl_ex_reason", 16),
]
CODE_LEVEL = 4
"""The evidence sheet's first columns say something about the code, not the unit: merged down its rows."""


def _evidence_mark(cell: EvidenceCell, today: dt.date) -> str | None:
    """Owed after its due date: overdue; waiting for the office: a warning; otherwise plain."""
    if cell.owed and cell.due is not None and cell.due < today:
        return "overdue"
    return "warn" if cell.state == "pending" else None


def evidence_sheet(wb: Workbook, data: LedgerData, heading: Heading, lang: str) -> Worksheet:
    """佐证材料: every code × responsible unit, its state, the files handed in and where they are kept.

    The code, its name, the plan's requirement and the due date are written once per code, merged
    down its units' rows, so a requirement shared by seventeen units is printed once, not seventeen times.
    """
    t = partial(translate, lang)
    ws = new_sheet(
        wb, t("xl_sheet_evidence"), heading=heading(t("xl_sheet_evidence")), headers=_headers(lang, EVIDENCE_COLUMNS)
    )
    for _, group in groupby(data.evidence, key=lambda c: c.code):
        cells = list(group)
        marks = [_evidence_mark(c, data.today) for c in cells]
        rows = [
            add_row(
                ws,
                [
                    c.code,
                    c.name,
                    c.requirement,
                    c.due,
                    c.unit,
                    t("xl_ex_ev_" + c.state),
                    "\n".join(f"{s.name}（{t('xl_ex_ev_' + s.status)}）" for s in c.submissions),
                    "\n".join(NAMING.relative(s.sha256, s.ext) for s in c.submissions),
                    c.reason,
                ],
                highlight=mark,
            )
            for c, mark in zip(cells, marks, strict=True)
        ]
        _merge_down(ws, rows, CODE_LEVEL, same=len(set(marks)) == 1)
    return ws


def _merge_down(ws: Worksheet, rows: list[int], columns: int, *, same: bool) -> None:
    """Merge the first `columns` cells down `rows`; their colour stays only when every row has it."""
    if len(rows) < 2:
        return
    for column in range(1, columns + 1):
        ws.merge_cells(start_row=rows[0], start_column=column, end_row=rows[-1], end_column=column)
        if not same:
            ws.cell(row=rows[0], column=column).fill = PatternFill(fill_type=None)


RANK_COLUMNS = [
    ("xl_ex_rank", 6),
    ("xl_col_unit_name", 22),
    ("xl_ex_tasks", 8),
    ("xl_ex_tasks_done", 8),
    ("xl_ex_tasks_overdue", 8),
    ("xl_ex_ev_owed", 8),
    ("xl_ex_ev_accepted_count", 8),
    ("xl_ex_ev_overdue", 8),
    ("xl_ex_reports", 8),
    ("xl_ex_rate", 9),
]


def ranking_sheet(wb: Workbook, data: LedgerData, heading: Heading, lang: str) -> Worksheet:
    """单位排名: units best first by the rule written under the table (`models.ledger_data.rank_units`)."""
    t = partial(translate, lang)
    ws = new_sheet(
        wb, t("xl_sheet_ranking"), heading=heading(t("xl_sheet_ranking")), headers=_headers(lang, RANK_COLUMNS)
    )
    for r in data.ranking:
        row = add_row(
            ws,
            [
                r.rank,
                r.unit,
                r.tasks,
                r.tasks_done,
                r.tasks_overdue,
                r.evidence_owed,
                r.evidence_accepted,
                r.evidence_overdue,
                r.reports,
                None,
            ],
            highlight="overdue" if r.overdue else None,
        )
        if r.rate is not None:
            rate = ws.cell(row=row, column=10)
            rate.value = (Decimal(r.rate.numerator) / Decimal(r.rate.denominator)).quantize(Decimal("0.0001"))
            rate.number_format = "0%"
    note = ws.cell(row=ws.max_row + 1, column=1, value=t("xl_ex_ranking_rule"))
    note.font = Font(name=FONT_NAME, size=10, italic=True)
    note.alignment = Alignment(vertical="top", wrap_text=True)
    ws.merge_cells(start_row=note.row, start_column=1, end_row=note.row, end_column=len(RANK_COLUMNS))
    return ws
