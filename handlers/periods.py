"""Reporting periods as people write them, and which of them may be reported today.

"2022-03", "2022年3月", "3月", "三月份" all name a month; a bare month belongs to the plan's own
reporting year. A month can be reported once it is over; the running month also from its last
working day (offices publish the month's figure before it closes), or from its first day when the
plan says so. Months outside the plan's periods are refused.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from config.plan_schema import Indicator
from handlers.context import Ctx
from handlers.types import UserError
from reminders.state import work_calendar

_FULL = re.compile(r"^(\d{4})(?:-|/|\.|年)?(\d{1,2})(?:月份?)?$")
_MONTH = re.compile(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九])月份?$")
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_MONTHS |= {"十一": 11, "十二": 12}


def parse_period(word: str) -> str | None:
    """'2022-03', '2022-3', '2022年3月', '202203' -> '2022-03'; None when it is not a full month."""
    match = _FULL.match(word.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def month_number(word: str) -> int | None:
    """'3月', '03月', '三月', '十二月份' -> the month's number; None otherwise."""
    match = _MONTH.match(word.strip())
    if not match:
        return None
    text = match.group(1)
    number = int(text) if text.isdigit() else _CN_MONTHS[text]
    return number if 1 <= number <= 12 else None


def read_period(word: str, months: list[str], today: dt.date) -> str | None:
    """A period word in the context of an indicator's months: a bare month is the plan's month
    with that number (the latest one that has begun, if the periods span several years)."""
    full = parse_period(word)
    if full is not None:
        return full
    number = month_number(word)
    if number is None:
        return None
    fits = [m for m in months if int(m[5:]) == number]
    if not fits:
        return f"{months[0][:4]}-{number:02d}" if months else None
    started = [m for m in fits if m <= f"{today.year:04d}-{today.month:02d}"]
    return (started or fits)[0 if not started else -1]


def looks_like_period(word: str) -> bool:
    """Whether a word is written as a month at all (so a wrong one is refused, not read as a value)."""
    return parse_period(word) is not None or month_number(word) is not None


async def check_period_open(ctx: Ctx, indicator: Indicator, period: str) -> None:
    """Refuse a month outside the plan's periods, or one that has not ended (see the module doc)."""
    assert indicator.periods is not None
    months = indicator.periods.months()
    if period not in months:
        raise UserError("period_outside", period=period, start=months[0], end=months[-1])
    today = ctx.today
    current = f"{today.year:04d}-{today.month:02d}"
    if period < current:
        return
    year, month = int(period[:4]), int(period[5:])
    opens = dt.date(year, month, 1)
    if indicator.periods.current_from == "last_workday":
        days = await work_calendar(ctx.session, ctx.need_plan()[1])
        opens = days.on_or_before(dt.date(year, month, calendar.monthrange(year, month)[1]))
    if today < opens:
        raise UserError("period_not_over", period=period, opens=opens.isoformat())
