"""A workbook as it is read: its sheets with their headers found, and the place of every value.

`Book` reads cells into the plan document (`config.plan_workbook_read`) and remembers, for every
place in that document, the cell it came from (`Place`), so a problem the plan checks find can be
said at its cell (`RowProblem`). A sheet is found by its name in either language, its header row
by the column names it carries, in any order; merged cells read as their value on every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from config import plan_workbook_cells as cells
from config.i18n import translate
from config.plan_errors import Loc, Params
from config.plan_workbook_layout import PLAN_SHEETS, Sheet, normal

__all__ = ["Book", "Place", "RowProblem", "Table", "letter"]


@dataclass(frozen=True)
class RowProblem:
    """A row the import could not read: where (sheet, row, column letter and header) and why.

    `reason` is the English wording; `key` and `params` say it in the office's language; `path` is
    the place inside a cell that holds a structure (the rule's `zero_at`).
    """

    sheet: str
    row: int | None
    column: str
    reason: str
    header: str = ""
    key: str = ""
    params: Params = ()
    path: str = ""

    def __str__(self) -> str:
        return self.render("en")

    def explain(self, lang: str) -> str:
        """What is wrong, without the place."""
        said = self.reason if lang == "en" or not self.key else translate(lang, self.key, **dict(self.params))
        return translate(lang, "xl_with_path", path=self.path, message=said) if self.path else said

    def render(self, lang: str) -> str:
        """工作表“评分指标”第 7 行 H 列（评分规则）：… (or the row, the setting or the sheet alone)."""
        message = self.explain(lang)
        if self.row is not None and self.column:
            where = {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header}
            return translate(lang, "xl_at_cell", **where, message=message)
        if self.row is not None:
            return translate(lang, "xl_at_row", sheet=self.sheet, row=self.row, message=message)
        if self.header:
            return translate(lang, "xl_at_item", sheet=self.sheet, header=self.header, message=message)
        return translate(lang, "xl_at_sheet", sheet=self.sheet, message=message)


@dataclass(frozen=True)
class Place:
    """The cell (or row, or sheet) a value of the plan document came from."""

    sheet: str
    row: int | None = None
    col: int | None = None
    header: str = ""
    said: bool = False
    """Already reported (a missing sheet or column, a cell that could not be read): no second problem."""


@dataclass
class Table:
    """A sheet as read: its header row, which column holds what, its data rows."""

    ws: Worksheet
    sheet: Sheet
    columns: dict[str, int]
    headers: dict[int, str]
    rows: list[int]
    merged: dict[tuple[int, int], object] = field(default_factory=dict)

    def value(self, row: int, header: str) -> object:
        """The cell of that column in that row (a merged cell's value on every row it spans)."""
        col = self.columns.get(header)
        if col is None:
            return None
        return self.merged.get((row, col), self.ws.cell(row=row, column=col).value)

    def place(self, row: int | None = None, header: str | None = None, *, said: bool = False) -> Place:
        """A place in this sheet."""
        col = self.columns.get(header) if header else None
        return Place(self.ws.title, row, col, self.headers.get(col, "") if col else "", said)


class Book:
    """A workbook being read into a plan document, with the place of every value."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.data: dict[str, Any] = {}
        self.places: dict[Loc, Place] = {}
        self.problems: list[RowProblem] = []
        self.said: set[tuple[str, int | None, int | None]] = set()
        self.known: set[str] = set()
        self.lang = _workbook_lang(wb)
        self.tables: dict[str, Table | None] = {}

    def problem(self, place: Place, key: str, /, **params: object) -> None:
        """A problem found while reading (said at once; a later check of the same cell is dropped)."""
        fixed = tuple((k, str(v)) for k, v in params.items())
        english = translate("en", key, **dict(fixed))
        self.problems.append(RowProblem(place.sheet, place.row, letter(place.col), english, place.header, key, fixed))
        self.said.add((place.sheet, place.row, place.col))

    def table(self, sheet: Sheet) -> Table | None:
        """The sheet, its headers found (missing required ones reported once), or None if absent."""
        if sheet.name not in self.tables:
            self.tables[sheet.name] = self._open(sheet)
        return self.tables[sheet.name]

    def _open(self, sheet: Sheet) -> Table | None:
        ws = next((w for w in self.wb.worksheets if normal(w.title) in sheet.titles()), None)
        if not isinstance(ws, Worksheet):
            self.places[(sheet.name,)] = Place(sheet.title(self.lang), said=sheet.required)
            if sheet.required:
                self.problem(Place(sheet.title(self.lang)), "xl_missing_sheet")
            return None
        header_row, columns = _header_row(ws, sheet)
        if header_row is None:
            self.problem(Place(ws.title), "xl_no_headers")
            self.places[(sheet.name,)] = Place(ws.title, said=True)
            return None
        headers = {col: cells.text(ws.cell(row=header_row, column=col).value) or "" for col in columns.values()}
        table = Table(ws, sheet, columns, headers, [], _merged_values(ws, header_row))
        for column in sheet.columns:
            if column.required and column.header not in columns:
                self.problem(Place(ws.title, header_row), "xl_missing_column", header=column.title(self.lang))
        table.rows = [r for r in range(header_row + 1, ws.max_row + 1) if _is_data(table, r)]
        self.places[(sheet.name,)] = table.place()
        return table

    def convert(self, kind: str, raw: object) -> Any:
        """A cell's value as the plan document holds it (cells.CellProblem if it cannot be read)."""
        if kind in ("text", "ref"):
            return cells.text(raw)
        if kind == "list":
            return cells.items(raw) or None
        if kind == "refs":
            return cells.unit_refs(raw, self.known) or None
        if kind == "reporters":
            nobody = (cells.text(raw) or "").lower() in cells.NONE_WORDS
            return [] if nobody else cells.unit_refs(raw, self.known) or None
        readers = {
            "date": cells.day,
            "decimal": cells.points,
            "bool": cells.flag,
            "flag": cells.flag,
            "unit_kind": cells.unit_kind,
            "periods": cells.periods,
            "time": cells.clock,
            "int": cells.whole_number,
        }
        if kind in readers:
            return readers[kind](raw)
        if kind == "rule":
            shown = cells.text(raw)
            return None if shown is None else cells.yaml_value(shown)
        if kind in ("ints", "dates"):
            each = cells.whole_number if kind == "ints" else cells.day
            return [each(item) for item in cells.items(raw)] or None
        raise AssertionError(kind)  # pragma: no cover - every kind of the layout is read above

    def read_cell(self, table: Table, row: int, header: str, kind: str, loc: Loc) -> Any:
        """One cell's value, its place remembered under `loc`; a cell that cannot be read is reported."""
        place = table.place(row, header, said=header not in table.columns)
        self.places[loc] = place
        raw = table.value(row, header)
        try:
            return self.convert(kind, raw)
        except cells.CellProblem as problem:
            self.problem(place, problem.key, **problem.params)
            return cells.text(raw)  # refused again by the schema (said once): the element is left out


def letter(col: int | None) -> str:
    return get_column_letter(col) if col else ""


def _workbook_lang(wb: Workbook) -> str:
    """English when the workbook's sheets carry English names, else Chinese."""
    english = {normal(sheet.title("en")) for sheet in PLAN_SHEETS}
    return "en" if any(normal(title) in english for title in wb.sheetnames) else "zh"


def _header_row(ws: Worksheet, sheet: Sheet) -> tuple[int | None, dict[str, int]]:
    """The row of column names (row 2 in Duban's workbooks; the first that names two columns)."""
    for row in range(1, min(ws.max_row, 6) + 1):
        found: dict[str, int] = {}
        for col in range(1, ws.max_column + 1):
            shown = cells.text(ws.cell(row=row, column=col).value)
            column = next((c for c in sheet.columns if shown and normal(shown) in c.names()), None)
            if column is not None and column.header not in found:
                found[column.header] = col
        if len(found) >= min(2, len(sheet.columns)):
            return row, found
    return None, {}


def _merged_values(ws: Worksheet, header_row: int) -> dict[tuple[int, int], object]:
    """Every cell of a merged range below the headers, with the value of the range."""
    values: dict[tuple[int, int], object] = {}
    for span in ws.merged_cells.ranges:
        if span.min_row > header_row:
            value = ws.cell(row=span.min_row, column=span.min_col).value
            for row in range(span.min_row, span.max_row + 1):
                for col in range(span.min_col, span.max_col + 1):
                    values[(row, col)] = value
    return values


def _is_data(table: Table, row: int) -> bool:
    """Not empty, and not an example (first cell 示例… or Example…)."""
    first = cells.text(table.merged.get((row, 1), table.ws.cell(row=row, column=1).value)) or ""
    if first.startswith(translate("zh", "xl_example")) or first.lower().startswith("example"):
        return False
    return any(cells.text(table.value(row, header)) is not None for header in table.columns)
