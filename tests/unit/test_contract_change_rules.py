"""Pure rules of a contract change (contracts.changes.rules; issue 12 §5, rule 28)."""

from __future__ import annotations

import copy

import pytest

from contracts.changes import rules
from contracts.lifecycle.rules import split_installments

TEMPLATE = [
    {"label": "首期", "percent": 40, "gate": "signing"},
    {"label": "中期", "percent": 30, "gate": "midterm", "min_grade": "pass"},
    {"label": "尾款", "percent": 30, "gate": "final", "min_grade": "pass"},
]
ORIGINAL = 10_000_000  # ¥100,000.00


def terms(amount: int = ORIGINAL, **over) -> rules.Terms:
    base = {
        "amount_fen": amount,
        "term_start": "2027-01-01",
        "term_end": "2027-12-31",
        "delivery_place": "湖滨街道东坡路社区",
        "indicators": [{"name": "服务人次", "unit": "人次", "target": 1200}],
        "installments": [i.as_json() for i in split_installments(amount, TEMPLATE)],
    }
    return {**base, **over}


def problems(kind, rationale, old, new, *, original=ORIGINAL, earlier=0, bond=0, justification=""):
    return rules.change_problems(
        kind,
        rationale,
        old,
        new,
        original_fen=original,
        earlier_added_fen=earlier,
        term_justification=justification,
        performance_bond_fen=bond,
    )


# The cap across several supplements: (earlier additions, this one) → allowed?
CAP_CASES = [
    ((0,), 999_000, True),  # 9.99 % in one
    ((400_000, 300_000), 299_000, True),  # 9.99 % across three
    ((400_000, 300_000), 300_000, True),  # exactly 10 % across three
    ((400_000, 300_000), 301_000, False),  # 10.01 % across three
    ((500_000, 500_000), 1, False),  # the cap is used up
    ((0,), 1_000_001, False),  # 10 % + 1 fen
]


@pytest.mark.parametrize(("earlier", "added", "ok"), CAP_CASES)
def test_all_supplements_together_add_at_most_ten_percent_of_the_original(earlier, added, ok) -> None:
    current = ORIGINAL + sum(earlier)
    found = problems("supplement", "more_service", terms(current), terms(current + added), earlier=sum(earlier))
    assert (found == {}) is ok, found
    if not ok:
        assert "第四十九条" in found["amount_fen"] and "10%" in found["amount_fen"]


@pytest.mark.parametrize(
    ("original", "most"), [(100_005, 10_000), (100_009, 10_000), (100_010, 10_001), (1, 0), (10, 1)]
)
def test_ten_percent_of_an_odd_fen_amount_rounds_down(original, most) -> None:
    assert rules.most_supplement_fen(original) == most
    assert rules.within_cap(original, most) and not rules.within_cap(original, most + 1)


def test_a_supplement_keeps_the_other_terms_and_only_raises_the_amount() -> None:
    old = terms()
    assert "amount_fen" in problems("supplement", "more_service", old, terms(ORIGINAL - 1))
    moved = terms(ORIGINAL + 100, delivery_place="别处")
    assert "服务地点" in problems("supplement", "more_service", old, moved)["terms"]
    # The schedule's shares stay; its amounts follow the new amount.
    assert problems("supplement", "more_service", old, terms(ORIGINAL + 100)) == {}


def test_an_agreed_change_never_raises_the_amount() -> None:
    found = problems("agreed", "term", terms(), terms(ORIGINAL + 1, term_end="2027-11-30"))
    assert "补充合同" in found["amount_fen"]
    assert problems("agreed", "payment", terms(), terms(ORIGINAL - 100)) == {}, "a lower amount may be agreed"


def test_a_change_with_no_difference_is_refused() -> None:
    assert set(problems("agreed", "place", terms(), terms())) == {"changes"}
    assert rules.diff(terms(), terms()) == []


def test_the_rationale_belongs_to_the_kind() -> None:
    found = problems("agreed", "more_service", terms(), terms(delivery_place="别处"))
    assert set(found) == {"rationale"}
    assert "rationale" in problems("supplement", "term", terms(), terms(ORIGINAL + 1))


def test_the_term_follows_rule_30() -> None:
    long = terms(term_end="2028-06-30")
    assert "第二十四条" in problems("agreed", "term", terms(), long)["term"]
    assert problems("agreed", "term", terms(), long, justification="连续性服务，预算有保障") == {}
    assert "term" in problems("agreed", "term", terms(), terms(term_end="2030-01-01"), justification="x")


def test_a_new_schedule_adds_up_exactly_and_released_installments_stay() -> None:
    bad = terms()
    bad["installments"] = copy.deepcopy(bad["installments"])
    bad["installments"][0]["amount_fen"] += 1
    bad["installments"][0]["label"] = "预付"
    assert "installments" in problems("agreed", "payment", terms(), bad)
    new = terms(
        installments=[
            i.as_json()
            for i in split_installments(
                ORIGINAL,
                [
                    {"label": "首期", "percent": 50, "gate": "signing"},
                    {"label": "尾款", "percent": 50, "gate": "final", "min_grade": "pass"},
                ],
            )
        ]
    )
    assert problems("agreed", "payment", terms(), new) == {}
    released = rules.schedule_sum_problems(new["installments"], ORIGINAL, terms()["installments"], {1})
    assert set(released) == {"installments.1"}
    assert rules.schedule_sum_problems(terms()["installments"], ORIGINAL, terms()["installments"], {1}) == {}


def test_indicators_place_and_bond_are_checked_on_the_new_values() -> None:
    assert "delivery_place" in problems("agreed", "place", terms(), terms(delivery_place=" "))
    no_target = terms(indicators=[{"name": "服务人次", "unit": "人次", "target": None}])
    assert "indicators" in problems("agreed", "indicators", terms(), no_target)
    assert "performance_bond_fen" in problems("agreed", "payment", terms(), terms(ORIGINAL // 2), bond=ORIGINAL // 10)


def test_the_diff_lists_old_and_new_in_field_order() -> None:
    new = terms(term_end="2027-11-30", delivery_place="青年路社区")
    assert rules.diff(terms(), new) == [
        {"field": "term_end", "old": "2027-12-31", "new": "2027-11-30"},
        {"field": "delivery_place", "old": "湖滨街道东坡路社区", "new": "青年路社区"},
    ]
