"""The contract status machine (contracts.lifecycle.states; rule 28, invariant 3)."""

from __future__ import annotations

import pytest

from contracts.lifecycle.states import CONTRACT_TABLE, OFFICER, PROVIDER, ContractStatus
from procurement.core.actors import SYSTEM, Actor, Role
from procurement.core.errors import InvalidTransition, PermissionDenied

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("draft", "update"): "draft",
    ("draft", "sign"): "awaiting_signatures",
    ("draft", "record_offline"): "active",
    ("awaiting_signatures", "countersign"): "active",
    ("awaiting_signatures", "revise"): "draft",
    ("awaiting_signatures", "record_offline"): "active",
    ("active", "suspend"): "suspended",
    ("active", "terminate"): "terminated",
    ("active", "complete"): "completed",
    ("suspended", "resume"): "active",
    ("suspended", "terminate"): "terminated",
    ("draft", "void"): "voided",
    ("awaiting_signatures", "void"): "voided",
}
# Only the system voids an unsigned contract, when its award is revoked.
SYSTEM_ONLY = {("draft", "void"), ("awaiting_signatures", "void")}
# Who may take each step: both parties sign and correct; only the buyer records
# the rest (《政府采购法》第五十条: with the provider's consent or a legal ground).
BOTH = {
    ("draft", "update"),
    ("draft", "sign"),
    ("awaiting_signatures", "countersign"),
    ("awaiting_signatures", "revise"),
}
ALLOWED_FROM = {
    "draft": ["update", "sign", "record_offline", "void"],
    "awaiting_signatures": ["countersign", "revise", "record_offline", "void"],
    "active": ["suspend", "terminate", "complete"],
    "suspended": ["resume", "terminate"],
    "completed": [],
    "terminated": [],
    "voided": [],
}

OFFICER_ACTOR = Actor(1, "officer", role=Role.OFFICER, relations=frozenset({OFFICER}))
PROVIDER_ACTOR = Actor(2, "provider", role=Role.ORG_MEMBER, relations=frozenset({PROVIDER}))
# An officer of another bureau and a member of another organization: roles, no relation.
STRANGER_OFFICER = Actor(3, "other officer", role=Role.OFFICER)
STRANGER_MEMBER = Actor(4, "other member", role=Role.ORG_MEMBER)


def test_the_table_has_every_status_and_exactly_the_expected_steps() -> None:
    assert set(CONTRACT_TABLE.states) == {s.value for s in ContractStatus} == set(ALLOWED_FROM)
    assert {(t.source, t.action): t.target for t in CONTRACT_TABLE.transitions} == EXPECTED
    assert {(t.source, t.action) for t in CONTRACT_TABLE.transitions if t.roles == {OFFICER, PROVIDER}} == BOTH
    assert {(t.source, t.action) for t in CONTRACT_TABLE.transitions if t.roles == {OFFICER}} == (
        set(EXPECTED) - BOTH - SYSTEM_ONLY
    )
    assert {(t.source, t.action) for t in CONTRACT_TABLE.transitions if t.system_only} == SYSTEM_ONLY


@pytest.mark.parametrize(("state", "action"), list(CONTRACT_TABLE.pairs()))
def test_every_state_action_pair_is_either_allowed_for_the_right_party_or_refused(state: str, action: str) -> None:
    if (state, action) in EXPECTED:
        target = EXPECTED[(state, action)]
        assert CONTRACT_TABLE.decide(state, action, SYSTEM).target == target
        if (state, action) in SYSTEM_ONLY:
            for person in (OFFICER_ACTOR, PROVIDER_ACTOR):
                with pytest.raises(PermissionDenied) as denied:
                    CONTRACT_TABLE.decide(state, action, person)
                assert "由系统按时间自动执行" in denied.value.message
            return
        assert CONTRACT_TABLE.decide(state, action, OFFICER_ACTOR).target == target
        if (state, action) in BOTH:
            assert CONTRACT_TABLE.decide(state, action, PROVIDER_ACTOR).target == target
        else:
            with pytest.raises(PermissionDenied) as denied:
                CONTRACT_TABLE.decide(state, action, PROVIDER_ACTOR)
            assert "采购人的经办人" in denied.value.message
        for stranger in (STRANGER_OFFICER, STRANGER_MEMBER):
            with pytest.raises(PermissionDenied):
                CONTRACT_TABLE.decide(state, action, stranger)
        return
    with pytest.raises(InvalidTransition) as info:
        CONTRACT_TABLE.decide(state, action, SYSTEM)
    error = info.value
    assert error.status_code == 409
    assert error.extra == {"state": state, "action": action, "allowed_actions": ALLOWED_FROM[state]}
    assert f"「{CONTRACT_TABLE.staff_label(state)}」" in error.message
    assert "rule" not in error.message


def test_a_provider_is_offered_only_what_a_provider_may_do() -> None:
    assert CONTRACT_TABLE.actions_for("draft", PROVIDER_ACTOR) == ["update", "sign"]
    assert CONTRACT_TABLE.actions_for("awaiting_signatures", PROVIDER_ACTOR) == ["countersign", "revise"]
    assert CONTRACT_TABLE.actions_for("active", PROVIDER_ACTOR) == []
    assert CONTRACT_TABLE.actions_for("active", OFFICER_ACTOR) == ["suspend", "terminate", "complete"]


def test_labels_are_chinese_for_staff_and_public() -> None:
    assert CONTRACT_TABLE.staff_label("awaiting_signatures") == "已有一方签署，待另一方签署"
    assert CONTRACT_TABLE.public_label("active") == "履行中"
