"""Chinese working days (工作日) for every statutory deadline.

Every deadline in the domain rules that says "working days" counts Chinese
working days: weekends and statutory holidays off, adjusted working weekends
(调休) on. The State Council publishes each year's holidays only in the late
autumn of the year before, so the ``chinese_calendar`` package covers a fixed
range of years (2004-2026 in version 1.11). For later years an administrator
enters the published days; until then we fall back to "Monday to Friday" and
the admin dashboard warns (:meth:`WorkdayCalendar.years_needing_entries`). An
administrator may also record that a year's official schedule is not out yet
(``weekends_only_years``): the year then counts weekends only, knowingly, and a
tender whose dates fall in it may be published; a year with neither entries nor
that record may not (:meth:`WorkdayCalendar.unknown_years`).

Dates only, never datetimes: a deadline's day depends on the time zone
(Asia/Shanghai), and only the caller knows how to convert correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Literal

import chinese_calendar
from chinese_calendar import constants as _cc_constants

YearSource = Literal["package", "entered", "weekends_only", "fallback"]

_ONE_DAY = timedelta(days=1)


def _package_years() -> range:
    """Years the installed ``chinese_calendar`` knows.

    Same computation the package itself uses to decide when to raise
    NotImplementedError, so we never call it for a year it would refuse.
    """
    years = [d.year for d in _cc_constants.holidays]
    return range(min(years), max(years) + 1)


PACKAGE_YEARS: range = _package_years()


def _require_date(value: object, name: str = "d") -> date:
    # datetime is a subclass of date; accepting it would silently use the
    # datetime's own (possibly UTC) calendar day instead of Shanghai's.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a datetime.date (not {type(value).__name__}); "
            "convert datetimes to the Asia/Shanghai date first"
        )
    return value


class WorkdayCalendar:
    """Decides whether a day is a working day and counts working days.

    ``entries`` are the administrator's entries (date -> True for a working
    day such as a 调休 weekend, False for a holiday). They override the package
    for any year, so a late correction of the official schedule can be entered
    without waiting for a package release.
    """

    def __init__(self, entries: Mapping[date, bool] | None = None, weekends_only_years: Iterable[int] = ()) -> None:
        self._entries: dict[date, bool] = {}
        for d, working in (entries or {}).items():
            self._entries[_require_date(d, "entry date")] = bool(working)
        self._entered_years = frozenset(d.year for d in self._entries)
        self._weekends_only_years = frozenset(int(y) for y in weekends_only_years)
        # The entries are fixed for the life of the instance, so every answer
        # can be cached; deadlines are computed over and over for the same days.
        self._cache: dict[date, bool] = {}

    # -- single days ---------------------------------------------------------

    def year_source(self, year: int) -> YearSource:
        """Where the answers for ``year`` come from.

        "package" wins even if entries exist for that year: the entries still
        override individual days, but the year is not missing anything. Entries
        win over a "weekends only" record: the schedule came out and was entered.
        """
        if year in PACKAGE_YEARS:
            return "package"
        if year in self._entered_years:
            return "entered"
        if year in self._weekends_only_years:
            return "weekends_only"
        return "fallback"

    def years_needing_entries(self, years: Iterable[int]) -> list[int]:
        """Years (sorted, without repeats) still on the weekends-only fallback
        that nobody has looked at (a "weekends only" record is a decision)."""
        return sorted({y for y in years if self.year_source(y) == "fallback"})

    def unknown_years(self, first: date, last: date) -> list[int]:
        """Years from ``first`` to ``last`` (both included) whose holidays are
        neither built in, entered, nor recorded as not yet published: any count
        of working days over those days would be a guess."""
        _require_date(first, "first")
        _require_date(last, "last")
        lo, hi = sorted((first, last))
        return self.years_needing_entries(range(lo.year, hi.year + 1))

    def day_off_reason(self, d: date) -> str | None:
        """Why ``d`` is not a working day: "weekend" or "holiday" (None on a working day)."""
        if self.is_working_day(d):
            return None
        return "weekend" if d.weekday() >= 5 else "holiday"

    def days_off(self, first: date, last: date) -> list[date]:
        """Non-working weekdays from ``first`` to ``last`` (holidays), and the other way
        round is :meth:`working_weekends`: with the weekday rule these two lists give
        every day's answer (the tender form's live check uses them)."""
        return [d for d in _days(first, last) if d.weekday() < 5 and not self.is_working_day(d)]

    def working_weekends(self, first: date, last: date) -> list[date]:
        """Saturdays and Sundays that are working days (调休) from ``first`` to ``last``."""
        return [d for d in _days(first, last) if d.weekday() >= 5 and self.is_working_day(d)]

    def is_working_day(self, d: date) -> bool:
        _require_date(d)
        cached = self._cache.get(d)
        if cached is None:
            cached = self._compute_is_working_day(d)
            self._cache[d] = cached
        return cached

    def _compute_is_working_day(self, d: date) -> bool:
        if d in self._entries:
            return self._entries[d]
        if d.year in PACKAGE_YEARS:
            return bool(chinese_calendar.is_workday(d))
        # Entered years without an entry for this day, and fallback years:
        # an ordinary week.
        return d.weekday() < 5

    def next_working_day_on_or_after(self, d: date) -> date:
        _require_date(d)
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # -- counting ------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted).

        This is how "within 7 working days of the notice" is computed: the
        deadline is the 7th working day after the day of the notice. ``n == 0``
        returns ``start`` unchanged, even if it is a holiday. ``n < 0`` walks
        backwards: the |n|-th working day before ``start``.
        """
        _require_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        d = start
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days passed going from ``start`` to ``end``.

        Forwards it counts days d with start < d <= end. Backwards (end <
        start) it is the mirror image, counting end <= d < start, negated, so
        that ``working_days_between(a, add_working_days(a, n)) == n`` holds for
        every n, negative included.
        """
        _require_date(start, "start")
        _require_date(end, "end")
        if end >= start:
            lo, hi, sign = start + _ONE_DAY, end, 1
        else:
            lo, hi, sign = end, start - _ONE_DAY, -1
        count = 0
        d = lo
        while d <= hi:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return sign * count


def _days(first: date, last: date) -> Iterable[date]:
    _require_date(first, "first")
    _require_date(last, "last")
    d = first
    while d <= last:
        yield d
        d += _ONE_DAY


# -- module-level convenience ------------------------------------------------

_default_calendar: WorkdayCalendar | None = None


def get_default_calendar() -> WorkdayCalendar:
    """The calendar used when none is passed.

    Starts without admin entries; the application replaces it at start-up
    (and whenever an administrator saves entries) with one built from the
    database, via :func:`set_default_calendar`.
    """
    global _default_calendar
    if _default_calendar is None:
        _default_calendar = WorkdayCalendar()
    return _default_calendar


def set_default_calendar(cal: WorkdayCalendar) -> None:
    global _default_calendar
    if not isinstance(cal, WorkdayCalendar):
        raise TypeError("cal must be a WorkdayCalendar")
    _default_calendar = cal


def _pick(calendar: WorkdayCalendar | None) -> WorkdayCalendar:
    return get_default_calendar() if calendar is None else calendar


def add_working_days(start: date, n: int, calendar: WorkdayCalendar | None = None) -> date:
    return _pick(calendar).add_working_days(start, n)


def working_days_between(start: date, end: date, calendar: WorkdayCalendar | None = None) -> int:
    return _pick(calendar).working_days_between(start, end)


def is_working_day(d: date, calendar: WorkdayCalendar | None = None) -> bool:
    return _pick(calendar).is_working_day(d)
