"""The one place that makes a worksheet look like an office ledger (台账).

Every sheet Duban writes (the plan sheets, the template, the export's status sheets) goes through
`new_sheet` and `add_row`, so a printed ledger looks the same whichever part of Duban wrote it: a
title row with the plan and the export time, bold centred headers, frozen panes, wrapped text,
thin borders, landscape A4 fitted to the page width with the two title rows repeated.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

HEADING_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3

# A font name only: LibreOffice and Excel substitute a CJK font when the machine lacks it.
FONT_NAME = "宋体"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="D9E1F2", end_color="D9E1F2")
HIGHLIGHTS: dict[str, PatternFill] = {
    "overdue": PatternFill(fill_type="solid", start_color="F8CBAD", end_color="F8CBAD"),
    "warn": PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC"),
    "good": PatternFill(fill_type="solid", start_color="E2EFDA", end_color="E2EFDA"),
}


def new_sheet(wb: Workbook, title: str, *, heading: str, headers: Sequence[tuple[str, float]]) -> Worksheet:
    """Add a sheet with the title row, the header row, widths, frozen panes and print setup.

    The first sheet of a fresh `Workbook()` is the empty default "Sheet"; it is reused, so the
    workbook does not carry a blank sheet in front of the ledger.
    """
    ws = _fresh_sheet(wb, title)
    ncols = max(len(headers), 1)
    ws.cell(row=HEADING_ROW, column=1, value=heading)
    ws.cell(row=HEADING_ROW, column=1).font = Font(name=FONT_NAME, bold=True, size=14)
    ws.cell(row=HEADING_ROW, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if ncols > 1:
        ws.merge_cells(start_row=HEADING_ROW, start_column=1, end_row=HEADING_ROW, end_column=ncols)
    ws.row_dimensions[HEADING_ROW].height = 30
    for col, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = Font(name=FONT_NAME, bold=True, size=11)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    _print_setup(ws)
    return ws


_FONT = Font(name=FONT_NAME, size=10)
_WRAPPED = Alignment(vertical="top", wrap_text=True)


def add_row(ws: Worksheet, values: Sequence[object], *, highlight: str | None = None) -> int:
    """Append one ledger row (wrapped, top-aligned, bordered); returns its row number."""
    row = max(ws.max_row + 1, FIRST_ROW)
    style = _row_style(ws, highlight)
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, str):  # a control character from a chat message must not break the export
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value  # type: ignore[assignment]  # openpyxl refuses unknown types itself
        cell.style = style  # a named style: looking styles up cell by cell was most of an export's time
        _as_written(cell, value)
    return row


def _row_style(ws: Worksheet, highlight: str | None) -> str:
    """The named style of a ledger row (wrapped, top-aligned, bordered, maybe filled), registered
    with the workbook the first time it is used."""
    name = f"duban-row-{highlight or 'plain'}"
    workbook = ws.parent
    assert workbook is not None  # a sheet made by new_sheet belongs to a workbook
    if name not in workbook.named_styles:
        style = NamedStyle(name=name, font=_FONT, alignment=_WRAPPED, border=_BORDER)
        if highlight is not None:
            style.fill = HIGHLIGHTS[highlight]
        workbook.add_named_style(style)
    return name


def _as_written(cell: Cell | MergedCell, value: object) -> None:
    """Text stays text (a progress note starting with "=" is not a formula); dates read as dates."""
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def _fresh_sheet(wb: Workbook, title: str) -> Worksheet:
    """The untouched default sheet of a new workbook, renamed, or a new sheet at the end."""
    if len(wb.worksheets) == 1:
        only = wb.worksheets[0]
        untouched = only.title == "Sheet" and only.max_row == 1 and only.max_column == 1
        if isinstance(only, Worksheet) and untouched and only["A1"].value is None:
            only.title = title
            return only
    created: Worksheet = wb.create_sheet(title=title)
    return created


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, fitted to one page wide, title rows repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADING_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = 0.4
    ws.page_margins.right = 0.4


def fit_rows(ws: Worksheet, *, first: int = HEADER_ROW, line_height: float = 13.5, most: float = 409) -> None:
    """Row heights that show all the wrapped text (neither Excel nor LibreOffice fits merged cells).

    An estimate: a Chinese character is about two width units wide, a Latin one about one; a cell
    merged down several rows spreads what it needs over them.
    """
    lines: dict[int, int] = {}
    spans: list[tuple[int, int, int]] = []
    merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges if r.min_row >= first}
    for row in ws.iter_rows(min_row=first):
        for cell in row:
            if isinstance(cell, MergedCell) or cell.value is None or cell.column is None:
                continue
            span = merged.get((cell.row, cell.column))
            width = _width(ws, cell.column, span.max_col if span else cell.column)
            needed = _lines(cell.value, width)
            if span is not None and span.max_row > span.min_row:
                spans.append((span.min_row, span.max_row, needed))
            else:
                lines[cell.row] = max(lines.get(cell.row, 1), needed)
    for top, bottom, needed in spans:
        rows = range(top, bottom + 1)
        short = needed - sum(lines.get(r, 1) for r in rows)
        for offset, r in enumerate(rows):
            lines[r] = lines.get(r, 1) + max(0, short) // len(rows) + (1 if offset < max(0, short) % len(rows) else 0)
    for r, count in lines.items():
        ws.row_dimensions[r].height = min(most, count * line_height + 4)


def _width(ws: Worksheet, first: int, last: int) -> float:
    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(first, last + 1))


def _lines(value: object, width: float) -> int:
    """How many lines a value wraps to in a column `width` units wide."""
    if not isinstance(value, str):
        return 1
    room = max(width - 1.5, 1.0)
    total = 0
    for paragraph in value.split("\n"):
        shown = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in paragraph)
        total += max(1, math.ceil(shown / room))
    return total
