"""The computation rules of issue 14 §1 (spot-check coverage of multi-year contracts,
rule 33) and §3 (overdue rectification, rule 32), with their boundaries: exactly the
share passes and one contract fewer falls short; the rectification deadline day itself
is on time and the next Beijing day is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.assessments import coverage, due
from procurement.core import clock
from procurement.settings import Settings


@pytest.mark.parametrize(
    ("running", "checked", "percent", "need", "shortfall"),
    [
        (10, 3, 30, 3, 0),  # exactly 30% passes
        (10, 2, 30, 3, 1),  # one short fails
        (7, 3, 30, 3, 0),  # 30% of 7 is 2.1: rounded up to 3
        (7, 2, 30, 3, 1),
        (20, 6, 30, 6, 0),
        (20, 5, 30, 6, 1),
        (1, 0, 30, 1, 1),  # one contract: it must be checked
        (0, 0, 30, 0, 0),  # nothing runs: nothing is owed
        (10, 0, 0, 0, 0),  # a share of 0 asks for nothing
        (10, 9, 100, 10, 1),
        (10, 12, 30, 3, 0),  # more than needed is no negative shortfall
    ],
)
def test_the_required_number_is_the_share_rounded_up(running, checked, percent, need, shortfall):
    counted = coverage.count(running, checked, percent)
    assert (counted.required, counted.shortfall, counted.met) == (need, shortfall, shortfall == 0)


def test_the_share_is_shown_with_one_decimal():
    assert coverage.share_text(1, 3) == "33.3"
    assert coverage.share_text(2, 3) == "66.7"
    assert coverage.share_text(3, 10) == "30.0"
    assert coverage.share_text(0, 0) == "0.0"


def test_a_multi_year_contract_spans_more_than_one_budget_year():
    assert coverage.is_multi_year(date(2026, 7, 1), date(2027, 6, 30))
    assert coverage.is_multi_year(date(2026, 12, 31), date(2027, 1, 1))
    assert not coverage.is_multi_year(date(2026, 1, 1), date(2026, 12, 31))


def test_a_contract_runs_in_the_years_its_term_overlaps_unless_terminated_before():
    start, end = date(2025, 7, 1), date(2027, 6, 30)
    assert [y for y in range(2024, 2029) if coverage.runs_in(y, start, end)] == [2025, 2026, 2027]
    assert coverage.runs_in(2026, start, end, terminated_on=date(2026, 1, 1))
    assert not coverage.runs_in(2026, start, end, terminated_on=date(2025, 12, 31))


def test_the_default_share_is_30_percent_and_out_of_range_is_refused():
    assert Settings().evaluation_spot_check_percent == 30
    with pytest.raises(ValueError):
        Settings(evaluation_spot_check_percent=101)


def test_a_rectification_is_on_time_all_of_its_deadline_day_in_beijing_and_overdue_the_next():
    deadline = date(2026, 3, 10)
    last_minute = clock.to_utc(datetime(2026, 3, 10, 23, 59, 59))  # Beijing wall time
    next_day = clock.to_utc(datetime(2026, 3, 11, 0, 0))
    assert last_minute == datetime(2026, 3, 10, 15, 59, 59, tzinfo=UTC)
    assert not due.is_overdue(deadline, reported=False, now=last_minute)
    assert due.is_overdue(deadline, reported=False, now=next_day)
    assert not due.is_overdue(deadline, reported=True, now=next_day)
    assert not due.is_overdue(None, reported=False, now=next_day)
    assert due.is_overdue(deadline, reported=False, now=datetime(2026, 3, 10, 16, 0, tzinfo=UTC))


def test_the_sweep_looks_once_when_the_deadline_day_ends_and_never_after_a_report_or_a_flag():
    deadline = date(2026, 3, 10)
    assert due.next_check(deadline, reported=False, flagged=False) == clock.to_utc(datetime(2026, 3, 11))
    assert due.next_check(deadline, reported=True, flagged=False) is None
    assert due.next_check(deadline, reported=False, flagged=True) is None
    assert due.next_check(None, reported=False, flagged=False) is None
