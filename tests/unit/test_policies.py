"""Relations come from the data, with a reason when they do not hold (the policies
of tenders, bids, evaluation and awards), and a transition checks the actor a
policy produced: its role and the relation, never what a caller claims."""

from __future__ import annotations

import pytest

from procurement.awards import policies as award_policies
from procurement.bids import policies as bid_policies
from procurement.core.actors import SYSTEM, Actor, Relation
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.evaluation import policies as evaluation_policies
from procurement.tenders import policies as tender_policies
from procurement.tenders.states import TENDER_TABLE

BUREAU, STREET, ORG, OTHER_ORG, POOL = 1, 2, 10, 11, 20
TENDER = {"id": 5, "buyer": BUREAU, "buyer.name": "杭州市上城区民政局", "status": "published"}


def person(role: str, org: int | None, user_id: int = 100, kind: str | None = None) -> CurrentUser:
    kinds = {
        "bureau_officer": "bureau",
        "bureau_finance": "bureau",
        "org_member": "social_org",
        "expert": "expert_pool",
    }
    return CurrentUser(
        id=user_id,
        username=f"u{user_id}",
        display_name=f"用户{user_id}",
        role=role,
        organization_id=org,
        organization_name="",
        organization_kind=kind or kinds.get(role),
        session_id=1,
        csrf_token="x",
        via="bearer",
    )


OFFICER = person("bureau_officer", BUREAU)
FINANCE = person("bureau_finance", BUREAU, 101)
STREET_OFFICER = person("bureau_officer", STREET, 102)
ADMIN = person("admin", None, 103)
MEMBER = person("org_member", ORG, 104)
OTHER_MEMBER = person("org_member", OTHER_ORG, 105)
EXPERT = person("expert", POOL, 106)


def test_the_buyers_officer_is_an_officer_of_the_tenders_own_buyer():
    decision = tender_policies.buyer_officer(OFFICER, TENDER)
    assert decision and decision.relation == Relation.BUYER_OFFICER
    for other in (STREET_OFFICER, FINANCE, ADMIN, MEMBER, EXPERT):
        refused = tender_policies.buyer_officer(other, TENDER, "宣布废标")
        assert not refused and refused.reason == "只有采购人（杭州市上城区民政局）的经办人可以宣布废标。"
    assert tender_policies.buyer_officer(None, TENDER).reason == "请先登录。"


def test_the_buyers_staff_are_its_officers_and_finance_and_nobody_from_another_bureau():
    assert tender_policies.buyer_staff(OFFICER, TENDER).relation == Relation.BUYER_STAFF
    assert tender_policies.buyer_staff(FINANCE, TENDER)
    assert not tender_policies.buyer_staff(STREET_OFFICER, TENDER)
    assert not tender_policies.buyer_staff(ADMIN, TENDER)
    assert tender_policies.staff_view(ADMIN, TENDER), "administrators see tenders as staff"


def test_acting_on_an_allowed_decision_carries_its_relation_and_a_refused_one_raises_its_reason():
    actor = tender_policies.buyer_officer(OFFICER, TENDER).acting(OFFICER)
    assert actor.id == OFFICER.id and actor.role == "bureau_officer"
    assert actor.relations == frozenset({Relation.BUYER_OFFICER})
    with pytest.raises(PermissionDenied) as refused:
        tender_policies.buyer_officer(STREET_OFFICER, TENDER).acting(STREET_OFFICER)
    assert "杭州市上城区民政局" in refused.value.message
    assert actor_of(OFFICER).relations == frozenset(), "an account alone has no relation"


def test_a_transition_takes_the_relation_a_policy_granted_and_refuses_a_bare_role():
    granted = tender_policies.buyer_officer(OFFICER, TENDER).acting(OFFICER)
    assert TENDER_TABLE.decide("published", "cancel", granted).target == "cancelled"
    with pytest.raises(PermissionDenied):
        TENDER_TABLE.decide("published", "cancel", actor_of(OFFICER))
    with pytest.raises(PermissionDenied):
        TENDER_TABLE.decide("published", "close", granted)  # the deadline is the system's
    assert TENDER_TABLE.decide("published", "close", SYSTEM).target == "closed"
    with pytest.raises(InvalidTransition) as invalid:
        TENDER_TABLE.decide("draft", "close", granted)
    assert invalid.value.extra["allowed_actions"] == ["update", "publish", "cancel"]


def test_the_actions_offered_to_a_person_are_those_their_relations_allow():
    granted = tender_policies.buyer_officer(OFFICER, TENDER).acting(OFFICER)
    assert TENDER_TABLE.actions_for("published", granted) == ["amend", "answer", "cancel"]
    assert TENDER_TABLE.actions_for("published", actor_of(OFFICER)) == []
    assert TENDER_TABLE.actions_for("published", SYSTEM) == ["amend", "answer", "close", "cancel"]


def test_a_bid_belongs_to_the_members_of_its_organization_and_nobody_else_learns_it_exists():
    bid = {"id": 9, "organization": ORG}
    assert bid_policies.bid_owner(MEMBER, bid).relation == Relation.BID_OWNER
    for other in (OTHER_MEMBER, OFFICER, ADMIN, EXPERT, None):
        refused = bid_policies.bid_owner(other, bid)
        assert not refused and refused.reason == "找不到该投标。"


SEAT = {"id": 3, "user": EXPERT.id, "status": "declared_no_conflict", "is_chair": True}


@pytest.mark.parametrize(
    ("seat", "reason"),
    [
        (None, "您不是该评标委员会的成员。"),
        ({**SEAT, "user": 999}, "您不是该评标委员会的成员。"),
        ({**SEAT, "status": "drawn"}, "请先作回避声明"),
        ({**SEAT, "status": "removed_conflict"}, "已回避或谢绝"),
        ({**SEAT, "status": "declined"}, "已回避或谢绝"),
    ],
)
def test_a_panel_member_acts_only_on_their_own_seat_once_declared(seat, reason):
    refused = evaluation_policies.declared_member(EXPERT, seat)
    assert not refused and reason in refused.reason
    assert not evaluation_policies.chair(EXPERT, seat)


def test_the_chair_is_the_declared_member_on_the_chairs_seat():
    assert evaluation_policies.declared_member(EXPERT, SEAT).relation == Relation.MEMBER
    assert evaluation_policies.chair(EXPERT, SEAT).relation == Relation.PANEL_CHAIR
    refused = evaluation_policies.chair(EXPERT, {**SEAT, "is_chair": False})
    assert refused.reason == "只有评标委员会组长可以执行此操作。"
    assert evaluation_policies.seat_holder(EXPERT, {**SEAT, "status": "drawn"}).relation == Relation.MEMBER


def test_the_challenger_is_the_organization_that_filed_the_challenge():
    challenge = {"id": 4, "organization": ORG}
    assert award_policies.challenger(MEMBER, challenge).relation == Relation.CHALLENGER
    assert award_policies.challenger(OTHER_MEMBER, challenge).reason == "只有提出质疑的投标人可以登记投诉。"
    assert not award_policies.challenger(OFFICER, challenge)


def test_the_award_letter_is_for_the_winner_and_the_buyer_never_for_an_expert():
    award = {"organization": ORG}
    assert award_policies.letter_reader(MEMBER, TENDER, award)
    assert award_policies.letter_reader(OFFICER, TENDER, award)
    assert not award_policies.letter_reader(OTHER_MEMBER, TENDER, award)
    assert not award_policies.letter_reader(person("expert", ORG, 107), TENDER, award)


def test_an_actor_names_its_role_and_relations_and_the_system_has_neither():
    actor = Actor(1, "x", role="org_member", relations=frozenset({"bid_owner"}))
    assert actor.names == {"org_member", "bid_owner"}
    assert actor.granted(Relation.BIDDER).names == {"org_member", "bid_owner", "bidder"}
    assert SYSTEM.system and SYSTEM.names == frozenset()
