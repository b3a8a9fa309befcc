"""Pure rules of delivery tracking (issue 12 §6, 实施管理): the report schedule, the
overdue flag and indicator progress. No I/O; tested in milliseconds.

The schedule. A contract's term is cut into periods: calendar months (monthly) or
calendar quarters (quarterly), the first and last clipped to the term; each period's
report is due ``grace_days`` calendar days after the period ends (by default 10, so
the report for March is due on 10 April: "每月 10 日前报送上月进度报告", what a
bureau writes into its contracts). Dates set by hand are the due dates themselves,
each closing the period since the previous one. Every due date is fixed when the
schedule is made and stored on its report: a late report keeps its due date, and the
next one does not move (no drift).

Overdue: a report not submitted by the end of its due day, Beijing time.

Progress: the actual values of the accepted reports, per indicator, against the
contract's target: counts (人次, 场, 小时) add up over the periods; a rate (unit
"%", e.g. satisfaction) is not a count, so the latest accepted value is the one shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from procurement.core.i18n import _

SHANGHAI = ZoneInfo("Asia/Shanghai")

DEFAULT_GRACE_DAYS = 10  # due on the 10th day after the period ends
MAX_GRACE_DAYS = 60
MAX_HAND_DATES = 60
# A date set by hand may fall after the term by this much (the last report of a
# term that ends on 31 December is often due in January).
HAND_DATES_AFTER_TERM_DAYS = 60
RATE_UNIT = "%"
MAX_ACTUAL = Decimal(10**9)


class ScheduleKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    CUSTOM = "custom"  # due dates set by hand


@dataclass(frozen=True)
class Period:
    """One report of the schedule: the period it covers and the day it is due."""

    seq: int
    start: date
    end: date
    due_on: date


def _month_end(day: date) -> date:
    first_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _quarter_end(day: date) -> date:
    last_month = ((day.month - 1) // 3 + 1) * 3
    return _month_end(date(day.year, last_month, 1))


def periods(
    kind: str,
    term_start: date,
    term_end: date,
    *,
    grace_days: int = DEFAULT_GRACE_DAYS,
    dates: Sequence[date] = (),
) -> list[Period]:
    """The reports of a term, in order. Raises ``ValueError`` on a schedule that
    ``schedule_problems`` would refuse (services call that first)."""
    if term_end < term_start:
        raise ValueError("the term ends before it starts")
    result: list[Period] = []
    if kind == ScheduleKind.CUSTOM:
        start = term_start
        for seq, due in enumerate(sorted(dates), start=1):
            end = min(due, term_end)
            result.append(Period(seq, start, max(end, start), due))
            start = end + timedelta(days=1)
        return result
    end_of = _month_end if kind == ScheduleKind.MONTHLY else _quarter_end
    if kind not in (ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY):
        raise ValueError(f"unknown schedule kind {kind!r}")
    start = term_start
    seq = 1
    while start <= term_end:
        end = min(end_of(start), term_end)
        result.append(Period(seq, start, end, end + timedelta(days=grace_days)))
        start, seq = end + timedelta(days=1), seq + 1
    return result


def schedule_problems(
    kind: str, term_start: date | None, term_end: date | None, grace_days: int, dates: Sequence[date]
) -> dict[str, str]:
    """What is wrong with a schedule, as ``{field: message}`` (empty when it is fine)."""
    problems: dict[str, str] = {}
    if term_start is None or term_end is None:
        problems["kind"] = _("合同未写明履行期限，不能生成报告计划。")
        return problems
    if kind not in {k.value for k in ScheduleKind}:
        problems["kind"] = _("报告周期应为按月、按季度或自定日期。")
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        problems["grace_days"] = _("报送期限应为期末后 0 至 {max} 天。").format(max=MAX_GRACE_DAYS)
    if kind == ScheduleKind.CUSTOM:
        latest = term_end + timedelta(days=HAND_DATES_AFTER_TERM_DAYS)
        if not dates:
            problems["dates"] = _("自定日期时请至少填写一个报送日期。")
        elif len(dates) > MAX_HAND_DATES:
            problems["dates"] = _("报送日期不能超过 {n} 个。").format(n=MAX_HAND_DATES)
        elif len(set(dates)) != len(dates):
            problems["dates"] = _("报送日期不能重复。")
        elif any(d < term_start or d > latest for d in dates):
            problems["dates"] = _("报送日期应在履行期限内（{start} 至 {end}），最晚不超过期满后 {days} 天。").format(
                start=f"{term_start:%Y-%m-%d}", end=f"{term_end:%Y-%m-%d}", days=HAND_DATES_AFTER_TERM_DAYS
            )
    elif dates:
        problems["dates"] = _("只有自定日期时才填写报送日期。")
    return problems


# --------------------------------------------------------------------------- overdue


def overdue_from(due_on: date) -> datetime:
    """The instant a report due on ``due_on`` becomes overdue: the end of its due day
    in Beijing (the first moment of the next day), as an aware datetime."""
    return datetime.combine(due_on + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def is_overdue(due_on: date, submitted: bool, now: datetime) -> bool:
    """Not submitted by the end of its due day (Beijing time)."""
    return not submitted and now >= overdue_from(due_on)


def reminder_from(due_on: date, remind_days: int) -> datetime | None:
    """The instant a report due on ``due_on`` is announced as coming due: the start of the
    day ``remind_days`` before its due day (Beijing); None when reminders are off (0)."""
    if remind_days <= 0:
        return None
    return datetime.combine(due_on - timedelta(days=remind_days), time.min, tzinfo=SHANGHAI)


def reminder_due(due_on: date, submitted: bool, reminded: bool, remind_days: int, now: datetime) -> bool:
    """Remind once: not submitted, not reminded yet, the reminder day come, not overdue yet
    (an overdue report gets the overdue message instead)."""
    start = reminder_from(due_on, remind_days)
    return not submitted and not reminded and start is not None and start <= now < overdue_from(due_on)


def next_check(
    due_on: date, submitted: bool, flagged: bool, *, remind_days: int = 0, reminded: bool = True
) -> datetime | None:
    """When the sweep should look at a report: when its reminder falls due (unless sent
    or off), then when it falls overdue, unless it was submitted or flagged already."""
    if submitted or flagged:
        return None
    reminder = None if reminded else reminder_from(due_on, remind_days)
    return reminder if reminder is not None else overdue_from(due_on)


# --------------------------------------------------------------------------- actuals and progress


def actuals_problems(indicators: Sequence[Mapping[str, Any]], actuals: Mapping[str, Any]) -> dict[str, str]:
    """Every indicator of the contract has an actual value, a number ≥ 0; nothing else."""
    problems: dict[str, str] = {}
    names = [str(i["name"]) for i in indicators]
    for name in names:
        raw = actuals.get(name)
        key = f"actuals.{name}"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            problems[key] = _("请填写「{name}」的实际完成值。").format(name=name)
            continue
        value = parse_actual(raw)
        if value is None:
            problems[key] = _("「{name}」的实际完成值应为数字。").format(name=name)
        elif value < 0:
            problems[key] = _("「{name}」的实际完成值不能小于 0。").format(name=name)
        elif value > MAX_ACTUAL or value.as_tuple().exponent < -2:  # type: ignore[operator]
            problems[key] = _("「{name}」的实际完成值过大或小数超过两位。").format(name=name)
    unknown = [k for k in actuals if k not in names]
    if unknown:
        problems["actuals"] = _("合同中没有这些指标：{names}。").format(names="、".join(unknown))
    return problems


def number_text(value: Decimal | None) -> str:
    """1200, 12.5, 90 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_actual(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


@dataclass(frozen=True)
class Progress:
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal
    percent: Decimal | None  # of the target, uncapped (120 when exceeded)
    bar_percent: Decimal  # what a bar shows: capped at 100

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "target": str(self.target) if self.target is not None else None,
            "actual": str(self.actual),
            "percent": str(self.percent) if self.percent is not None else None,
        }


def progress(indicators: Sequence[Mapping[str, Any]], accepted: Iterable[Mapping[str, Any]]) -> list[Progress]:
    """Per indicator: the sum of the accepted actuals (the latest one for a rate, unit
    "%"), and its share of the target (uncapped; the bar is capped at 100 %).
    ``accepted`` is in period order; a value missing from a report counts as nothing."""
    reports = list(accepted)
    result = []
    for indicator in indicators:
        name, unit = str(indicator["name"]), str(indicator.get("unit") or "")
        values = [v for v in (parse_actual(r.get(name)) for r in reports) if v is not None]
        if unit == RATE_UNIT:
            actual = values[-1] if values else Decimal(0)
        else:
            actual = sum(values, Decimal(0))
        raw_target = indicator.get("target")
        target = Decimal(str(raw_target)) if raw_target not in (None, "") else None
        percent = (actual * 100 / target).quantize(Decimal("0.1")) if target else None
        bar = min(percent, Decimal(100)) if percent is not None else Decimal(0)
        result.append(Progress(name, unit, target, actual, percent, bar))
    return result
