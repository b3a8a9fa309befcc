"""Delivery tracking's pure rules (contracts.delivery.rules; issue 12 §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.delivery import rules
from contracts.delivery.rules import ScheduleKind


def test_a_monthly_schedule_over_a_year_has_twelve_reports_each_due_ten_days_after_its_month():
    items = rules.periods(ScheduleKind.MONTHLY, date(2027, 1, 1), date(2027, 12, 31))
    assert [p.seq for p in items] == list(range(1, 13))
    assert items[0] == rules.Period(1, date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 10))
    assert items[1].end == date(2027, 2, 28) and items[1].due_on == date(2027, 3, 10)
    assert items[-1] == rules.Period(12, date(2027, 12, 1), date(2027, 12, 31), date(2028, 1, 10))
    # No drift: every report is due on the 10th of the following month, whatever came before.
    assert all(p.due_on.day == 10 for p in items)
    assert all(b.start == a.end + timedelta(days=1) for a, b in zip(items, items[1:], strict=False))


def test_a_term_starting_mid_month_clips_the_first_and_last_periods():
    items = rules.periods(ScheduleKind.MONTHLY, date(2027, 3, 15), date(2027, 6, 14), grace_days=5)
    assert [(p.start, p.end, p.due_on) for p in items] == [
        (date(2027, 3, 15), date(2027, 3, 31), date(2027, 4, 5)),
        (date(2027, 4, 1), date(2027, 4, 30), date(2027, 5, 5)),
        (date(2027, 5, 1), date(2027, 5, 31), date(2027, 6, 5)),
        (date(2027, 6, 1), date(2027, 6, 14), date(2027, 6, 19)),
    ]


def test_a_quarterly_schedule_follows_calendar_quarters():
    items = rules.periods(ScheduleKind.QUARTERLY, date(2027, 2, 1), date(2028, 1, 31))
    assert [(p.start, p.end) for p in items] == [
        (date(2027, 2, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 6, 30)),
        (date(2027, 7, 1), date(2027, 9, 30)),
        (date(2027, 10, 1), date(2027, 12, 31)),
        (date(2028, 1, 1), date(2028, 1, 31)),
    ]
    assert items[0].due_on == date(2027, 4, 10)


def test_hand_set_dates_are_the_due_dates_in_order():
    items = rules.periods(
        ScheduleKind.CUSTOM, date(2027, 1, 1), date(2027, 12, 31), dates=[date(2028, 1, 15), date(2027, 6, 30)]
    )
    assert [(p.seq, p.start, p.end, p.due_on) for p in items] == [
        (1, date(2027, 1, 1), date(2027, 6, 30), date(2027, 6, 30)),
        (2, date(2027, 7, 1), date(2027, 12, 31), date(2028, 1, 15)),
    ]


@pytest.mark.parametrize(
    ("kind", "grace", "dates", "field"),
    [
        ("weekly", 10, [], "kind"),
        ("monthly", 61, [], "grace_days"),
        ("monthly", -1, [], "grace_days"),
        ("custom", 10, [], "dates"),
        ("custom", 10, [date(2027, 5, 1), date(2027, 5, 1)], "dates"),
        ("custom", 10, [date(2026, 12, 31)], "dates"),
        ("custom", 10, [date(2028, 3, 1)], "dates"),
        ("monthly", 10, [date(2027, 5, 1)], "dates"),
    ],
)
def test_bad_schedules_are_refused_with_the_field(kind, grace, dates, field):
    problems = rules.schedule_problems(kind, date(2027, 1, 1), date(2027, 12, 31), grace, dates)
    assert field in problems


def test_a_good_schedule_has_no_problems_and_a_missing_term_has_one():
    assert rules.schedule_problems("custom", date(2027, 1, 1), date(2027, 12, 31), 10, [date(2028, 2, 15)]) == {}
    assert "kind" in rules.schedule_problems("monthly", None, None, 10, [])


def test_a_report_is_overdue_only_after_the_end_of_its_due_day_in_beijing():
    due = date(2027, 2, 10)
    # 2027-02-10 23:59 Beijing is 15:59 UTC; midnight Beijing is 16:00 UTC.
    assert not rules.is_overdue(due, False, datetime(2027, 2, 10, 15, 59, tzinfo=UTC))
    assert rules.is_overdue(due, False, datetime(2027, 2, 10, 16, 0, tzinfo=UTC))
    assert not rules.is_overdue(due, True, datetime(2027, 3, 1, tzinfo=UTC))
    assert rules.next_check(due, False, False) == datetime(2027, 2, 10, 16, 0, tzinfo=UTC)
    assert rules.next_check(due, True, False) is None
    assert rules.next_check(due, False, True) is None


def test_a_report_is_reminded_once_from_the_start_of_the_day_n_days_before_its_due_day():
    due = date(2027, 2, 10)
    # 2027-02-07 00:00 Beijing is 2027-02-06 16:00 UTC (issue 15 §3, 3 days by default).
    start = datetime(2027, 2, 6, 16, 0, tzinfo=UTC)
    assert rules.reminder_from(due, 3) == start
    assert rules.reminder_from(due, 0) is None, "0 switches reminders off"
    assert not rules.reminder_due(due, False, False, 3, start - timedelta(seconds=1))
    assert rules.reminder_due(due, False, False, 3, start)
    assert rules.reminder_due(due, False, False, 3, datetime(2027, 2, 10, 15, 59, tzinfo=UTC))
    assert not rules.reminder_due(due, False, False, 3, datetime(2027, 2, 10, 16, 0, tzinfo=UTC)), "overdue instead"
    assert not rules.reminder_due(due, False, True, 3, start), "once"
    assert not rules.reminder_due(due, True, False, 3, start), "already submitted"
    assert not rules.reminder_due(due, False, False, 0, start)
    assert rules.next_check(due, False, False, remind_days=3, reminded=False) == start
    assert rules.next_check(due, False, False, remind_days=3, reminded=True) == rules.overdue_from(due)
    assert rules.next_check(due, False, False, remind_days=0, reminded=False) == rules.overdue_from(due)
    assert rules.next_check(due, True, False, remind_days=3, reminded=False) is None


INDICATORS = [
    {"name": "服务人次", "unit": "人次", "target": 1200},
    {"name": "服务时长", "unit": "小时", "target": 800},
    {"name": "服务对象满意度", "unit": "%", "target": 90},
]


def test_actuals_need_every_indicator_as_a_number_not_below_zero():
    assert rules.actuals_problems(INDICATORS, {"服务人次": 100, "服务时长": "12.5", "服务对象满意度": "95"}) == {}
    problems = rules.actuals_problems(INDICATORS, {"服务人次": -1, "服务时长": "abc", "其他": 3})
    assert set(problems) == {"actuals.服务人次", "actuals.服务时长", "actuals.服务对象满意度", "actuals"}
    assert "不能小于 0" in problems["actuals.服务人次"]
    assert "1.234" in str(rules.parse_actual("1.234"))
    assert "actuals.服务人次" in rules.actuals_problems(INDICATORS[:1], {"服务人次": "1.234"})
    assert "actuals.服务人次" in rules.actuals_problems(INDICATORS[:1], {"服务人次": "NaN"})
    assert "actuals.服务人次" in rules.actuals_problems(INDICATORS[:1], {"服务人次": True})


def test_progress_sums_counts_takes_the_latest_rate_and_caps_only_the_bar():
    accepted = [
        {"服务人次": "700", "服务时长": "100", "服务对象满意度": "88"},
        {"服务人次": "740", "服务时长": "12.5", "服务对象满意度": "93"},
    ]
    people, hours, rate = rules.progress(INDICATORS, accepted)
    assert people.actual == Decimal(1440) and people.percent == Decimal("120.0") and people.bar_percent == 100
    assert hours.actual == Decimal("112.5") and hours.percent == Decimal("14.1")
    assert rate.actual == Decimal(93) and rate.percent == Decimal("103.3")
    assert rules.number_text(people.actual) == "1440" and rules.number_text(hours.actual) == "112.5"


def test_progress_with_no_reports_or_no_target_is_zero_not_an_error():
    (item,) = rules.progress([{"name": "活动场次", "unit": "场", "target": None}], [])
    assert item.actual == 0 and item.percent is None and item.bar_percent == 0
