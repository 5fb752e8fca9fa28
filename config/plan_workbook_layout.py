"""The sheets and columns of a plan workbook: one description shared by the writer and the reader.

Each column names the plan field it holds and how its cells are written and read (`kind`); a
column without a field (序号, the status columns of the task ledger) is written but never imported.
Headers come from the catalog (`xl_col_*`) and are recognised on import in Chinese, in English or
as the plan file's own key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config.i18n import translate

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Column:
    """One column: its header id (`xl_col_<header>`), the plan field, how cells read, its width."""

    header: str
    field: str
    kind: str
    width: float
    required: bool = False

    def title(self, lang: str) -> str:
        """The header text."""
        return translate(lang, f"xl_col_{self.header}")

    def names(self) -> set[str]:
        """Every header text that means this column on import."""
        return {normal(self.title(lang)) for lang in LANGS} | ({normal(self.field)} if self.field else set())


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name (the plan's list it holds), its columns, and whether a plan needs it."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False

    def title(self, lang: str) -> str:
        """The sheet's tab name."""
        return translate(lang, f"xl_sheet_{self.name}")

    def titles(self) -> set[str]:
        """Tab names recognised on import."""
        return {normal(self.title(lang)) for lang in LANGS} | {normal(self.name)}

    def headers(self, lang: str) -> list[tuple[str, float]]:
        """Header texts and widths, for `xlsx_style.new_sheet`."""
        return [(c.title(lang), c.width) for c in self.columns]

    def column(self, header: str) -> Column:
        """The column with this header id."""
        return next(c for c in self.columns if c.header == header)


def normal(text: str) -> str:
    """A header or tab name as compared on import: no spaces, case or bracket style."""
    return re.sub(r"\s+", "", text).lower().replace("（", "(").replace("）", ")")


SEQ = Column("seq", "", "seq", 6)
NOTE = Column("note", "note", "text", 36)
NAME_ALIASES = Column("aliases", "aliases", "list", 24)
"""The other names of an indicator or gate: last, so the columns offices already know keep their letters."""

UNITS = Sheet(
    "units",
    (
        SEQ,
        Column("unit_name", "name", "text", 24, True),
        Column("aliases", "aliases", "list", 36),
        Column("unit_kind", "kind", "unit_kind", 8),
        Column("note", "note", "text", 60),
    ),
    required=True,
)
GROUPS = Sheet(
    "groups",
    (
        SEQ,
        Column("group_name", "name", "text", 22, True),
        Column("aliases", "aliases", "list", 28),
        Column("members", "members", "refs", 60, True),
        Column("note", "note", "text", 50),
    ),
)
PHASES = Sheet(
    "phases",
    (
        SEQ,
        Column("phase_name", "name", "text", 18, True),
        Column("start", "start", "date", 12, True),
        Column("end", "end", "date", 12, True),
        Column("phase_text", "text", "text", 70),
    ),
)
LEADERS = Sheet(
    "leaders",
    (
        SEQ,
        Column("leader_name", "name", "text", 10, True),
        Column("role", "role", "text", 10, True),
        Column("title", "title", "text", 60),
        Column("leader_unit", "unit", "text", 22),
    ),
)
TASKS = Sheet(
    "tasks",
    (
        SEQ,
        Column("code", "code", "text", 7, True),
        Column("task_group", "group", "text", 16),
        Column("task_title", "title", "text", 22, True),
        Column("task_text", "text", "text", 48),
        Column("task_part", "", "parts", 7),
        Column("unit", "units", "refs", 20, True),
        Column("lead_flag", "lead", "bool", 6),
        Column("deadline", "deadline", "deadline", 13),
        Column("status", "", "status", 9),
        Column("updated", "", "status", 16),
        Column("progress", "", "status", 30),
        Column("note", "note", "text", 24),
    ),
)
TASK_LEVEL = ("seq", "code", "task_group", "task_title", "task_text", "deadline", "note")
"""Task ledger columns that say something about the task, not the unit: merged down its rows."""

PARTS = Sheet(
    "parts",
    (
        SEQ,
        Column("part_task", "task", "text", 9, True),
        Column("part_text", "text", "text", 70, True),
        Column("units", "units", "refs", 50, True),
    ),
)
SECTIONS = Sheet(
    "sections",
    (
        SEQ,
        Column("code", "code", "text", 8, True),
        Column("section_name", "name", "text", 40, True),
        Column("max", "max", "decimal", 8, True),
        Column("bonus", "bonus", "bool", 8),
    ),
)
GATES = Sheet(
    "gates",
    (
        SEQ,
        Column("code", "code", "text", 7, True),
        Column("name", "name", "text", 28, True),
        Column("gate_text", "text", "text", 40),
        Column("evidence", "evidence", "text", 40),
        Column("evidence_due", "evidence_due", "date", 12),
        Column("lead", "lead", "refs", 16),
        Column("units", "units", "refs", 26),
        Column("reporters", "reporters", "reporters", 16),
        NOTE,
        NAME_ALIASES,
    ),
)
INDICATORS = Sheet(
    "indicators",
    (
        SEQ,
        Column("code", "code", "text", 7, True),
        Column("section", "section", "text", 8),
        Column("name", "name", "text", 22, True),
        Column("max", "max", "decimal", 7, True),
        Column("bonus", "bonus", "bool", 7),
        Column("periods", "periods", "periods", 15),
        Column("rule", "rule", "rule", 40, True),
        Column("rule_text", "rule_text", "text", 48, True),
        Column("source", "source", "text", 16),
        Column("goal", "goal", "text", 24),
        Column("evidence", "evidence", "text", 40),
        Column("evidence_due", "evidence_due", "date", 12),
        Column("lead", "lead", "refs", 16),
        Column("units", "units", "refs", 26),
        Column("reporters", "reporters", "reporters", 16),
        NOTE,
        NAME_ALIASES,
    ),
)
PLAN = Sheet(
    "plan",
    (
        Column("item", "", "label", 26),
        Column("key", "", "key", 30, True),
        Column("value", "", "value", 40, True),
        Column("help", "", "help", 60),
    ),
    required=True,
)
GUIDE = Sheet("guide", (Column("guide_topic", "", "label", 24), Column("guide_text", "", "help", 100)))

ROW_SHEETS = (UNITS, GROUPS, PHASES, LEADERS, SECTIONS, GATES, INDICATORS)
"""Sheets read the same way: one element of the plan's list per row."""

PLAN_SHEETS = (PLAN, UNITS, GROUPS, PHASES, LEADERS, TASKS, PARTS, SECTIONS, GATES, INDICATORS)
"""The sheets that define a plan, in the order they are written."""

PLAN_KEYS: tuple[tuple[str, str, bool], ...] = (
    ("id", "text", True),
    ("name", "text", True),
    ("issuer", "text", False),
    ("document", "text", False),
    ("issued", "date", False),
    ("timezone", "text", False),
    ("start", "date", True),
    ("end", "date", True),
    ("evidence_due", "date", False),
    ("office.unit", "text", False),
    ("office.director", "text", False),
    ("office.contacts", "list", False),
    ("max_points", "decimal", False),
    ("bonus_points", "decimal", False),
    ("reminders.send_at", "time", False),
    ("reminders.before", "ints", False),
    ("reminders.on_deadline", "flag", False),
    ("reminders.overdue_every_workday", "flag", False),
    ("reminders.escalate_from", "int", False),
    ("reminders.period_ask", "int", False),
    ("reminders.period_nudges", "ints", False),
    ("reminders.ongoing_monthly", "int", False),
    ("reminders.quiet_start", "time", False),
    ("reminders.quiet_end", "time", False),
    ("reminders.catch_up_grace_hours", "int", False),
    ("reminders.after_end_days", "int", False),
    ("reminders.digest_weekday", "int", False),
    ("reminders.digest_at", "time", False),
    ("calendar.holidays", "dates", False),
    ("calendar.workdays", "dates", False),
    ("notes", "note", False),
)
"""The settings of the 计划信息 sheet: its key, how the value reads, and whether a plan needs it."""


def key_label(key: str, lang: str) -> str:
    """The 项目 text of a setting."""
    return translate(lang, "xl_key_" + key.replace(".", "_"))


def key_help(key: str, lang: str) -> str:
    """The 说明 text of a setting."""
    return translate(lang, "xl_keyhelp_" + key.replace(".", "_"))
