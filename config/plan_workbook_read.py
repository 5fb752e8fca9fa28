"""Reading a plan back from its workbook, every row it cannot read named by sheet, row and column.

The sheets are read into the same document a plan file gives (`{"units": [{"name": …}], …}`),
remembering for every place in it the cell it came from. That document is then checked by exactly
the checks of `duban plan check` (`config.plan_loader.check_plan_data`), and each problem found is
said at its cell: `工作表“评分指标”第 7 行 H 列（评分规则）：zero_at：“abc”不是数字`. Problems only a
workbook can have (a missing sheet or column, a rule that is not YAML, two rows of one task that
disagree) are found while reading. Everything comes out of one pass.

Headers are matched in either language and in any order; rows whose first cell starts with 示例
(Example) are skipped, as are empty rows; the status columns of the task ledger are ignored.
"""

from __future__ import annotations

from typing import Any

from openpyxl.workbook.workbook import Workbook

from config import plan_workbook_cells as cells
from config.i18n import translate
from config.plan_errors import Loc
from config.plan_loader import check_plan_data
from config.plan_schema import Plan
from config.plan_workbook_book import Book, Place, RowProblem, letter
from config.plan_workbook_layout import (
    GROUPS,
    LANGS,
    PARTS,
    PLAN,
    PLAN_KEYS,
    ROW_SHEETS,
    TASKS,
    UNITS,
    Sheet,
    key_label,
    normal,
)
from config.plan_workbook_tasks import read_parts, read_tasks

__all__ = ["Place", "RowProblem", "read_plan"]


def read_plan(wb: Workbook) -> tuple[Plan | None, list[RowProblem]]:
    """The plan the workbook's sheets define, or None and every problem found (sheet, row, column, why)."""
    book = Book(wb)
    _read_plan_info(book)
    book.known = _names(book)
    for sheet in ROW_SHEETS:
        _read_rows(book, sheet)
    by_code = read_tasks(book, book.table(TASKS))
    read_parts(book, book.table(PARTS), by_code)
    plan, found = check_plan_data(book.data)
    for loc, (english, key, params) in found:
        place, rest = _locate(book, loc)
        if place.said or (place.sheet, place.row, place.col) in book.said:
            continue
        if key == "cli_pe_too_few" and place.row is None and not place.header:  # a sheet with no rows
            key, english = "xl_no_rows", translate("en", "xl_no_rows", **dict(params))
        where = (place.sheet, place.row, letter(place.col))
        book.problems.append(RowProblem(*where, english, place.header, key, params, _path(rest)))
    problems = _sorted(book)
    return (plan if not problems else None), problems


def _read_rows(book: Book, sheet: Sheet) -> None:
    """A sheet of one element per row (units, groups, phases, leaders, sections, gates, indicators)."""
    table = book.table(sheet)
    if table is None:
        return
    elements: list[dict[str, Any]] = []
    for row in table.rows:
        index = len(elements)
        book.places[(sheet.name, index)] = table.place(row)
        element: dict[str, Any] = {}
        for column in sheet.columns:
            if column.field:
                value = book.read_cell(table, row, column.header, column.kind, (sheet.name, index, column.field))
                if value is not None:
                    element[column.field] = value
        elements.append(element)
    book.data[sheet.name] = elements


def _read_plan_info(book: Book) -> None:
    """计划信息: one setting per row, found by its key (or its label in either language)."""
    table = book.table(PLAN)
    keys = {key: kind for key, kind, _ in PLAN_KEYS}
    labels = {normal(key_label(key, lang)): key for key in keys for lang in LANGS}
    seen: dict[str, int] = {}
    notes: list[str] = []
    for row in table.rows if table is not None else []:
        assert table is not None
        written = cells.text(table.value(row, "key"))
        key = written if written in keys else labels.get(normal(cells.text(table.value(row, "item")) or ""))
        if key is None:
            book.problem(table.place(row, "key" if written else "item"), "xl_unknown_key", name=written or "")
            continue
        place = Place(table.ws.title, row, table.columns.get("value"), key_label(key, book.lang))
        if key == "notes":
            note = cells.text(table.value(row, "value"))
            if note is not None:
                book.places[("notes", len(notes))] = place
                notes.append(note)
            continue
        if key in seen:
            book.problem(table.place(row, "key"), "xl_key_twice", name=key, row=seen[key])
            continue
        seen[key] = row
        book.places[tuple(key.split("."))] = place
        try:
            value = book.convert(keys[key], table.value(row, "value"))
        except cells.CellProblem as problem:
            book.problem(place, problem.key, **problem.params)
            value = cells.text(table.value(row, "value"))
        if value is not None:
            _set(book.data, key.split("."), value)
    if notes:
        book.data["notes"] = notes
    title = table.ws.title if table is not None else PLAN.title(book.lang)
    for key in keys:
        book.places.setdefault(tuple(key.split(".")), Place(title, header=key_label(key, book.lang)))
    book.places[()] = Place(title)
    book.places[("office",)] = book.places[("office", "unit")]
    book.places[("reminders",)] = book.places[("reminders", "quiet_start")]


def _set(data: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _names(book: Book) -> set[str]:
    """Every unit and group name and alias written in the workbook (to split "、" lists safely)."""
    names: set[str] = set()
    for sheet, name_header in ((UNITS, "unit_name"), (GROUPS, "group_name")):
        table = book.table(sheet)
        for row in table.rows if table is not None else []:
            assert table is not None
            names.update(filter(None, [cells.text(table.value(row, name_header))]))
            names.update(filter(None, cells.items(table.value(row, "aliases"))))
    return names


def _locate(book: Book, loc: Loc) -> tuple[Place, Loc]:
    """The place registered for the longest start of `loc`, and the rest of `loc` inside that cell."""
    for length in range(len(loc), -1, -1):
        place = book.places.get(loc[:length])
        if place is not None:
            return place, loc[length:]
    return Place(PLAN.title(book.lang)), loc  # pragma: no cover - the root is always registered


def _path(rest: Loc) -> str:
    """The place inside a cell (`items[0].rule.zero_at`); nothing for an entry of a list cell."""
    if all(isinstance(part, int) for part in rest):
        return ""
    text = ""
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _sorted(book: Book) -> list[RowProblem]:
    """In the order of the sheets, rows and columns; the same problem at the same place once."""
    order = {title: index for index, title in enumerate(book.wb.sheetnames)}
    unique = list(dict.fromkeys(book.problems))
    return sorted(unique, key=lambda p: (order.get(p.sheet, len(order)), p.row or 0, len(p.column), p.column))
