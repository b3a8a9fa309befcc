"""The pure rules of a contract (rules 28–30, 35; issue 12 §1, §3, §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.lifecycle import rules
from procurement.core.calendar import WorkdayCalendar

THREE = [
    {"label": "首期", "percent": 40, "gate": "signing"},
    {"label": "中期", "percent": 30, "gate": "midterm", "min_grade": "good"},
    {"label": "尾款", "percent": 30, "gate": "final"},
]


# --------------------------------------------------------------------------- installments (rule 35)


@pytest.mark.parametrize(
    ("amount", "percents", "expected"),
    [
        (10_000_001, [40, 30, 30], [4_000_000, 3_000_000, 3_000_001]),  # ¥100,000.01
        (10_000_001, [33, 33, 34], [3_300_000, 3_300_000, 3_400_001]),
        (10_000_002, [33, 33, 34], [3_300_001, 3_300_001, 3_400_000]),  # half-up on the earlier ones
        (1, [50, 50], [1, 0]),
        (1, [40, 30, 30], [0, 0, 1]),
        (33_800_000, [100], [33_800_000]),
        (99_999, [1, 1, 98], [1_000, 1_000, 97_999]),
    ],
)
def test_installments_add_up_exactly_to_the_amount_with_the_rounding_on_the_last(amount, percents, expected):
    template = [{"percent": p, "gate": "signing"} for p in percents]
    split = rules.split_installments(amount, template)
    assert [i.amount_fen for i in split] == expected
    assert sum(i.amount_fen for i in split) == amount
    assert [i.seq for i in split] == list(range(1, len(percents) + 1))


def test_one_hundred_thousand_yuan_and_one_fen_over_three_installments():
    split = rules.split_installments(10_000_001, THREE)
    assert [(i.percent, i.amount_fen, i.gate, i.min_grade) for i in split] == [
        (40, 4_000_000, "signing", None),
        (30, 3_000_000, "midterm", "good"),
        (30, 3_000_001, "final", "pass"),  # an evaluation gate without a grade needs 合格
    ]


def test_the_default_schedule_is_forty_thirty_thirty():
    split = rules.split_installments(1_000_000, rules.DEFAULT_TEMPLATE)
    assert [(i.gate, i.amount_fen) for i in split] == [("signing", 400_000), ("midterm", 300_000), ("final", 300_000)]


def test_a_split_refuses_a_schedule_that_is_not_whole():
    with pytest.raises(ValueError):
        rules.split_installments(100, [{"percent": 60, "gate": "signing"}])
    with pytest.raises(ValueError):
        rules.split_installments(-1, THREE)


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ([], "installments"),
        ([{"percent": 60, "gate": "signing"}, {"percent": 30, "gate": "final"}], "installments"),
        ([{"percent": 0, "gate": "signing"}], "installments.1"),
        ([{"percent": 100, "gate": "whenever"}], "installments.1"),
        ([{"percent": 100, "gate": "signing", "min_grade": "good"}], "installments.1"),
        ([{"percent": 100, "gate": "midterm", "min_grade": "brilliant"}], "installments.1"),
        ([{"percent": 100, "gate": "date"}], "installments.1"),
        ([{"percent": 100, "gate": "date", "due_date": "2028-01-01"}], "installments.1"),
    ],
)
def test_a_schedule_with_a_fault_is_reported_on_its_field(template, field):
    problems = rules.schedule_problems(template, date(2027, 1, 1), date(2027, 12, 31))
    assert list(problems) == [field]
    assert "rule" not in problems[field]


def test_a_date_gate_within_the_term_is_fine():
    template = [{"percent": 50, "gate": "signing"}, {"percent": 50, "gate": "date", "due_date": "2027-07-01"}]
    assert rules.schedule_problems(template, date(2027, 1, 1), date(2027, 12, 31)) == {}
    assert rules.split_installments(100, template)[1].due_date == date(2027, 7, 1)


# --------------------------------------------------------------------------- term (rule 30)


@pytest.mark.parametrize(
    ("start", "end", "justification", "ok"),
    [
        (date(2027, 1, 1), date(2027, 12, 31), "", True),  # exactly one year
        (date(2027, 1, 1), date(2028, 1, 1), "", False),  # a year and a day
        (date(2027, 1, 1), date(2028, 1, 1), "服务连续性强、经费来源稳定", True),
        (date(2027, 1, 1), date(2029, 12, 31), "服务连续性强、经费来源稳定", True),  # exactly three years
        (date(2027, 1, 1), date(2030, 1, 1), "服务连续性强、经费来源稳定", False),
        (date(2027, 1, 1), date(2026, 12, 31), "", False),
        (date(2028, 2, 29), date(2029, 2, 27), "", True),
        (date(2028, 2, 29), date(2029, 2, 28), "", False),
        (None, date(2027, 1, 1), "", False),
    ],
)
def test_the_term_is_at_most_one_year_or_three_with_the_tenders_justification(start, end, justification, ok):
    problems = rules.term_problems(start, end, justification)
    assert (problems == {}) is ok, problems
    if not ok:
        assert list(problems) == ["term"]


def test_a_long_term_without_justification_names_the_regulation():
    message = rules.term_problems(date(2027, 1, 1), date(2028, 6, 30), " ")["term"]
    assert "《政府购买服务管理办法》第二十四条" in message and "rule" not in message


# --------------------------------------------------------------------------- amount and bond (rules 28, 29)


@pytest.mark.parametrize(
    ("amount", "awarded", "ok"),
    [(33_800_000, 33_800_000, True), (33_799_999, 33_800_000, True), (33_800_001, 33_800_000, False), (0, 1, False)],
)
def test_the_amount_is_never_above_the_awarded_amount(amount, awarded, ok):
    assert (rules.amount_problems(amount, awarded) == {}) is ok


@pytest.mark.parametrize(
    ("bond", "amount", "ok"),
    [
        (0, 33_800_000, True),
        (3_380_000, 33_800_000, True),  # exactly 10 %
        (3_380_001, 33_800_000, False),
        (1_000_000, 10_000_001, True),  # 10 % of ¥100,000.01 is ¥10,000.001: ¥10,000.00 is within
        (1_000_001, 10_000_001, False),
        (-1, 100, False),
    ],
)
def test_the_performance_bond_is_at_most_ten_percent(bond, amount, ok):
    problems = rules.bond_problems(bond, amount)
    assert (problems == {}) is ok
    if bond > 0 and not ok:
        assert "《政府采购法实施条例》第四十八条" in problems["performance_bond_fen"]


# --------------------------------------------------------------------------- deadlines (rule 28)


def test_day_thirty_after_the_award_letter_is_allowed_and_day_thirty_one_is_overdue():
    issued = date(2027, 3, 1)
    assert rules.signing_deadline(issued) == date(2027, 3, 31)
    assert not rules.signing_overdue(issued, issued + timedelta(days=30))
    assert rules.signing_overdue(issued, issued + timedelta(days=31))


def _weekdays() -> WorkdayCalendar:
    return WorkdayCalendar(weekends_only_years=range(2020, 2035))


def test_the_notice_is_due_two_and_the_filing_seven_working_days_after_signing():
    calendar = _weekdays()
    friday = date(2027, 3, 5)
    assert rules.notice_due_on(friday, calendar) == date(2027, 3, 9)  # Tuesday
    assert rules.filing_due_on(friday, calendar) == date(2027, 3, 16)


# --------------------------------------------------------------------------- termination (rule 28)


@pytest.mark.parametrize(
    ("settlement", "amount", "paid", "ok"),
    [(0, 100, 0, True), (100, 100, 0, True), (101, 100, 0, False), (60, 100, 40, True), (61, 100, 40, False)],
)
def test_a_settlement_is_at_most_what_remains_unpaid(settlement, amount, paid, ok):
    assert (rules.settlement_problems(settlement, amount, paid) == {}) is ok
    assert rules.settlement_problems(-1, 100, 0) != {}


# --------------------------------------------------------------------------- what a contract waits on


def _waiting(**changes) -> rules.Waiting:
    base = {
        "status": "draft",
        "signing_deadline": date(2027, 3, 31),
        "signing_overdue_at": None,
        "signing_reminded_at": None,
        "notice_due_on": None,
        "notice_published_at": None,
        "filing_due_on": None,
        "filed_at": None,
        "filing_overdue_at": None,
    }
    return rules.Waiting(**{**base, **changes})


def test_an_unsigned_contract_is_reminded_five_days_before_its_last_day_once():
    remind_at = datetime(2027, 3, 26, 1, 0, tzinfo=UTC)  # 09:00 Beijing on 26 March
    w = _waiting()
    assert rules.next_check(w, datetime(2027, 3, 2, tzinfo=UTC)) == remind_at
    assert rules.due_events(w, remind_at - timedelta(seconds=1)) == []
    assert rules.due_events(w, remind_at) == ["signing_reminder"]
    reminded = _waiting(signing_reminded_at=remind_at)
    assert rules.due_events(reminded, remind_at + timedelta(hours=1)) == []
    # A scheduler that was down past the deadline flags the delay and sends no late reminder.
    assert rules.due_events(w, datetime(2027, 4, 2, tzinfo=UTC)) == ["signing_overdue"]


def test_an_unsigned_contract_waits_for_the_end_of_its_last_signing_day():
    end_of_day_30 = datetime(2027, 3, 31, 16, 0, tzinfo=UTC)  # 00:00 on 1 April in Beijing
    w = _waiting(signing_reminded_at=datetime(2027, 3, 26, 1, 0, tzinfo=UTC))
    assert rules.next_check(w, datetime(2027, 3, 27, tzinfo=UTC)) == end_of_day_30
    assert rules.due_events(w, end_of_day_30 - timedelta(seconds=1)) == []
    assert rules.due_events(w, end_of_day_30) == ["signing_overdue"]
    flagged = _waiting(signing_overdue_at=end_of_day_30, signing_reminded_at=None)
    assert rules.due_events(flagged, end_of_day_30 + timedelta(days=5)) == []
    assert rules.next_check(flagged, end_of_day_30) is None


def test_a_signed_contract_waits_for_its_notice_and_its_filing():
    w = _waiting(status="active", notice_due_on=date(2027, 3, 9), filing_due_on=date(2027, 3, 16))
    notice_at = datetime(2027, 3, 9, 1, 0, tzinfo=UTC)  # 09:00 Beijing
    assert rules.next_check(w, datetime(2027, 3, 5, tzinfo=UTC)) == notice_at
    assert rules.due_events(w, notice_at) == ["publish_notice"]
    published = _waiting(
        status="active", notice_due_on=date(2027, 3, 9), notice_published_at=notice_at, filing_due_on=date(2027, 3, 16)
    )
    assert rules.next_check(published, notice_at) == datetime(2027, 3, 16, 16, 0, tzinfo=UTC)
    assert rules.due_events(published, datetime(2027, 3, 16, 16, 0, tzinfo=UTC)) == ["filing_overdue"]


# --------------------------------------------------------------------------- what the text needs before signing

READY = {
    "delivery_place": "湖滨街道东坡路社区",
    "provider_bank_name": "杭州银行上城支行",
    "provider_bank_account": "3301040160001234567",
    "provider_address": "杭州市上城区东坡路 1 号",
    "provider_legal_rep": "王敏",
    "provider_confirmed_at": datetime(2027, 3, 2, tzinfo=UTC),
}


def test_a_complete_text_has_no_gaps():
    assert rules.signing_gaps(READY, [{"name": "服务人次", "target": 1200}]) == []


def test_gaps_name_what_is_missing():
    assert len(rules.signing_gaps({**READY, "delivery_place": ""}, [{"name": "服务人次", "target": 1}])) == 1
    assert "服务人次" in rules.signing_gaps(READY, [{"name": "服务人次", "target": None}])[0]
    assert "确认" in rules.signing_gaps({**READY, "provider_confirmed_at": None}, [{"name": "a", "target": 1}])[0]
    assert "填写" in rules.signing_gaps({**READY, "provider_bank_account": ""}, [{"name": "a", "target": 1}])[0]
    assert rules.signing_gaps(READY, []) != []


def test_indicators_need_a_name_a_positive_target_and_no_twin():
    assert rules.indicator_problems([{"name": "服务人次", "target": 10}, {"name": "活动场次", "target": None}]) == {}
    assert list(rules.indicator_problems([{"name": "", "target": 1}])) == ["indicators.1"]
    assert list(rules.indicator_problems([{"name": "a", "target": 0}])) == ["indicators.1"]
    assert list(rules.indicator_problems([{"name": "a", "target": 1}, {"name": "a", "target": 2}])) == ["indicators.2"]
