"""The tender status machine (tenders.states, invariant 3) and the status as of now."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from procurement.core.clock import SHANGHAI, to_utc
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.tenders.states import (
    ADMIN,
    OFFICER,
    PUBLIC_STATES,
    TENDER_TABLE,
    TenderStatus,
    effective_status,
)

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("draft", "update"): "draft",
    ("draft", "publish"): "published",
    ("draft", "cancel"): "cancelled",
    ("published", "amend"): "published",
    ("published", "answer"): "published",
    ("published", "close"): "closed",
    ("published", "cancel"): "cancelled",
    ("closed", "open"): "opened",
    ("closed", "cancel"): "cancelled",
    ("opened", "start_evaluation"): "evaluating",
    ("opened", "fail"): "failed",
    ("evaluating", "award"): "awarded",
    ("evaluating", "fail"): "failed",
    ("evaluating", "deem_award"): "awarded",  # 磋商, rule 26
    ("awarded", "revoke_award"): "evaluating",  # upheld challenge, rule 27
}
ALLOWED_FROM = {
    "draft": ["update", "publish", "cancel"],
    "published": ["amend", "answer", "close", "cancel"],
    "closed": ["open", "cancel"],
    "opened": ["start_evaluation", "fail"],
    "evaluating": ["award", "fail", "deem_award"],
    "awarded": ["revoke_award"],
    "failed": [],
    "cancelled": [],
}
# Only the system, at the deadline (close) and at the opening time (open).
SYSTEM_ONLY_ACTIONS = {("published", "close"), ("closed", "open"), ("evaluating", "deem_award")}
ALLOWED_FOR_OFFICER = {
    state: [a for a in actions if (state, a) not in SYSTEM_ONLY_ACTIONS] for state, actions in ALLOWED_FROM.items()
}


def test_the_table_has_every_status_and_every_action() -> None:
    assert set(TENDER_TABLE.states) == {s.value for s in TenderStatus} == set(ALLOWED_FROM)
    assert set(TENDER_TABLE.actions) == {a for _, a in EXPECTED}
    assert {(t.source, t.action): t.target for t in TENDER_TABLE.transitions} == EXPECTED


@pytest.mark.parametrize(("state", "action"), list(TENDER_TABLE.pairs()))
def test_every_state_action_pair_is_either_allowed_or_refused(state: str, action: str) -> None:
    if (state, action) in EXPECTED:
        assert TENDER_TABLE.target(state, action, system=True) == EXPECTED[(state, action)]
        assert TENDER_TABLE.transition(state, action).target == EXPECTED[(state, action)]
        if (state, action) not in SYSTEM_ONLY_ACTIONS:
            assert TENDER_TABLE.target(state, action, role=OFFICER) == EXPECTED[(state, action)]
        return
    with pytest.raises(InvalidTransition) as info:
        TENDER_TABLE.target(state, action, system=True)
    error = info.value
    assert error.status_code == 409
    assert error.extra == {"state": state, "action": action, "allowed_actions": ALLOWED_FROM[state]}
    assert f"「{TENDER_TABLE.staff_label(state)}」" in error.message
    assert f"「{TENDER_TABLE.action_label(action)}」" in error.message
    # An officer is told only the actions an officer could take.
    with pytest.raises(InvalidTransition) as info:
        TENDER_TABLE.target(state, action, role=OFFICER)
    assert info.value.extra["allowed_actions"] == ALLOWED_FOR_OFFICER[state]
    with pytest.raises(InvalidTransition):
        TENDER_TABLE.transition(state, action)


@pytest.mark.parametrize(("state", "action"), sorted(SYSTEM_ONLY_ACTIONS))
def test_system_only_actions_are_refused_for_an_officer_and_allowed_for_the_system(state: str, action: str) -> None:
    with pytest.raises(PermissionDenied) as info:
        TENDER_TABLE.target(state, action, role=OFFICER)
    error = info.value
    assert error.status_code == 403
    assert "由系统按时间自动执行" in error.message
    assert error.extra["allowed_roles"] == []
    assert TENDER_TABLE.transition(state, action).system_only
    assert TENDER_TABLE.target(state, action, system=True) == EXPECTED[(state, action)]


def test_system_only_actions_are_not_offered_to_an_officer() -> None:
    assert TENDER_TABLE.allowed_actions(TenderStatus.PUBLISHED, OFFICER) == ["amend", "answer", "cancel"]
    assert TENDER_TABLE.allowed_actions(TenderStatus.CLOSED, OFFICER) == ["cancel"]
    assert TENDER_TABLE.allowed_actions(TenderStatus.PUBLISHED) == ALLOWED_FROM["published"]


def test_an_unidentified_caller_is_refused_even_for_an_officers_action() -> None:
    with pytest.raises(PermissionDenied):
        TENDER_TABLE.target(TenderStatus.DRAFT, "publish")


@pytest.mark.parametrize(("state", "action"), sorted(set(EXPECTED) - SYSTEM_ONLY_ACTIONS))
def test_officer_actions_are_refused_for_other_roles_naming_the_officer(state: str, action: str) -> None:
    with pytest.raises(PermissionDenied) as info:
        TENDER_TABLE.target(state, action, role=ADMIN)
    assert "民政局经办人" in info.value.message


def test_only_drafts_are_hidden_from_the_public() -> None:
    assert PUBLIC_STATES == frozenset(TenderStatus) - {TenderStatus.DRAFT}


# --------------------------------------------------------------------------- effective status

DEADLINE = to_utc(datetime(2025, 3, 24, 9, 30))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DEADLINE + timedelta(days=3), TenderStatus.CLOSED),
        (DEADLINE, TenderStatus.CLOSED),  # exactly at the deadline
        (DEADLINE - timedelta(seconds=1), TenderStatus.PUBLISHED),  # one second before
        (DEADLINE.astimezone(SHANGHAI), TenderStatus.CLOSED),  # same instant in Shanghai time
    ],
    ids=["past", "exactly", "one-second-before", "same-instant-shanghai"],
)
def test_a_published_tender_is_closed_for_everyone_once_the_deadline_is_reached(now: datetime, expected: str) -> None:
    assert effective_status(TenderStatus.PUBLISHED, DEADLINE, now) == expected


@pytest.mark.parametrize("status", [s for s in TenderStatus if s != TenderStatus.PUBLISHED])
def test_other_statuses_are_unchanged_by_a_passed_deadline(status: str) -> None:
    assert effective_status(status, DEADLINE, DEADLINE + timedelta(days=30)) == status


def test_a_published_tender_without_a_deadline_stays_published() -> None:
    assert effective_status(TenderStatus.PUBLISHED, None, DEADLINE) == TenderStatus.PUBLISHED


def test_staff_and_public_see_different_labels_for_a_published_tender() -> None:
    staff = TENDER_TABLE.staff_label(TenderStatus.PUBLISHED)
    public = TENDER_TABLE.public_label(TenderStatus.PUBLISHED)
    assert (staff, public) == ("已发布（接受投标）", "正在征集")
    assert staff != public


def test_every_status_has_chinese_staff_and_public_labels() -> None:
    for status in TenderStatus:
        for label in (TENDER_TABLE.staff_label(status), TENDER_TABLE.public_label(status)):
            assert label and all("\u4e00" <= ch <= "\u9fff" or ch in "（）" for ch in label), label
