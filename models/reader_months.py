"""The months a liaison's reply names ('3月份', '三月', '2022年3月', '1-3月份', '7月份、8月份', '本月',
'上月'), read relative to the day it is said. Part of `models.reader`."""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(
    r"(?:(?P<year>20\d\d)年)?(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
    r"(?![0-9]{1,2}[日号]|[一二三四五六七八九十]{1,3}[日号]|底?之?前|内|(?:份)?的?(?:数据|数|情况)?(?:还没|还未|尚未|没|未|待))"
)
"""A month, not a day of it ('6月5日报送了' says when, not which month the figure is for), nor a
deadline ('5月底前完成'), nor one whose figures are not out ('十一月份的还没出来')."""
DEADLINE_AFTER = re.compile(r"(?:底?之?前|内)")
MONTH_RANGE = re.compile(
    r"(?:(?P<year>20\d\d)年)?(?P<first>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])(?:月份?)?[-~～至到]"
    r"(?P<last>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
)
MONTH_LIST = re.compile(r"(?P<list>(?:(?:1[0-2]|[1-9])[、和])+(?P<last>1[0-2]|[1-9]))月份?")
QUARTER = re.compile(r"(?:(?P<year>20\d\d)年)?(?:第)?(?P<q>[一二三四1-4])季度(?!末|底|前|内)")
"""'一季度', '2022年第二季度': the quarter's three months (not '三季度末前', a deadline)."""
RELATIVE_MONTHS = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1}
CN_MONTH = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}


def months_of(text: str, today: dt.date) -> list[str]:
    """The months a text names: '3月份', '三月', '2022年3月', '1-3月份', '7月份、8月份', '本月', '上月',
    '一季度' (its three months). A month without a year is the latest one not after today (in January,
    '12月' is last December)."""
    quarter = QUARTER.search(text)
    if quarter is not None:
        first = 3 * "一二三四".index(quarter["q"]) + 1 if quarter["q"] in "一二三四" else 3 * int(quarter["q"]) - 2
        year = int(quarter["year"] or _year_of(first, today))
        return [f"{year:04d}-{m:02d}" for m in range(first, first + 3)]
    for word, shift in RELATIVE_MONTHS.items():
        at = text.find(word)
        if at >= 0 and not DEADLINE_AFTER.match(text, at + len(word)):  # '这个月底前补上' is a deadline
            return [shift_month(today, shift)]
    span = MONTH_RANGE.search(text)
    if span is not None:
        first, last = _month_number(span.group("first")), _month_number(span.group("last"))
        year = int(span.group("year") or _year_of(last, today))
        return [f"{year:04d}-{m:02d}" for m in range(first, last + 1)] if first <= last else []
    found = []
    for match in MONTH.finditer(text):
        month = _month_number(match.group("month"))
        year = int(match.group("year") or _year_of(month, today))
        found.append(f"{year:04d}-{month:02d}")
    listed = MONTH_LIST.search(text)
    if listed is not None and not found[1:]:
        last = _month_number(listed.group("last"))
        year = _year_of(last, today)
        found = [f"{year:04d}-{_month_number(m):02d}" for m in re.split(r"[、和]", listed.group("list")) if m]
    return list(dict.fromkeys(found))


def _month_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else CN_MONTH[raw]


def _year_of(month: int, today: dt.date) -> int:
    return today.year if month <= today.month else today.year - 1


def shift_month(today: dt.date, months: int) -> str:
    """The month `months` away from today's ('YYYY-MM')."""
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_month(today: dt.date) -> str:
    """The last closed month before today."""
    return shift_month(today, -1)
