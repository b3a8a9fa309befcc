"""The installment payment status machine (contracts.payments.states; issue 14 §4)."""

from __future__ import annotations

import pytest

from contracts.payments.states import FINANCE, OFFICER, PAYMENT_TABLE, PROVIDER, PaymentStatus
from procurement.core.actors import SYSTEM, Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("waiting", "gate_met"): "due",
    ("withheld", "gate_met"): "due",
    ("withheld", "reinstate"): "waiting",
    ("due", "request"): "requested",
    ("due", "auto_request"): "requested",
    ("requested", "approve"): "approved",
    ("approved", "check"): "checked",
    ("approved", "release"): "released",
    ("checked", "release"): "released",
    ("waiting", "withhold"): "withheld",
    ("due", "withhold"): "withheld",
    ("requested", "withhold"): "withheld",
    ("approved", "withhold"): "withheld",
    ("checked", "withhold"): "withheld",
}
BY_PROVIDER = {("due", "request")}
BY_OFFICER = {("requested", "approve")}
BY_FINANCE = {("approved", "check"), ("approved", "release"), ("checked", "release")}
BY_SYSTEM = set(EXPECTED) - BY_PROVIDER - BY_OFFICER - BY_FINANCE

OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
FINANCE_ACTOR = Actor(2, "finance", role=Role.FINANCE, relations=frozenset({FINANCE}))
PROVIDER_ACTOR = Actor(3, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
PEOPLE = (OFFICER_ACTOR, FINANCE_ACTOR, PROVIDER_ACTOR)


def test_the_table_has_every_status_and_exactly_the_expected_steps():
    assert set(PAYMENT_TABLE.states) == {s.value for s in PaymentStatus}
    assert {(t.source, t.action): t.target for t in PAYMENT_TABLE.transitions} == EXPECTED
    assert {(t.source, t.action) for t in PAYMENT_TABLE.transitions if t.roles == {PROVIDER}} == BY_PROVIDER
    assert {(t.source, t.action) for t in PAYMENT_TABLE.transitions if t.roles == {OFFICER}} == BY_OFFICER
    assert {(t.source, t.action) for t in PAYMENT_TABLE.transitions if t.roles == {FINANCE}} == BY_FINANCE
    assert {(t.source, t.action) for t in PAYMENT_TABLE.transitions if t.system_only} == BY_SYSTEM


def test_nothing_leaves_released_so_an_installment_is_paid_once():
    assert PAYMENT_TABLE.allowed_actions("released") == []


@pytest.mark.parametrize("state", [s.value for s in PaymentStatus])
@pytest.mark.parametrize("action", sorted({a for _s, a in EXPECTED}))
def test_every_state_and_action_pair_is_allowed_or_refused_as_expected(state, action):
    key = (state, action)
    if key not in EXPECTED:
        with pytest.raises(InvalidTransition):
            PAYMENT_TABLE.decide(state, action, SYSTEM)
        return
    assert PAYMENT_TABLE.decide(state, action, SYSTEM).target == EXPECTED[key]
    for person in PEOPLE:
        allowed = (
            (key in BY_PROVIDER and person is PROVIDER_ACTOR)
            or (key in BY_OFFICER and person is OFFICER_ACTOR)
            or (key in BY_FINANCE and person is FINANCE_ACTOR)
        )
        if allowed:
            assert PAYMENT_TABLE.decide(state, action, person).target == EXPECTED[key]
        else:
            with pytest.raises(PermissionDenied):
                PAYMENT_TABLE.decide(state, action, person)
