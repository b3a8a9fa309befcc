"""The replacement request's status machine and the level words (contracts.staffing.states;
rule 40)."""

from __future__ import annotations

import pytest

from contracts.staffing.states import OFFICER, PROVIDER, REPLACEMENT_TABLE, CertLevel, ReplacementStatus
from procurement.core.actors import Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.tenders.schemas import WorkerLevel

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("pending", "approve"): "approved",
    ("pending", "refuse"): "refused",
}
ACTIONS = {"approve", "refuse"}
OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
PROVIDER_ACTOR = Actor(2, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
FINANCE = Actor(3, "finance", role=Role.FINANCE)


def test_the_table_has_every_status_and_exactly_the_expected_steps():
    assert set(REPLACEMENT_TABLE.states) == {s.value for s in ReplacementStatus}
    assert {(t.source, t.action): t.target for t in REPLACEMENT_TABLE.transitions} == EXPECTED
    assert all(t.roles == {OFFICER} for t in REPLACEMENT_TABLE.transitions)


@pytest.mark.parametrize("state", [s.value for s in ReplacementStatus])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_state_and_action_pair_is_allowed_or_refused_as_expected(state, action):
    if (state, action) not in EXPECTED:
        with pytest.raises(InvalidTransition):
            REPLACEMENT_TABLE.decide(state, action, OFFICER_ACTOR)
        return
    assert REPLACEMENT_TABLE.decide(state, action, OFFICER_ACTOR).target == EXPECTED[(state, action)]
    for actor in (PROVIDER_ACTOR, FINANCE):
        with pytest.raises(PermissionDenied):
            REPLACEMENT_TABLE.decide(state, action, actor)


def test_a_decided_request_is_final():
    assert REPLACEMENT_TABLE.actions_for("approved", OFFICER_ACTOR) == []
    assert REPLACEMENT_TABLE.actions_for("refused", OFFICER_ACTOR) == []


def test_the_certificate_levels_are_the_tenders_lead_levels():
    assert [c.value for c in CertLevel] == [w.value for w in WorkerLevel]
