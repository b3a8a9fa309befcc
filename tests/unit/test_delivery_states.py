"""The progress report status machine (contracts.delivery.states; issue 12 §6)."""

from __future__ import annotations

import pytest

from contracts.delivery.states import OFFICER, PROVIDER, REPORT_TABLE, ReportStatus
from procurement.core.actors import Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("due", "submit"): "submitted",
    ("submitted", "accept"): "accepted",
    ("submitted", "return"): "returned",
    ("returned", "resubmit"): "submitted",
}
BY_PROVIDER = {("due", "submit"), ("returned", "resubmit")}
BY_OFFICER = {("submitted", "accept"), ("submitted", "return")}
ACTIONS = {"submit", "accept", "return", "resubmit"}

OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
PROVIDER_ACTOR = Actor(2, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
STRANGER = Actor(3, "other member", role=Role.ORG_MEMBER)


def test_the_table_has_every_status_and_exactly_the_expected_steps():
    assert set(REPORT_TABLE.states) == {s.value for s in ReportStatus}
    assert {(t.source, t.action): t.target for t in REPORT_TABLE.transitions} == EXPECTED
    assert {(t.source, t.action) for t in REPORT_TABLE.transitions if t.roles == {PROVIDER}} == BY_PROVIDER
    assert {(t.source, t.action) for t in REPORT_TABLE.transitions if t.roles == {OFFICER}} == BY_OFFICER


@pytest.mark.parametrize("state", [s.value for s in ReportStatus])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_state_and_action_pair_is_allowed_or_refused_as_expected(state, action):
    key = (state, action)
    if key not in EXPECTED:
        with pytest.raises(InvalidTransition):
            REPORT_TABLE.decide(state, action, OFFICER_ACTOR if action in ("accept", "return") else PROVIDER_ACTOR)
        return
    right, wrong = (PROVIDER_ACTOR, OFFICER_ACTOR) if key in BY_PROVIDER else (OFFICER_ACTOR, PROVIDER_ACTOR)
    assert REPORT_TABLE.decide(state, action, right).target == EXPECTED[key]
    for actor in (wrong, STRANGER):
        with pytest.raises(PermissionDenied):
            REPORT_TABLE.decide(state, action, actor)


def test_an_accepted_report_is_final():
    assert REPORT_TABLE.actions_for("accepted", OFFICER_ACTOR) == []
    assert REPORT_TABLE.actions_for("accepted", PROVIDER_ACTOR) == []
