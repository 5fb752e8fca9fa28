"""Reading the task ledger (任务台账) and the task parts (任务分项) back into the plan's tasks.

The ledger has one row per task and responsible unit. Rows with the same code (or with no code,
under the row above: merged cells) are one task, its units in row order, its lead units the rows
marked 牵头. The task's own cells (title, content, deadline…) may be written on its first row only,
repeated, or merged; two rows of one task that say different things are reported.
"""

from __future__ import annotations

from typing import Any

from config import plan_workbook_cells as cells
from config.plan_workbook_book import Book, Table
from config.plan_workbook_layout import TASK_LEVEL, TASKS

_OWN = [c for c in TASKS.columns if c.header in TASK_LEVEL and c.header not in ("seq", "code")]


def read_tasks(book: Book, table: Table | None) -> dict[str, int]:
    """The tasks of the ledger into `book.data["tasks"]`; returns each code's index."""
    if table is None or "code" not in table.columns or "unit" not in table.columns:
        return {}
    tasks: list[dict[str, Any]] = []
    given: list[dict[str, tuple[int, object]]] = []
    by_code: dict[str, int] = {}
    current: int | None = None
    for row in table.rows:
        code = cells.text(table.value(row, "code"))
        if code is None and current is None:
            book.problem(table.place(row, "code"), "xl_task_no_code")
            continue
        if code is not None and code not in by_code:
            by_code[code] = len(tasks)
            tasks.append({"code": code, "units": [], "lead": []})
            given.append({})
            _first_row(book, table, row, by_code[code])
        current = by_code[code] if code is not None else current
        assert current is not None
        _own_cells(book, table, row, current, tasks[current], given[current])
        _unit_cells(book, table, row, current, tasks[current])
    book.data["tasks"] = tasks
    return by_code


def _first_row(book: Book, table: Table, row: int, index: int) -> None:
    """Where a task's problems are said until a later row gives the cell they are about."""
    book.places[("tasks", index)] = table.place(row, "deadline" if "deadline" in table.columns else "code")
    book.places[("tasks", index, "code")] = table.place(row, "code")
    for field_name in ("units", "lead"):
        book.places[("tasks", index, field_name)] = table.place(row, "unit")
    for column in _OWN:
        book.places[("tasks", index, column.field)] = table.place(row, column.header)
    book.places[("tasks", index, "ongoing")] = table.place(row, "deadline")


def _own_cells(
    book: Book, table: Table, row: int, index: int, task: dict[str, Any], given: dict[str, tuple[int, object]]
) -> None:
    """The task's own cells on this row: taken when first given, compared when given again."""
    for column in _OWN:
        if column.header not in table.columns:
            continue
        raw = table.value(row, column.header)
        value: object
        if column.header == "deadline":
            deadline, ongoing = cells.deadline(raw)
            value = (deadline, ongoing) if deadline is not None or ongoing else None
        else:
            value = cells.text(raw)
        if value is None:
            continue
        if column.header in given:
            first_row, first = given[column.header]
            if first != value:
                header = table.place(row, column.header).header
                book.problem(table.place(row, column.header), "xl_task_conflict", row=first_row, header=header)
            continue
        given[column.header] = (row, value)
        book.places[("tasks", index, column.field)] = table.place(row, column.header)
        if isinstance(value, tuple):
            book.places[("tasks", index, "ongoing")] = table.place(row, column.header)
            if value[0] is not None:
                task["deadline"] = value[0]
            if value[1]:
                task["ongoing"] = True
        else:
            task[column.field] = value


def _unit_cells(book: Book, table: Table, row: int, index: int, task: dict[str, Any]) -> None:
    """This row's responsible unit (or units), and the lead: 是 for the row's unit, or a unit's name
    (a lead named through a group: 区发改局 on the row of 领导小组成员单位)."""
    refs = cells.unit_refs(table.value(row, "unit"), book.known)
    if not refs:
        book.problem(table.place(row, "unit"), "xl_task_no_unit")
        return
    for ref in refs:
        book.places[("tasks", index, "units", len(task["units"]))] = table.place(row, "unit")
        task["units"].append(ref)
    for entry in cells.items(table.value(row, "lead_flag")):
        said = cells.flag(entry)
        leads, header = (refs, "unit") if said is True else ([] if said is False else [entry], "lead_flag")
        for lead in leads:
            book.places[("tasks", index, "lead", len(task["lead"]))] = table.place(row, header)
            task["lead"].append(lead)


def read_parts(book: Book, table: Table | None, by_code: dict[str, int]) -> None:
    """任务分项: each row a paragraph of the task with that code, with its own units."""
    if table is None or "part_task" not in table.columns:
        return
    for row in table.rows:
        code = cells.text(table.value(row, "part_task"))
        if code is None or code not in by_code:
            key, params = ("xl_part_unknown_task", {"code": code}) if code else ("xl_task_no_code", {})
            book.problem(table.place(row, "part_task"), key, **params)
            continue
        index = by_code[code]
        parts: list[dict[str, Any]] = book.data["tasks"][index].setdefault("parts", [])
        loc = ("tasks", index, "parts", len(parts))
        book.places[loc] = table.place(row)
        part: dict[str, Any] = {}
        text = book.read_cell(table, row, "part_text", "text", (*loc, "text"))
        units = book.read_cell(table, row, "units", "refs", (*loc, "units"))
        if text is not None:
            part["text"] = text
        if units is not None:
            part["units"] = units
        parts.append(part)
