"""Who may request, approve, release and export installment payments (contracts.payments.policies)."""

from __future__ import annotations

import pytest

from contracts.payments import policies
from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser

CONTRACT = {"buyer": 10, "provider": 20, "buyer_name": "上城区民政局", "provider_name": "幸福家社工"}


def user(role: str, org: int | None) -> CurrentUser:
    return CurrentUser(1, "u", "用户", role, org, "机构", None, 1, "t", "bearer")


PEOPLE = {
    "buyer officer": user(Role.OFFICER, 10),
    "buyer finance": user(Role.FINANCE, 10),
    "provider member": user(Role.ORG_MEMBER, 20),
    "other officer": user(Role.OFFICER, 11),
    "other finance": user(Role.FINANCE, 11),
    "other member": user(Role.ORG_MEMBER, 21),
    "admin": user(Role.ADMIN, None),
    "evaluator": user(Role.EVALUATOR, 30),
}
EXPECTED = {
    "requester": ({"provider member"}, Relation.PROVIDER),
    "approver": ({"buyer officer"}, Relation.BUYER_OFFICER),
    "finance": ({"buyer finance"}, Relation.BUYER_STAFF),
}


@pytest.mark.parametrize("who", sorted(PEOPLE))
@pytest.mark.parametrize("policy", sorted(EXPECTED))
def test_each_step_belongs_to_one_relation_of_the_contract(policy, who):
    allowed, relation = EXPECTED[policy]
    decision = getattr(policies, policy)(PEOPLE[who], CONTRACT)
    assert bool(decision) is (who in allowed)
    if decision:
        assert decision.relation == relation
    else:
        assert decision.reason  # a refusal says who may do it


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_the_buyers_staff_and_administrators_export_the_ledger(who):
    assert bool(policies.ledger_reader(PEOPLE[who], CONTRACT)) is (who in {"buyer officer", "buyer finance", "admin"})
