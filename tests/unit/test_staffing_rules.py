"""Pure rules of social-worker teams (contracts.staffing.rules; rules 38–40, invariant 9)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.staffing import rules
from contracts.staffing.rules import Allocation, Member, Substitution
from contracts.staffing.states import CertLevel, TeamRole

VALID = "11010519491231002X"  # the standard's own example number
D = date(2026, 6, 30)


# --------------------------------------------------------------------------- the ID number


@pytest.mark.parametrize(
    "number", [VALID, "110105194912310021"[:17] + "X", "11010519491231002x", " 11010519491231002X "]
)
def test_a_number_with_its_check_digit_is_valid(number):
    assert rules.id_number_problem(number.strip()) is None
    assert rules.normalize_id_number(number.strip()) == VALID


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("110105194912310021", "校验位"),  # the last digit corrupted
        ("110105194912310029", "校验位"),
        ("11010519491231002", "18 位"),
        ("110105194913310021", "出生日期"),  # month 13, with a right check digit
        ("11010519491231002Y", "校验位"),
        ("1101051949123100AX", "格式"),
        ("", "18 位"),
    ],
)
def test_a_corrupted_or_malformed_number_is_refused_with_the_reason(number, words):
    problem = rules.id_number_problem(number)
    assert problem is not None and words in problem, problem


def test_a_number_is_masked_to_its_first_and_last_four():
    assert rules.mask_id_number("330102199001011234") == "3301**********1234"
    assert rules.mask_id_number(VALID) == "1101**********002X"
    assert "1949" not in rules.mask_id_number(VALID)


# --------------------------------------------------------------------------- levels


def test_levels_are_ordered_from_none_to_senior():
    order = [CertLevel.NONE, CertLevel.ASSISTANT, CertLevel.INTERMEDIATE, CertLevel.SENIOR]
    assert sorted(reversed(order), key=rules.level_rank) == order
    assert rules.at_least("senior", "intermediate") and rules.at_least("intermediate", "intermediate")
    assert not rules.at_least("assistant", "intermediate")


def test_an_expired_registration_counts_as_unlicensed_from_the_day_after_expiry():
    expiry = date(2026, 6, 30)
    assert rules.effective_level("intermediate", expiry, date(2026, 6, 29)) == CertLevel.INTERMEDIATE
    assert rules.effective_level("intermediate", expiry, expiry) == CertLevel.INTERMEDIATE
    assert rules.effective_level("intermediate", expiry, date(2026, 7, 1)) == CertLevel.NONE
    assert rules.effective_level("intermediate", None, date(2040, 1, 1)) == CertLevel.INTERMEDIATE
    assert not rules.expired(expiry, expiry) and rules.expired(expiry, date(2026, 7, 1))


def test_a_replacement_needs_an_equal_or_higher_level():
    assert rules.replacement_level_ok("intermediate", "intermediate")
    assert rules.replacement_level_ok("intermediate", "senior")
    assert not rules.replacement_level_ok("intermediate", "assistant")
    assert rules.replacement_level_ok("none", "none")


# --------------------------------------------------------------------------- requirements


def m(worker_id, name, role, level="intermediate", expires=None, supervisor=False, cert=""):
    return Member(worker_id, name, role, level, expires, supervisor, cert)


REQUIRE = {"min_licensed_workers": 2, "lead_min_level": "intermediate", "supervisor_required": True}
GOOD_TEAM = [
    m(1, "李华", TeamRole.LEAD),
    m(2, "王芳", TeamRole.SUPERVISOR, "senior", supervisor=True),
    m(3, "赵敏", TeamRole.WORKER, "assistant"),
]


def codes(gaps):
    return sorted(g.code for g in gaps)


def test_a_team_that_meets_the_requirements_has_no_gap():
    assert rules.requirement_gaps(REQUIRE, GOOD_TEAM, D) == []


def test_too_few_licensed_workers_is_a_gap_and_volunteers_do_not_count():
    team = [m(1, "李华", TeamRole.LEAD), m(4, "志愿者甲", TeamRole.VOLUNTEER, "senior")]
    gaps = rules.requirement_gaps({"min_licensed_workers": 2}, team, D)
    assert codes(gaps) == ["licensed"] and "2" in gaps[0].message and "1" in gaps[0].message


def test_an_expired_registration_makes_the_team_short_from_the_day_after_expiry():
    team = [m(1, "李华", TeamRole.LEAD, expires=D), m(2, "王芳", TeamRole.SUPERVISOR, supervisor=True)]
    need = {"min_licensed_workers": 2, "lead_min_level": "intermediate"}
    assert rules.requirement_gaps(need, team, D) == []
    assert codes(rules.requirement_gaps(need, team, date(2026, 7, 1))) == ["lead_level", "licensed"]


def test_a_lead_below_the_required_level_or_no_lead_is_a_gap():
    low = [m(1, "李华", TeamRole.LEAD, "assistant")]
    assert codes(rules.requirement_gaps({"lead_min_level": "intermediate"}, low, D)) == ["lead_level"]
    assert codes(rules.requirement_gaps({}, [m(3, "赵敏", TeamRole.WORKER)], D)) == ["lead"]


def test_a_supervisor_without_the_qualification_does_not_count():
    team = [m(1, "李华", TeamRole.LEAD), m(2, "王芳", TeamRole.SUPERVISOR, supervisor=False)]
    assert codes(rules.requirement_gaps({"supervisor_required": True}, team, D)) == ["supervisor"]
    assert rules.requirement_gaps({"supervisor_required": False}, team, D) == []


# --------------------------------------------------------------------------- the promise

PROMISED = [
    {"name": "李华", "level": "intermediate", "role": "lead", "certificate_no": ""},
    {"name": "王芳", "level": "senior", "role": "supervisor", "certificate_no": ""},
    {"name": "赵敏", "level": "assistant", "role": "member", "certificate_no": ""},
]


def test_a_team_that_keeps_the_promise_has_no_gap():
    assert rules.promise_gaps(PROMISED, GOOD_TEAM, [], D) == []


def test_the_named_lead_missing_is_a_gap_unless_an_approved_replacement_put_someone_there():
    team = [m(9, "孙强", TeamRole.LEAD), *GOOD_TEAM[1:]]
    assert codes(rules.promise_gaps(PROMISED, team, [], D)) == ["named_lead"]
    approved = [Substitution("李华", "", 9, "孙强")]
    assert rules.promise_gaps(PROMISED, team, approved, D) == []


def test_a_chain_of_approved_replacements_still_keeps_the_promise():
    team = [m(10, "周洁", TeamRole.LEAD), *GOOD_TEAM[1:]]
    chain = [Substitution("李华", "", 9, "孙强"), Substitution("孙强", "", 10, "周洁")]
    assert rules.promise_gaps(PROMISED, team, chain, D) == []
    assert codes(rules.promise_gaps(PROMISED, team, chain[1:], D)) == ["named_lead"]


def test_the_named_person_in_another_role_does_not_keep_the_promise():
    team = [m(1, "李华", TeamRole.WORKER), *GOOD_TEAM[1:]]
    assert "named_lead" in codes(rules.promise_gaps(PROMISED, team, [], D))


def test_the_certificate_number_decides_when_both_sides_have_one():
    promised = [{"name": "李华", "level": "intermediate", "role": "lead", "certificate_no": "A1"}]
    assert rules.promise_gaps(promised, [m(1, "李华", TeamRole.LEAD, cert="A1")], [], D) == []
    assert codes(rules.promise_gaps(promised, [m(1, "李华", TeamRole.LEAD, cert="B2")], [], D)) == ["named_lead"]


def test_fewer_staff_or_licensed_staff_than_promised_is_a_gap():
    assert codes(rules.promise_gaps(PROMISED, GOOD_TEAM[:2], [], D)) == ["headcount", "licensed"]
    unlicensed = [*GOOD_TEAM[:2], m(3, "赵敏", TeamRole.WORKER, "none")]
    assert codes(rules.promise_gaps(PROMISED, unlicensed, [], D)) == ["licensed"]


# --------------------------------------------------------------------------- capacity


def a(start, end, percent, contract=1):
    return Allocation(start, end, percent, contract)


def test_the_peak_is_the_highest_total_on_any_single_day():
    found = rules.peak(
        [a(date(2026, 1, 1), date(2026, 6, 30), 60, 1), a(date(2026, 6, 30), date(2026, 12, 31), 40, 2)],
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert found.percent == 100 and found.day == date(2026, 6, 30) and found.contracts == (1, 2)


def test_exactly_one_hundred_percent_is_allowed_and_one_more_is_refused():
    existing = [a(date(2026, 1, 1), date(2026, 12, 31), 70)]
    assert rules.capacity_problem(existing, a(date(2026, 3, 1), date(2026, 3, 31), 30, 2)) is None
    over = rules.capacity_problem(existing, a(date(2026, 3, 1), date(2026, 3, 31), 31, 2))
    assert over is not None and over.percent == 101 and over.day == date(2026, 3, 1)


def test_periods_that_touch_but_do_not_overlap_do_not_add_up():
    existing = [a(date(2026, 1, 1), date(2026, 6, 30), 100)]
    assert rules.capacity_problem(existing, a(date(2026, 7, 1), date(2026, 12, 31), 100, 2)) is None
    assert rules.capacity_problem(existing, a(date(2026, 6, 30), date(2026, 12, 31), 1, 2)) is not None


def test_monthly_peaks_show_each_months_highest_day():
    months = rules.months_from(date(2026, 1, 15), 3)
    assert months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    allocations = [a(date(2026, 1, 1), date(2026, 3, 31), 60), a(date(2026, 2, 28), date(2026, 2, 28), 50, 2)]
    assert rules.monthly_peaks(allocations, months) == [60, 110, 60]
    assert rules.month_end(date(2024, 2, 1)) == date(2024, 2, 29)
