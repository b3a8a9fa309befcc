"""The evaluation status machine (contracts.assessments.states; issue 14 §3)."""

from __future__ import annotations

import pytest

from contracts.assessments.states import AGENCY, ASSESSMENT_TABLE, OFFICER, PROVIDER, AssessmentStatus
from procurement.core.actors import SYSTEM, Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("assigned", "self_assess"): "self_assessed",
    ("self_assessed", "evaluate"): "finished",
    ("finished", "require_rectification"): "rectifying",
    ("rectifying", "report_rectification"): "reevaluating",
    ("reevaluating", "reevaluate"): "finished",
}
BY_PROVIDER = {("assigned", "self_assess"), ("rectifying", "report_rectification")}
BY_AGENCY = {("self_assessed", "evaluate"), ("reevaluating", "reevaluate")}
BY_SYSTEM = {("finished", "require_rectification")}
ACTIONS = {"self_assess", "evaluate", "require_rectification", "report_rectification", "reevaluate"}

OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
PROVIDER_ACTOR = Actor(2, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
AGENCY_ACTOR = Actor(3, "pinggu", role=Role.EVALUATOR, relations=frozenset({AGENCY}))
OTHER_EVALUATOR = Actor(4, "another agency", role=Role.EVALUATOR)


def test_the_table_has_every_status_and_exactly_the_expected_steps():
    assert set(ASSESSMENT_TABLE.states) == {s.value for s in AssessmentStatus}
    assert {(t.source, t.action): t.target for t in ASSESSMENT_TABLE.transitions} == EXPECTED
    assert {(t.source, t.action) for t in ASSESSMENT_TABLE.transitions if t.roles == {PROVIDER}} == BY_PROVIDER
    assert {(t.source, t.action) for t in ASSESSMENT_TABLE.transitions if t.roles == {AGENCY}} == BY_AGENCY
    assert {(t.source, t.action) for t in ASSESSMENT_TABLE.transitions if t.system_only} == BY_SYSTEM


@pytest.mark.parametrize("state", [s.value for s in AssessmentStatus])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_state_and_action_pair_is_allowed_or_refused_as_expected(state, action):
    key = (state, action)
    if key not in EXPECTED:
        with pytest.raises(InvalidTransition):
            ASSESSMENT_TABLE.decide(state, action, SYSTEM)
        return
    assert ASSESSMENT_TABLE.decide(state, action, SYSTEM).target == EXPECTED[key]
    right = PROVIDER_ACTOR if key in BY_PROVIDER else AGENCY_ACTOR if key in BY_AGENCY else None
    if right is not None:
        assert ASSESSMENT_TABLE.decide(state, action, right).target == EXPECTED[key]
    for actor in (OFFICER_ACTOR, PROVIDER_ACTOR, AGENCY_ACTOR, OTHER_EVALUATOR):
        if actor is right:
            continue
        with pytest.raises(PermissionDenied):
            ASSESSMENT_TABLE.decide(state, action, actor)


def test_an_evaluator_of_another_agency_cannot_score_by_role_alone():
    with pytest.raises(PermissionDenied):
        ASSESSMENT_TABLE.decide("self_assessed", "evaluate", OTHER_EVALUATOR)
