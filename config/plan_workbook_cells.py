"""How one value of a plan is written into a worksheet cell, and read back out of one.

Cells hold what an office would type: dates as dates, points as numbers, yes/no as 是, lists of
units as text separated by "；". Reading is lenient where offices differ (2022/6/30, 2022年6月30日,
a list separated by newlines, a date cell or a date typed as text) and otherwise passes the text on
unchanged, so the plan schema reports it in its own words at its cell, exactly as `duban plan check`
would for a plan file.

Lists are separated by "；" (full-width semicolon), ";" or a line break, never by "、": unit names
such as 各县（区）人民政府、管委会 contain it. In a cell of unit names, "、" is still understood where
it cannot be part of a name: the text is split at "、" and the pieces joined back wherever that
gives a known unit or group name.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from openpyxl.utils.datetime import from_excel

from config.i18n import translate
from config.plan_errors import yaml_error
from config.plan_loader import load_yaml_text

SEPARATOR = "；"
_SPLIT = re.compile(r"[；;\n]")
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末)")
_PERIODS = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:至|到|~|～|—|–|--?|to)\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(.*)$", re.S
)
_TRUE = {"是", "√", "✓", "y", "yes", "true", "1", "有"}
_FALSE = {"否", "×", "n", "no", "false", "0", "无"}
UNIT_KINDS = ("department", "town", "court", "bank", "company", "other")
NONE_WORDS = ("无", "none")
"""A reporters cell that says nobody (an empty cell means the default owners)."""


class CellProblem(Exception):
    """A cell that cannot be read at all (a rule that is not YAML); said by catalog key."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = {k: str(v) for k, v in params.items()}


# --- writing --------------------------------------------------------------------------------------


def yes(value: bool, lang: str, *, explicit: bool = False) -> str | None:
    """是 for true; for false nothing, or 否 where an empty cell would mean the default (true)."""
    if value:
        return translate(lang, "xl_yes")
    return translate(lang, "xl_no") if explicit else None


def joined(values: list[str] | list[int] | list[dt.date] | None) -> str | None:
    """A list as one cell."""
    if not values:
        return None
    return SEPARATOR.join(f"{v:%Y-%m-%d}" if isinstance(v, dt.date) else str(v) for v in values)


def clock_text(moment: dt.time) -> str:
    """09:00 (seconds only when there are some)."""
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def number(value: Decimal) -> Decimal | int:
    """Points as a number cell: whole points as integers."""
    return int(value) if value == value.to_integral_value() else value


def unit_kind_text(kind: str, lang: str) -> str:
    """部门, 镇街… for a unit's kind."""
    return translate(lang, f"xl_kind_{kind}")


def periods_text(start: str, end: str, current_from: str, lang: str) -> str:
    """2022-01至2022-12 (with 当月起报 when the running month may be reported from its first day)."""
    text = translate(lang, "xl_periods", start=start, end=end)
    return text + translate(lang, "xl_periods_from_start") if current_from == "start" else text


def deadline_text(deadline: dt.date | None, ongoing: bool, lang: str) -> dt.date | str | None:
    """The date itself, 长期坚持, or both."""
    if deadline is not None and ongoing:
        return translate(lang, "xl_deadline_and_ongoing", date=f"{deadline:%Y-%m-%d}")
    if ongoing:
        return translate(lang, "xl_ongoing")
    return deadline


# --- reading --------------------------------------------------------------------------------------


def text(raw: object) -> str | None:
    """A cell as text (numbers as typed: 5 not 5.0), or None when empty."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        shown = repr(raw)
        return shown.removesuffix(".0") if raw.is_integer() else shown
    if isinstance(raw, dt.datetime):
        return f"{raw:%Y-%m-%d}" if raw.time() == dt.time(0) else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return f"{raw:%Y-%m-%d}"
    if isinstance(raw, dt.time):
        return clock_text(raw)
    shown = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    return shown or None


def items(raw: object) -> list[str]:
    """A list cell: its entries, in order."""
    shown = text(raw)
    return [part.strip() for part in _SPLIT.split(shown)] if shown else []


def unit_refs(raw: object, known: set[str]) -> list[str]:
    """A cell of unit names: split at the separators, and at "、" where that splits known names."""
    refs: list[str] = []
    for entry in filter(None, items(raw)):
        if entry in known or "、" not in entry:
            refs.append(entry)
            continue
        pieces = entry.split("、")
        start = 0
        while start < len(pieces):
            stop = next((j for j in range(len(pieces), start, -1) if "、".join(pieces[start:j]) in known), start + 1)
            refs.append("、".join(pieces[start:stop]))
            start = stop
    return refs


def day(raw: object) -> Any:
    """A date cell (a date, an Excel serial number, or 2022-06-30 / 2022/6/30 / 2022年6月30日 /
    2022年6月底 as text); anything else is passed on as text for the schema to refuse."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        converted = from_excel(raw)
        return converted.date() if isinstance(converted, dt.datetime) else text(raw)
    shown = text(raw)
    if shown is None:
        return None
    found = _find_day(shown, whole=True)
    return found if found is not None else shown


def _find_day(shown: str, *, whole: bool) -> dt.date | str | None:
    """The date written in `shown` (the text itself when it is an impossible date), or None."""
    match = (_DAY.fullmatch if whole else _DAY.search)(shown)
    if match:
        year, month, day_ = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day_)
        except ValueError:
            return match.group(0)
    match = (_MONTH_END.fullmatch if whole else _MONTH_END.search)(shown)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return match.group(0)
    return None


def deadline(raw: object) -> tuple[Any, bool]:
    """完成时限: (the deadline or None, ongoing) from a date, 长期坚持, or text holding both."""
    if isinstance(raw, dt.date | int | float) and not isinstance(raw, bool):
        return day(raw), False
    shown = text(raw)
    if shown is None:
        return None, False
    lowered = shown.lower()
    ongoing = "长期" in shown or "ongoing" in lowered
    found = _find_day(shown, whole=False)
    if found is None and not ongoing:
        return shown, False
    return found, ongoing


def points(raw: object) -> Any:
    """A number of points: exact (0.2 stays 0.2), "20分" read as 20."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    shown = text(raw)
    if shown is None:
        return None
    try:
        return Decimal(shown.removesuffix("分").strip())
    except InvalidOperation:
        return shown


def whole_number(raw: object) -> Any:
    """An integer setting (3 working days)."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw if isinstance(raw, int) else text(raw)


def flag(raw: object) -> Any:
    """是/否 (also √, yes, true…); empty is None; anything else is passed on for the schema to refuse."""
    shown = text(raw)
    if shown is None:
        return None
    lowered = shown.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return shown


def clock(raw: object) -> Any:
    """A time of day: a time cell, a fraction of a day, or 09:00 as text."""
    if isinstance(raw, dt.datetime):
        return raw.time()
    if isinstance(raw, dt.time):
        return raw
    if isinstance(raw, float) and 0 <= raw < 1:
        seconds = round(raw * 86400)
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return text(raw)


def unit_kind(raw: object) -> str | None:
    """部门 → department (either language, or the plan file's own word); anything else is refused
    here, naming the kinds in the office's words rather than the plan file's."""
    shown = text(raw)
    if shown is None:
        return None
    for kind in UNIT_KINDS:
        if shown.lower() in (kind, translate("zh", f"xl_kind_{kind}"), translate("en", f"xl_kind_{kind}").lower()):
            return kind
    raise CellProblem("xl_bad_kind", text=shown)


def periods(raw: object) -> Any:
    """报送周期: 2022-01至2022-12 (，当月起报), or the plan file's own mapping as YAML flow text."""
    shown = text(raw)
    if shown is None:
        return None
    if shown.startswith("{"):
        return yaml_value(shown)
    match = _PERIODS.match(shown)
    if not match:
        raise CellProblem("xl_bad_periods", text=shown)
    y1, m1, y2, m2, rest = match.groups()
    found: dict[str, str] = {"start": f"{y1}-{int(m1):02d}", "end": f"{y2}-{int(m2):02d}"}
    rest = rest.strip(" ，,;；()（）")
    if rest:
        words = {translate(lang, "xl_periods_from_start").strip(" ，,;；()（）").lower() for lang in ("zh", "en")}
        if rest.lower() not in words:
            raise CellProblem("xl_bad_periods", text=shown)
        found["current_from"] = "start"
    return found


def yaml_value(shown: str) -> Any:
    """A rule (or periods) cell: a YAML fragment in the plan file's rule language."""
    try:
        return load_yaml_text(shown)
    except yaml.YAMLError as exc:
        raise CellProblem(yaml_error(exc).key or "cli_yaml_syntax") from None
