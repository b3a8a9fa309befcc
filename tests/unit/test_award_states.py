"""The award's transition table against a hand-written expected table (invariant 3): an
upheld challenge revokes an award (rule 27); the winner's refusal to sign revokes one
lot's award so that it may go to the next-ranked bidder (rule 28)."""

from __future__ import annotations

import pytest

from procurement.awards.states import AWARD_TABLE
from procurement.core.errors import InvalidTransition, PermissionDenied

AWARD_EDGES = {
    ("active", "revoke"): "revoked",  # an upheld challenge, rule 27
    ("active", "record_refusal"): "refused",  # the winner refuses or fails to sign, rule 28
}


def test_the_award_table_holds_exactly_the_listed_edges():
    assert {(t.source, t.action): t.target for t in AWARD_TABLE.transitions} == AWARD_EDGES
    assert set(AWARD_TABLE.states) == {"active", "revoked", "refused"}


@pytest.mark.parametrize(("state", "action"), list(AWARD_TABLE.pairs()))
def test_every_pair_is_allowed_or_refused_with_409(state, action):
    if (state, action) in AWARD_EDGES:
        assert AWARD_TABLE.target(state, action, role="buyer_officer") == AWARD_EDGES[(state, action)]
        return
    with pytest.raises(InvalidTransition) as info:
        AWARD_TABLE.target(state, action, system=True)
    assert info.value.status_code == 409 and "「" in info.value.message


def test_a_refused_award_cannot_be_refused_or_revoked_again():
    for action in ("record_refusal", "revoke"):
        with pytest.raises(InvalidTransition):
            AWARD_TABLE.target("refused", action, role="buyer_officer")


def test_only_the_buyers_officer_records_a_refusal():
    with pytest.raises(PermissionDenied):
        AWARD_TABLE.target("active", "record_refusal", role="provider")
    with pytest.raises(PermissionDenied):
        AWARD_TABLE.target("active", "record_refusal", role="org_member")
