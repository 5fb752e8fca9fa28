"""Moving a plan to another year, so that a past plan can be tried out as if it were this year's (the demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from config.plan_schema import Plan


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _shift(value: Any, years: int) -> Any:
    if isinstance(value, dt.date):
        return _shift_date(value, years)
    if isinstance(value, dict):
        return {k: _shift_period(k, v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, years) for v in value]
    return value


def _shift_period(key: str, value: Any, years: int) -> Any:
    if key in ("start", "end") and isinstance(value, str) and len(value) == 7:
        year, month = value.split("-")
        return f"{int(year) + years:04d}-{month}"
    return _shift(value, years)


def shift_plan_years(plan: Plan, year: int, *, new_id: str, name_suffix: str) -> Plan:
    """The same plan with every date and period moved so that it starts in `year` (for demos)."""
    years = year - plan.start.year
    data = plan.model_dump(mode="python")
    shifted = _shift(data, years)
    shifted["id"] = new_id
    shifted["name"] = plan.name + name_suffix
    return Plan.model_validate(shifted)
