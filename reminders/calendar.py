"""Working days as Chinese offices keep them: statutory holidays and make-up working days (调休).

A plain Monday–Friday rule is wrong several times a year in China (2022-06-03 is the Dragon Boat
Festival; 2026-02-14, a Saturday, is a working day). `chinese_calendar` knows the official
arrangement for the years it ships; for a year it does not know we fall back to weekends plus the
holidays and make-up days the office entered, and say so once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


class WorkCalendar:
    """Answers "is this a working day?" with the office's own corrections on top of the official calendar."""

    def __init__(
        self,
        *,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        on_unknown_year: Callable[[int], None] | None = None,
    ) -> None:
        self.extra_holidays = frozenset(holidays)
        self.extra_workdays = frozenset(workdays)
        self._on_unknown_year = on_unknown_year
        self.unknown_years: set[int] = set()
        self._cache: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        """Whether offices work on `day`: office corrections first, then the official calendar."""
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        found = self._cache.get(day)
        if found is None:
            found = self._cache[day] = self._official(day)
        return found

    def _official(self, day: dt.date) -> bool:
        try:
            return official_workday(day)
        except NotImplementedError:
            if day.year not in self.unknown_years:
                self.unknown_years.add(day.year)
                if self._on_unknown_year is not None:
                    self._on_unknown_year(day.year)
            return day.weekday() < 5

    def knows(self, year: int) -> bool:
        """Whether the official arrangement of `year` is known (not guessed from weekends)."""
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def workdays_before(self, day: dt.date, count: int) -> dt.date:
        """The working day `count` working days before `day` (count 1 = the previous working day)."""
        current = day
        for _ in range(count):
            current -= ONE_DAY
            while not self.is_workday(current):
                current -= ONE_DAY
        return current

    def on_or_before(self, day: dt.date) -> dt.date:
        """`day` if it is a working day, else the last working day before it."""
        while not self.is_workday(day):
            day -= ONE_DAY
        return day

    def nth_workday_of_month(self, year: int, month: int, n: int) -> dt.date | None:
        """The n-th working day of a month (1-based), or None if the month has fewer."""
        day = dt.date(year, month, 1)
        seen = 0
        while day.month == month:
            if self.is_workday(day):
                seen += 1
                if seen == n:
                    return day
            day += ONE_DAY
        return None

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie in (start, end]: 'the 3rd overdue working day' counts this way."""
        return sum(1 for day in days(start + ONE_DAY, end) if self.is_workday(day))

    def workdays(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Working days from start to end, both included."""
        return (day for day in days(start, end) if self.is_workday(day))


@lru_cache(maxsize=8192)
def official_workday(day: dt.date) -> bool:
    """The State Council's arrangement for `day` (raises NotImplementedError for unknown years)."""
    return bool(chinese_calendar.is_workday(day))


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day from start to end, both included."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY
