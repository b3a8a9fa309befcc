"""Transition tables of bids under review, score sheets and challenges (invariant 3):
every state × action pair is either the listed edge or refused with a 409."""

from __future__ import annotations

import pytest

from procurement.awards.states import CHALLENGE_TABLE
from procurement.bids.states import BID_TABLE
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.evaluation.states import SHEET_TABLE

BID_EDGES = {
    ("draft", "edit"): "draft",
    ("draft", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "edit"): "submitted",
    ("submitted", "submit"): "submitted",
    ("submitted", "withdraw"): "withdrawn",
    ("submitted", "open"): "opened",
    ("withdrawn", "edit"): "withdrawn",
    ("withdrawn", "submit"): "submitted",
    ("opened", "qualify"): "qualified",  # the buyer's 资格审查 (rule 41)
    ("opened", "disqualify"): "disqualified",
    ("qualified", "respond"): "responsive",  # the panel's 符合性审查 (rule 41)
    ("qualified", "not_respond"): "nonresponsive",
    ("responsive", "reject_low_price"): "disqualified",  # rule 23
}
SHEET_EDGES = {
    ("draft", "save"): "draft",
    ("draft", "submit"): "submitted",
    ("submitted", "correct"): "submitted",  # rule 25, the only change to a locked sheet
    ("draft", "supersede"): "superseded",
    ("submitted", "supersede"): "superseded",
}
CHALLENGE_EDGES = {
    ("filed", "reject"): "rejected",
    ("filed", "uphold"): "upheld",
    ("filed", "complain"): "complained",
    ("rejected", "complain"): "complained",
    ("upheld", "complain"): "complained",
    ("complained", "record_decision"): "complaint_decided",
}
TABLES = [(BID_TABLE, BID_EDGES), (SHEET_TABLE, SHEET_EDGES), (CHALLENGE_TABLE, CHALLENGE_EDGES)]


@pytest.mark.parametrize(("table", "edges"), TABLES, ids=lambda x: getattr(x, "name", ""))
def test_the_tables_hold_exactly_the_listed_edges(table, edges):
    assert {(t.source, t.action): t.target for t in table.transitions} == edges


@pytest.mark.parametrize(
    ("table", "edges", "state", "action"),
    [(table, edges, state, action) for table, edges in TABLES for state, action in table.pairs()],
)
def test_every_pair_is_allowed_or_refused_with_409(table, edges, state, action):
    if (state, action) in edges:
        assert table.target(state, action, system=True) == edges[(state, action)]
        return
    with pytest.raises(InvalidTransition) as info:
        table.target(state, action, system=True)
    assert info.value.status_code == 409 and "「" in info.value.message


def test_a_submitted_sheet_cannot_be_saved_or_submitted_again():
    for action in ("save", "submit"):
        with pytest.raises(InvalidTransition):
            SHEET_TABLE.target("submitted", action, role="member")
    with pytest.raises(InvalidTransition):
        SHEET_TABLE.target("superseded", "correct", role="member")


def test_who_takes_each_step():
    with pytest.raises(PermissionDenied):
        CHALLENGE_TABLE.target("filed", "reject", role="org_member")  # the challenger does not answer itself
    with pytest.raises(PermissionDenied):
        CHALLENGE_TABLE.target("rejected", "complain", role="bureau_officer")
    with pytest.raises(PermissionDenied):
        BID_TABLE.target("responsive", "reject_low_price", role="bureau_officer")  # the panel decides (rule 23)
    with pytest.raises(PermissionDenied):
        BID_TABLE.target("qualified", "respond", role="bureau_officer")  # 符合性审查 is the panel's (rule 41)
    with pytest.raises(PermissionDenied):
        BID_TABLE.target("opened", "qualify", role="panel_chair")  # 资格审查 is the buyer's (rule 41)
    with pytest.raises(PermissionDenied):
        SHEET_TABLE.target("draft", "supersede", role="member")  # only a re-evaluation does
    assert BID_TABLE.target("responsive", "reject_low_price", role="panel_chair") == "disqualified"
    assert BID_TABLE.target("qualified", "not_respond", role="panel_chair") == "nonresponsive"
