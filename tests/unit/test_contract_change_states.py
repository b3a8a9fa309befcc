"""The status machine of a contract change (contracts.changes.states; rule 28)."""

from __future__ import annotations

import pytest

from contracts.changes.states import CHANGE_TABLE, OFFICER, PROVIDER, RATIONALE_KIND, ChangeStatus
from procurement.core.actors import Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("proposed", "sign"): "awaiting_countersign",
    ("awaiting_countersign", "countersign"): "effective",
    ("proposed", "withdraw"): "withdrawn",
    ("awaiting_countersign", "withdraw"): "withdrawn",
    ("proposed", "refuse"): "refused",
    ("awaiting_countersign", "refuse"): "refused",
}
ALLOWED_FROM = {
    "proposed": ["sign", "withdraw", "refuse"],
    "awaiting_countersign": ["countersign", "withdraw", "refuse"],
    "effective": [],
    "withdrawn": [],
    "refused": [],
}
OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
PROVIDER_ACTOR = Actor(2, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
STRANGER = Actor(3, "other officer", role=Role.OFFICER)
STRANGER_MEMBER = Actor(4, "other member", role=Role.ORG_MEMBER)


def test_the_table_is_exactly_the_expected_one() -> None:
    assert set(CHANGE_TABLE.states) == {s.value for s in ChangeStatus} == set(ALLOWED_FROM)
    assert {(t.source, t.action): t.target for t in CHANGE_TABLE.transitions} == EXPECTED
    assert all(t.roles == {OFFICER, PROVIDER} for t in CHANGE_TABLE.transitions), "both parties, no one else"


@pytest.mark.parametrize("status", list(ALLOWED_FROM))
@pytest.mark.parametrize("action", ["sign", "countersign", "withdraw", "refuse"])
def test_every_other_step_is_refused(status: str, action: str) -> None:
    if action in ALLOWED_FROM[status]:
        for actor in (OFFICER_ACTOR, PROVIDER_ACTOR):
            assert CHANGE_TABLE.decide(status, action, actor).target == EXPECTED[(status, action)]
        for actor in (STRANGER, STRANGER_MEMBER):
            with pytest.raises(PermissionDenied):
                CHANGE_TABLE.decide(status, action, actor)
    else:
        with pytest.raises(InvalidTransition):
            CHANGE_TABLE.decide(status, action, OFFICER_ACTOR)


def test_each_rationale_names_one_kind() -> None:
    assert {k: str(v) for k, v in RATIONALE_KIND.items()} == {
        "more_service": "supplement",
        "term": "agreed",
        "indicators": "agreed",
        "payment": "agreed",
        "place": "agreed",
    }
