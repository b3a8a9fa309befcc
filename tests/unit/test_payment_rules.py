"""Pure rules of installment payments (contracts.payments.rules; rule 35, invariant 8)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest

from contracts.lifecycle.rules import GRADES as LIFECYCLE_GRADES
from contracts.payments import rules
from contracts.payments.rules import GradeEffects, Slot

ALL_GRADES = ("excellent", "good", "pass", "fail")
MINIMUMS = (None, "excellent", "good", "pass")
STAGES = ("midterm", "final", "spot")
GATES = ("signing", "midterm", "final", "date")
RANK = {"excellent": 3, "good": 2, "pass": 1, "fail": 0}
TODAY = date(2026, 6, 1)


def test_the_grades_are_those_of_the_lifecycle():
    assert rules.GRADES == LIFECYCLE_GRADES


@pytest.mark.parametrize(("grade", "minimum"), list(product(ALL_GRADES, MINIMUMS)))
def test_a_grade_meets_a_minimum_only_at_or_above_it_and_fail_never(grade, minimum):
    expected = grade != "fail" and RANK[grade] >= RANK[minimum or "pass"]
    assert rules.grade_meets(grade, minimum) is expected


@pytest.mark.parametrize(("gate", "stage", "grade", "minimum"), list(product(GATES, STAGES, ALL_GRADES, MINIMUMS)))
def test_every_gate_stage_grade_and_minimum_combination(gate, stage, grade, minimum):
    """A graded gate is met only by a finished evaluation of its own stage at or above
    its minimum; signing and date gates ignore evaluations."""
    grades = {stage: grade}
    met = rules.gate_met(gate, minimum, signed=True, grades=grades, due_date=TODAY, today=TODAY)
    if gate == "signing" or gate == "date":
        assert met is True
    elif gate == stage:
        assert met is (grade != "fail" and RANK[grade] >= RANK[minimum or "pass"])
    else:
        assert met is False  # an evaluation of another stage (or a spot check) opens no gate


@pytest.mark.parametrize("gate", GATES)
def test_nothing_is_due_on_an_unsigned_contract(gate):
    grades = {"midterm": "excellent", "final": "excellent"}
    assert not rules.gate_met(gate, "pass", signed=False, grades=grades, due_date=TODAY, today=TODAY)


def test_a_date_gate_opens_on_its_day_not_before():
    day = date(2026, 9, 30)
    assert not rules.gate_met("date", None, signed=True, grades={}, due_date=day, today=day - timedelta(days=1))
    assert rules.gate_met("date", None, signed=True, grades={}, due_date=day, today=day)


def test_a_graded_gate_without_an_evaluation_is_not_met():
    assert not rules.gate_met("midterm", "pass", signed=True, grades={}, due_date=None, today=TODAY)


@pytest.mark.parametrize(
    ("kind", "by_kind", "agreed", "days"),
    [
        ("social_org", {}, None, 30),
        ("social_org", {"social_org": 45}, None, 45),
        ("enterprise", {"social_org": 45}, None, 30),
        ("social_org", {"social_org": 45}, 60, 60),
        ("social_org", {}, 20, 20),
    ],
)
def test_the_payment_term_per_provider_type_and_contract(kind, by_kind, agreed, days):
    assert rules.payment_days(kind, by_kind, 30, agreed) == days


@pytest.mark.parametrize("agreed", [0, 61, 90])
def test_a_contract_may_not_agree_more_than_60_days(agreed):
    with pytest.raises(ValueError, match="60"):
        rules.payment_days("social_org", {}, 30, agreed)


@pytest.mark.parametrize(("kind", "by_kind"), [("social_org", {}), ("social_org", {"social_org": 30})])
def test_day_30_is_in_time_and_day_31_is_late(kind, by_kind):
    due = date(2026, 3, 2)
    deadline = rules.payment_deadline(due, rules.payment_days(kind, by_kind, 30, None))
    assert deadline == date(2026, 4, 1)
    assert not rules.is_late(deadline, due + timedelta(days=30), released=False)
    assert rules.is_late(deadline, due + timedelta(days=31), released=False)
    assert not rules.is_late(deadline, due + timedelta(days=31), released=True)
    assert rules.days_left(deadline, due + timedelta(days=30)) == 0
    assert rules.days_left(deadline, due + timedelta(days=31)) == -1


def test_a_provider_type_with_a_longer_term_is_late_only_after_it():
    due = date(2026, 3, 2)
    deadline = rules.payment_deadline(due, rules.payment_days("enterprise", {"enterprise": 45}, 30, None))
    assert not rules.is_late(deadline, due + timedelta(days=31), released=False)
    assert not rules.is_late(deadline, due + timedelta(days=45), released=False)
    assert rules.is_late(deadline, due + timedelta(days=46), released=False)


DEFAULT = (
    Slot(1, "signing", None, "released"),
    Slot(2, "midterm", "pass", "waiting"),
    Slot(3, "final", "pass", "waiting"),
)


@pytest.mark.parametrize("grade", ["excellent", "good", "pass"])
def test_a_passed_midterm_makes_the_midterm_installment_due(grade):
    assert rules.evaluation_effects(DEFAULT, "midterm", grade, GradeEffects(), TODAY) == {2: "gate_met"}


def test_a_failed_midterm_withholds_the_next_installment():
    assert rules.evaluation_effects(DEFAULT, "midterm", "fail", GradeEffects(), TODAY) == {2: "withhold"}


def test_a_failed_midterm_withholds_the_next_installment_even_on_a_date_gate():
    slots = (
        Slot(1, "signing", None, "released"),
        Slot(2, "date", None, "due", TODAY),
        Slot(3, "midterm", "pass", "waiting"),
    )
    assert rules.evaluation_effects(slots, "midterm", "fail", GradeEffects(), TODAY) == {2: "withhold", 3: "withhold"}
    off = GradeEffects(midterm_fail_withholds=False)
    assert rules.evaluation_effects(slots, "midterm", "fail", off, TODAY) == {3: "withhold"}


def test_a_re_evaluation_that_passes_frees_what_the_failed_midterm_withheld():
    slots = (
        Slot(1, "signing", None, "released"),
        Slot(2, "date", None, "withheld", TODAY),
        Slot(3, "midterm", "pass", "withheld"),
        Slot(4, "date", None, "withheld", TODAY + timedelta(days=1)),
    )
    effects = rules.evaluation_effects(slots, "midterm", "good", GradeEffects(), TODAY)
    assert effects == {2: "gate_met", 3: "gate_met", 4: "reinstate"}


def test_a_failed_final_withholds_the_final_installment_when_the_setting_says_so():
    slots = (
        Slot(1, "signing", None, "released"),
        Slot(2, "final", "pass", "waiting"),
        Slot(3, "date", None, "due", TODAY),
    )
    assert rules.evaluation_effects(slots, "final", "fail", GradeEffects(), TODAY) == {2: "withhold", 3: "withhold"}
    off = GradeEffects(final_fail_withholds=False)
    assert rules.evaluation_effects(slots, "final", "fail", off, TODAY) == {2: "withhold"}


def test_a_grade_below_a_higher_minimum_withholds_that_installment_only():
    slots = (Slot(1, "signing", None, "released"), Slot(2, "midterm", "good", "waiting"))
    assert rules.evaluation_effects(slots, "midterm", "pass", GradeEffects(), TODAY) == {2: "withhold"}


def test_a_spot_check_changes_no_payment():
    assert rules.evaluation_effects(DEFAULT, "spot", "fail", GradeEffects(), TODAY) == {}


def test_a_released_installment_is_never_withheld():
    slots = (Slot(1, "signing", None, "released"), Slot(2, "midterm", "pass", "released"))
    assert rules.evaluation_effects(slots, "midterm", "fail", GradeEffects(), TODAY) == {}


@pytest.mark.parametrize(("score", "expected"), [(1000, 300_000), (855, 256_500), (0, 0), (1200, 300_000)])
def test_the_final_installment_scaled_by_the_score(score, expected):
    assert rules.scaled_amount(300_000, score) == expected


def test_a_release_may_not_pass_the_cap():
    assert rules.release_problems(100, 900, 1000) == {}
    assert "amount_fen" in rules.release_problems(101, 900, 1000)
    assert "amount_fen" in rules.release_problems(0, 0, 1000)
