"""Who may do what with a contract (contracts.lifecycle.policies): relations from the
contract row, with a reason when they do not hold; a transition checks the actor the
policy produced, never what a caller claims."""

from __future__ import annotations

import pytest

from contracts.lifecycle import policies
from contracts.lifecycle.states import CONTRACT_TABLE
from procurement.core.actors import Relation
from procurement.core.errors import PermissionDenied
from tests.unit.test_policies import person

BUREAU, STREET, ORG, OTHER_ORG = 1, 2, 10, 11
CONTRACT = {"id": 3, "buyer": BUREAU, "provider": ORG, "buyer_name": "杭州市上城区民政局", "status": "draft"}


@pytest.mark.parametrize(
    ("role", "org", "relation"),
    [
        ("bureau_officer", BUREAU, Relation.BUYER_STAFF),
        ("bureau_finance", BUREAU, Relation.BUYER_STAFF),
        ("org_member", ORG, Relation.PROVIDER),
        ("admin", None, None),
    ],
)
def test_the_buyers_staff_the_providers_members_and_administrators_read_a_contract(role, org, relation):
    decision = policies.reader(person(role, org), CONTRACT)
    assert decision and decision.relation == relation


@pytest.mark.parametrize(
    ("role", "org"),
    [("bureau_officer", STREET), ("bureau_finance", STREET), ("org_member", OTHER_ORG), ("expert", 20)],
)
def test_anyone_else_is_told_the_contract_does_not_exist(role, org):
    decision = policies.reader(person(role, org), CONTRACT)
    assert not decision and decision.reason == "找不到该合同。"
    assert not policies.reader(None, CONTRACT)


def test_the_parties_are_the_buyers_officer_and_the_providers_member():
    assert policies.party(person("bureau_officer", BUREAU), CONTRACT).relation == Relation.BUYER_OFFICER
    assert policies.party(person("org_member", ORG), CONTRACT).relation == Relation.PROVIDER
    for outsider in (person("bureau_finance", BUREAU), person("bureau_officer", STREET), person("admin", None)):
        assert not policies.party(outsider, CONTRACT)


def test_a_transition_checks_the_relation_the_policy_found():
    provider = policies.party(person("org_member", ORG), CONTRACT).acting(person("org_member", ORG))
    assert CONTRACT_TABLE.decide("draft", "sign", provider).target == "awaiting_signatures"
    with pytest.raises(PermissionDenied):
        CONTRACT_TABLE.decide("active", "suspend", provider)
    with pytest.raises(PermissionDenied) as denied:
        policies.buyer_officer(person("org_member", ORG), CONTRACT, "中止合同").require()
    assert "杭州市上城区民政局" in denied.value.message and "中止合同" in denied.value.message
    assert not policies.can_create(person("bureau_officer", STREET), BUREAU)
    assert policies.can_create(person("bureau_officer", BUREAU), BUREAU).relation == Relation.BUYER_OFFICER
