"""The outbox message's delivery table against a hand-written expected table
(invariant 3; issue 15 §3): the sender sends or gives up, the digest takes the held
ones, and only an administrator sends a failed one again."""

from __future__ import annotations

import pytest

from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.core.outbox_states import OUTBOX_TABLE

OUTBOX_EDGES = {
    ("pending", "send"): "sent",
    ("pending", "give_up"): "failed",  # after email_max_attempts attempts
    ("held", "digest"): "digested",  # the daily digest carried it
    ("failed", "retry"): "pending",  # an administrator sends it again
}
SYSTEM_ACTIONS = {"send", "give_up", "digest"}


def test_the_outbox_table_holds_exactly_the_listed_edges():
    assert {(t.source, t.action): t.target for t in OUTBOX_TABLE.transitions} == OUTBOX_EDGES
    assert set(OUTBOX_TABLE.states) == {"pending", "held", "sent", "failed", "skipped", "digested"}


@pytest.mark.parametrize(("state", "action"), list(OUTBOX_TABLE.pairs()))
def test_every_pair_is_allowed_or_refused_with_409(state, action):
    if (state, action) in OUTBOX_EDGES:
        if action in SYSTEM_ACTIONS:
            assert OUTBOX_TABLE.target(state, action, system=True) == OUTBOX_EDGES[(state, action)]
        else:
            assert OUTBOX_TABLE.target(state, action, role="admin") == OUTBOX_EDGES[(state, action)]
        return
    with pytest.raises(InvalidTransition) as info:
        OUTBOX_TABLE.target(state, action, system=True)
    assert info.value.status_code == 409


def test_a_sent_or_skipped_message_is_never_sent_again():
    for state in ("sent", "skipped", "digested"):
        for action in ("send", "retry"):
            with pytest.raises(InvalidTransition):
                OUTBOX_TABLE.target(state, action, role="admin")


def test_only_an_administrator_retries_and_nobody_sends_by_hand():
    with pytest.raises(PermissionDenied):
        OUTBOX_TABLE.target("failed", "retry", role="bureau_officer")
    with pytest.raises(PermissionDenied):
        OUTBOX_TABLE.target("pending", "send", role="admin")
