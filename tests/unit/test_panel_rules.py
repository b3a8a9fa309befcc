"""The pure rules of evaluation panels (evaluation.rules): panel size (rule 19)
at its boundaries, conflicts of interest (rule 20) at the 3-year window, the
reproducible draw, and a property test that throws random pools and bidders
at the screening and the draw. Today is fixed at 2026-06-15."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from procurement.catalogue.states import Category
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.evaluation import rules
from procurement.evaluation.rules import Employment, Expert, Relation
from procurement.evaluation.states import MEMBER_TABLE, MemberKind, MemberStatus
from procurement.tenders.states import Method

TODAY = date(2026, 6, 15)
BUYER = 1
BIDDER = 10
OTHER_BIDDER = 11
BIDDERS = {BIDDER: "幸福家社工中心", OTHER_BIDDER: "阳光青少年中心"}
BIG = 1_000_000_000  # 1000万元 in fen
SMALL = BIG - 1


# --------------------------------------------------------------------------- size (rule 19)


@pytest.mark.parametrize(
    ("method", "budget", "size", "reps", "ok"),
    [
        (Method.OPEN, SMALL, 4, 0, False),  # too small and even
        (Method.OPEN, SMALL, 5, 0, True),
        (Method.OPEN, SMALL, 6, 0, False),  # even is refused
        (Method.OPEN, SMALL, 7, 0, True),
        (Method.OPEN, BIG, 5, 0, False),  # 1000万元 needs 7
        (Method.OPEN, BIG, 6, 0, False),
        (Method.OPEN, BIG, 7, 0, True),
        (Method.OPEN, BIG - 1, 5, 0, True),  # one fen below the threshold
        (Method.INVITED, SMALL, 3, 0, False),
        (Method.CONSULTATION, BIG, 3, 0, True),  # 磋商: 3 even above 1000万元
        (Method.CONSULTATION, SMALL, 2, 0, False),
        (Method.CONSULTATION, SMALL, 4, 0, False),
        (Method.NEGOTIATION, SMALL, 3, 0, True),
        (Method.INQUIRY, SMALL, 3, 0, True),
        (Method.VENTURE, SMALL, 3, 0, True),
        (Method.OPEN, SMALL, 5, 1, True),  # 4 of 5 experts
        (Method.OPEN, SMALL, 5, 2, False),  # 3 of 5 experts < 2/3
        (Method.CONSULTATION, SMALL, 3, 1, True),  # 2 of 3 experts = 2/3
        (Method.CONSULTATION, SMALL, 3, 2, False),
        (Method.OPEN, BIG, 7, 2, True),  # 5 of 7 ≥ 2/3
        (Method.OPEN, BIG, 7, 3, False),
    ],
)
def test_panel_size_rules_hold_at_their_boundaries(method, budget, size, reps, ok):
    problems = rules.panel_size_problems(method, budget, size, reps)
    assert (not problems) is ok, problems
    assert all("《政府采购货物和服务招标投标管理办法》第四十七条" in p for p in problems)


def test_an_even_panel_is_refused_with_a_chinese_reason():
    [problem] = rules.panel_size_problems(Method.OPEN, SMALL, 8)
    assert "单数" in problem


def test_a_large_budget_message_names_the_1000_wan_threshold():
    assert any("1000 万元" in p for p in rules.panel_size_problems(Method.OPEN, BIG, 5))


def test_the_buyers_representative_never_chairs():
    assert rules.may_chair(MemberKind.EXPERT)
    assert not rules.may_chair(MemberKind.BUYER_REP)


# --------------------------------------------------------------------------- conflicts (rule 20)


def former_employee(end: date, role: str = "employee", org: int | None = BIDDER, name: str = "") -> Expert:
    return Expert(
        1,
        frozenset({Category.CORRECTION}),
        employment=(Employment(role=role, organization_id=org, name=name, start=date(2015, 1, 1), end=end),),
    )


def test_employment_ended_2_years_11_months_ago_conflicts():
    assert rules.conflicts(former_employee(date(2023, 7, 15)), BIDDERS, BUYER, TODAY)


def test_employment_ended_3_years_1_month_ago_does_not_conflict():
    assert rules.conflicts(former_employee(date(2023, 5, 15)), BIDDERS, BUYER, TODAY) == []


def test_employment_ending_exactly_3_years_ago_still_conflicts():
    assert rules.conflicts(former_employee(date(2023, 6, 15)), BIDDERS, BUYER, TODAY)
    assert rules.conflicts(former_employee(date(2023, 6, 14)), BIDDERS, BUYER, TODAY) == []


@pytest.mark.parametrize("role", ["employee", "director", "supervisor", "shareholder"])
def test_every_position_of_rule_20_conflicts(role):
    [reason] = rules.conflicts(former_employee(date(2025, 1, 1), role=role), BIDDERS, BUYER, TODAY)
    assert "幸福家社工中心" in reason and "《政府采购法实施条例》第九条" in reason


def test_current_position_conflicts_and_a_name_matches_when_no_id_is_known():
    expert = Expert(1, employment=(Employment(role="director", name="阳光青少年中心", start=date(2024, 1, 1)),))
    assert rules.conflicts(expert, BIDDERS, BUYER, TODAY)


def test_employment_at_another_organization_does_not_conflict():
    assert rules.conflicts(former_employee(date(2026, 1, 1), org=99), BIDDERS, BUYER, TODAY) == []


@pytest.mark.parametrize("kind", ["spouse", "close_relative", "interest"])
def test_a_declared_relation_conflicts(kind):
    expert = Expert(1, relations=(Relation(kind=kind, organization_id=OTHER_BIDDER, person="孙伟"),))
    [reason] = rules.conflicts(expert, BIDDERS, BUYER, TODAY)
    assert "阳光青少年中心" in reason


def test_the_buyers_own_staff_are_not_experts():
    [reason] = rules.conflicts(Expert(1, employer_organization_id=BUYER), BIDDERS, BUYER, TODAY)
    assert "采购人" in reason


def test_a_current_employee_of_a_bidder_conflicts():
    assert rules.conflicts(Expert(1, employer_organization_id=BIDDER), BIDDERS, BUYER, TODAY)


def test_the_window_of_29_february_falls_back_to_the_28th():
    assert rules.window_start(date(2028, 2, 29)) == date(2025, 2, 28)


def test_screening_keeps_only_available_specialists_without_conflicts():
    pool = [
        Expert(1, frozenset({"correction"})),
        Expert(2, frozenset({"elderly"})),  # not the tender's field
        Expert(3, frozenset({"correction"}), available=False),
        Expert(4, frozenset({"correction"}), employer_organization_id=BUYER),
        Expert(5, frozenset({"correction", "youth"})),
    ]
    result = rules.eligible_candidates(pool, "correction", BIDDERS, BUYER, TODAY)
    assert result.candidates == [1, 5]
    assert set(result.excluded) == {3, 4}


# --------------------------------------------------------------------------- the draw


def test_the_same_seed_gives_the_same_panel_whatever_the_candidate_order():
    assert rules.draw([5, 3, 9, 1, 7, 2], 3, "abc") == rules.draw([1, 2, 3, 5, 7, 9], 3, "abc")


def test_another_seed_usually_gives_another_panel():
    panels = {tuple(rules.draw(list(range(1, 30)), 5, f"seed{i}")) for i in range(20)}
    assert len(panels) > 1


def test_drawing_more_than_the_candidates_is_refused():
    with pytest.raises(ValueError):
        rules.draw([1, 2], 3, "x")


# --------------------------------------------------------------------------- member statuses (invariant 3)


# The expected table, written out by hand: (state, action) -> (target, who may take it).
MEMBER_EDGES = {
    ("drawn", "declare_no_conflict"): ("declared_no_conflict", "member"),
    ("drawn", "declare_conflict"): ("removed_conflict", "member"),
    ("declared_no_conflict", "declare_conflict"): ("removed_conflict", "member"),
    ("drawn", "decline"): ("declined", "member"),
    ("drawn", "remove"): ("removed_conflict", "buyer_officer"),
    ("declared_no_conflict", "remove"): ("removed_conflict", "buyer_officer"),
}
MEMBER_STATES = ["drawn", "declared_no_conflict", "removed_conflict", "declined"]
MEMBER_ACTIONS = ["declare_no_conflict", "declare_conflict", "decline", "remove"]
WHO = ["member", "buyer_officer", "bureau_officer", "expert", "org_member", "admin"]


def test_the_member_table_holds_exactly_the_edges_written_here():
    assert set(MEMBER_TABLE.states) == set(MEMBER_STATES)
    assert set(MEMBER_TABLE.actions) == set(MEMBER_ACTIONS)
    assert {(t.source, t.action): (t.target, *sorted(t.roles)) for t in MEMBER_TABLE.transitions} == MEMBER_EDGES


@pytest.mark.parametrize("state", MEMBER_STATES)
@pytest.mark.parametrize("action", MEMBER_ACTIONS)
@pytest.mark.parametrize("who", WHO)
def test_every_member_state_action_and_person_is_allowed_or_refused_as_written(state, action, who):
    edge = MEMBER_EDGES.get((state, action))
    if edge is None:
        with pytest.raises(InvalidTransition) as refused:
            MEMBER_TABLE.target(state, action, role=who)
        assert refused.value.status_code == 409
        return
    target, allowed = edge
    if who == allowed:
        assert MEMBER_TABLE.target(state, action, role=who) == target
    else:
        with pytest.raises(PermissionDenied) as denied:
            MEMBER_TABLE.target(state, action, role=who)
        assert denied.value.status_code == 403


def test_a_removed_member_cannot_come_back():
    for status in (MemberStatus.REMOVED_CONFLICT, MemberStatus.DECLINED):
        assert MEMBER_TABLE.allowed_actions(status) == []


def test_only_the_member_declares_and_only_the_buyers_officer_removes():
    # An officer by account role is not the buyer's officer of this tender: the relation decides.
    with pytest.raises(PermissionDenied):
        MEMBER_TABLE.target(MemberStatus.DRAWN, "declare_no_conflict", role="bureau_officer")
    with pytest.raises(PermissionDenied):
        MEMBER_TABLE.target(MemberStatus.DRAWN, "declare_no_conflict", role="expert")
    with pytest.raises(PermissionDenied):
        MEMBER_TABLE.target(MemberStatus.DRAWN, "remove", role="expert")
    with pytest.raises(PermissionDenied):
        MEMBER_TABLE.target(MemberStatus.DRAWN, "remove", role="bureau_officer")


# --------------------------------------------------------------------------- property test

CATEGORIES = [c.value for c in Category]
ORG_IDS = st.integers(min_value=1, max_value=30)
DAYS = st.integers(min_value=0, max_value=3650)


def _ago(days: int) -> date:
    return date.fromordinal(TODAY.toordinal() - days)


@st.composite
def experts(draw_, user_id: int, category: str) -> Expert:
    """A random expert, usually of the tender's field and available, with random ties."""
    jobs = draw_(
        st.lists(
            st.tuples(
                ORG_IDS,
                st.sampled_from(["employee", "director", "supervisor", "shareholder"]),
                DAYS,
                st.one_of(st.none(), DAYS),
            ),
            max_size=3,
        )
    )
    employment = tuple(
        Employment(
            role=role, organization_id=org, start=_ago(max(a, b or 0)), end=None if b is None else _ago(min(a, b))
        )
        for org, role, a, b in jobs
    )
    relations = tuple(
        Relation(kind=k, organization_id=o)
        for o, k in draw_(
            st.lists(st.tuples(ORG_IDS, st.sampled_from(["spouse", "close_relative", "interest"])), max_size=2)
        )
    )
    fields = set(draw_(st.lists(st.sampled_from(CATEGORIES), max_size=2)))
    if draw_(st.sampled_from([True, True, True, False])):
        fields.add(category)
    return Expert(
        user_id=user_id,
        expertise=frozenset(fields),
        employer_organization_id=draw_(st.one_of(st.none(), ORG_IDS)),
        employment=employment,
        relations=relations,
        available=draw_(st.sampled_from([True, True, True, False])),
    )


@st.composite
def scenarios(draw_):
    category = draw_(st.sampled_from(CATEGORIES))
    count = draw_(st.integers(min_value=0, max_value=40))
    pool = [draw_(experts(user_id, category)) for user_id in range(100, 100 + count)]
    bidders = {o: f"机构{o}" for o in draw_(st.sets(ORG_IDS, min_size=1, max_size=4))}
    method = draw_(st.sampled_from(list(Method)))
    budget = draw_(st.sampled_from([0, SMALL, BIG, BIG * 3]))
    size = draw_(st.sampled_from([3, 5, 7, 9] * 3 + [1, 2, 4, 6, 8]))
    reps = draw_(st.sampled_from([0, 0, 1, 1, 2]))
    seed = draw_(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
    return pool, bidders, method, budget, size, reps, seed, category


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_a_drawn_panel_is_lawful_conflict_free_and_reproducible(scenario):
    pool, bidders, method, budget, size, reps, seed, category = scenario
    buyer = 1
    screened = rules.eligible_candidates(pool, category, bidders, buyer, TODAY)
    problems = rules.panel_size_problems(method, budget, size, reps)
    experts_needed = size - reps
    if problems or len(screened.candidates) < experts_needed:
        event("refused")
        return  # the service refuses: nothing is drawn
    event("drawn")
    drawn = rules.draw(screened.candidates, experts_needed, seed)
    by_id = {e.user_id: e for e in pool}
    for user_id in drawn:  # rule 20: a conflicted expert is never drawn
        expert = by_id[user_id]
        assert rules.conflicts(expert, bidders, buyer, TODAY) == []
        assert expert.available and category in expert.expertise
        assert expert.employer_organization_id != buyer
    # rule 19 holds for the panel as drawn
    assert size % 2 == 1
    assert size >= (3 if method in rules.SMALL_PANEL_METHODS else 7 if budget >= BIG else 5)
    assert len(drawn) * 3 >= size * 2
    assert len(set(drawn)) == len(drawn)
    # the same seed gives the same panel, whatever order the candidates come in
    assert rules.draw(list(reversed(screened.candidates)), experts_needed, seed) == drawn
