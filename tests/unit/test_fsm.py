"""Transition tables (invariant 3): every (state, action) pair, roles, labels, validation."""

from __future__ import annotations

import enum

import pytest

from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.core.fsm import StateInfo, Transition, TransitionTable


class S(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


BUYER, AGENT, PUBLIC = "buyer", "agent", "public"

STATES = {
    S.DRAFT: StateInfo("草稿", "未发布"),
    S.PUBLISHED: StateInfo("公告中", "报名中"),
    S.CLOSED: StateInfo("已截止", "已截止"),
    S.CANCELLED: StateInfo("已取消", "已终止"),
}

TRANSITIONS = [
    Transition(S.DRAFT, "publish", S.PUBLISHED, frozenset({BUYER, AGENT}), "发布招标公告", "发布"),
    Transition(S.DRAFT, "cancel", S.CANCELLED, frozenset({BUYER}), "取消项目", "终止"),
    Transition(S.PUBLISHED, "close", S.CLOSED, frozenset(), "到时截标", "截止"),
    Transition(S.PUBLISHED, "cancel", S.CANCELLED, frozenset({BUYER}), "取消项目", "终止"),
]

TABLE = TransitionTable(
    "tender",
    STATES,
    TRANSITIONS,
    role_labels={BUYER: "采购人", AGENT: "采购代理机构"},
)

# The expected table, written out by hand: anything not here must be refused.
EXPECTED = {
    ("draft", "publish"): "published",
    ("draft", "cancel"): "cancelled",
    ("published", "close"): "closed",
    ("published", "cancel"): "cancelled",
}
ALLOWED_FROM = {
    "draft": ["publish", "cancel"],
    "published": ["close", "cancel"],
    "closed": [],
    "cancelled": [],
}


def test_pairs_cover_every_state_with_every_action() -> None:
    pairs = list(TABLE.pairs())
    assert len(pairs) == len(TABLE.states) * len(TABLE.actions) == 12
    assert set(EXPECTED) <= set(pairs)


@pytest.mark.parametrize(("state", "action"), list(TABLE.pairs()))
def test_every_state_action_pair_is_either_allowed_or_refused(state: str, action: str) -> None:
    if (state, action) in EXPECTED:
        assert TABLE.target(state, action, system=True) == EXPECTED[(state, action)]
        assert TABLE.transition(state, action).target == EXPECTED[(state, action)]
        return
    with pytest.raises(InvalidTransition) as info:
        TABLE.target(state, action, system=True)
    error = info.value
    assert error.status_code == 409
    assert error.extra == {"state": state, "action": action, "allowed_actions": ALLOWED_FROM[state]}
    assert f"「{TABLE.staff_label(state)}」" in error.message
    assert f"「{TABLE.action_label(action)}」" in error.message
    with pytest.raises(InvalidTransition):
        TABLE.transition(state, action)


def test_refusal_lists_allowed_actions_by_their_chinese_labels() -> None:
    with pytest.raises(InvalidTransition) as info:
        TABLE.target(S.CLOSED, "publish", role=BUYER)
    assert info.value.message == "当前状态「已截止」不能执行「发布招标公告」；此状态下可执行的操作：无。"
    with pytest.raises(InvalidTransition) as info:
        TABLE.target(S.PUBLISHED, "publish", system=True)
    assert "此状态下可执行的操作：到时截标、取消项目。" in info.value.message


def test_refusal_lists_only_the_actions_the_callers_role_may_take() -> None:
    with pytest.raises(InvalidTransition) as info:
        TABLE.target(S.PUBLISHED, "publish", role=BUYER)
    assert info.value.extra["allowed_actions"] == ["cancel"]


def test_unknown_state_is_refused_as_an_invalid_transition() -> None:
    with pytest.raises(InvalidTransition) as info:
        TABLE.target("archived", "publish", system=True)
    assert info.value.extra["allowed_actions"] == []
    assert "archived" in info.value.message


def test_unknown_action_is_refused_with_its_raw_name() -> None:
    with pytest.raises(InvalidTransition) as info:
        TABLE.target(S.DRAFT, "explode", role=BUYER)
    assert "「explode」" in info.value.message


class TestRoles:
    def test_a_listed_role_may_take_the_transition(self) -> None:
        assert TABLE.target(S.DRAFT, "publish", role=AGENT) == "published"
        assert TABLE.target("draft", "cancel", role=BUYER) == "cancelled"

    def test_an_unlisted_role_is_refused_with_who_may_do_it(self) -> None:
        with pytest.raises(PermissionDenied) as info:
            TABLE.target(S.DRAFT, "cancel", role=AGENT)
        error = info.value
        assert error.status_code == 403
        assert error.message == "「取消项目」只能由采购人执行。"
        assert error.extra["allowed_roles"] == [BUYER]

    def test_role_names_without_a_display_label_fall_back_to_the_raw_name(self) -> None:
        table = TransitionTable(
            "t",
            {"a": StateInfo("甲", "甲"), "b": StateInfo("乙", "乙")},
            [Transition("a", "go", "b", frozenset({"auditor"}), "前进", "前进")],
        )
        with pytest.raises(PermissionDenied, match="只能由auditor执行"):
            table.target("a", "go", role=PUBLIC)

    def test_no_role_at_all_is_refused(self) -> None:
        with pytest.raises(PermissionDenied):
            TABLE.target(S.DRAFT, "publish")

    def test_system_only_transitions_refuse_every_role(self) -> None:
        for role in (BUYER, AGENT, PUBLIC):
            with pytest.raises(PermissionDenied, match="由系统按时间自动执行"):
                TABLE.target(S.PUBLISHED, "close", role=role)

    def test_the_system_may_take_any_transition(self) -> None:
        assert TABLE.target(S.PUBLISHED, "close", system=True) == "closed"
        assert TABLE.target(S.DRAFT, "cancel", system=True) == "cancelled"

    def test_allowed_actions_keep_declaration_order_and_filter_by_role(self) -> None:
        assert TABLE.allowed_actions(S.DRAFT) == ["publish", "cancel"]
        assert TABLE.allowed_actions(S.DRAFT, AGENT) == ["publish"]
        assert TABLE.allowed_actions(S.PUBLISHED, BUYER) == ["cancel"]
        assert TABLE.allowed_actions(S.CLOSED) == []

    def test_allowed_actions_for_an_unknown_state_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            TABLE.allowed_actions("archived")


class TestLabelsAndShape:
    def test_states_have_staff_and_public_labels(self) -> None:
        assert TABLE.staff_label(S.PUBLISHED) == "公告中"
        assert TABLE.public_label("published") == "报名中"
        with pytest.raises(ValueError):
            TABLE.staff_label("archived")

    def test_transitions_carry_both_labels(self) -> None:
        t = TABLE.transition(S.DRAFT, "publish")
        assert (t.staff_label, t.public_label) == ("发布招标公告", "发布")

    def test_enum_members_are_stored_as_plain_strings(self) -> None:
        assert TABLE.states == ("draft", "published", "closed", "cancelled")
        assert all(type(s) is str for s in TABLE.states)
        t = TABLE.transition("draft", "publish")
        assert type(t.source) is str and type(t.target) is str
        assert type(TABLE.target(S.DRAFT, "publish", role=BUYER)) is str

    def test_actions_are_listed_once_in_declaration_order(self) -> None:
        assert TABLE.actions == ("publish", "cancel", "close")

    def test_roles_given_as_any_collection_become_a_frozenset(self) -> None:
        t = Transition("a", "go", "b", {"x", "y"}, "前进", "前进")  # type: ignore[arg-type]
        assert t.roles == frozenset({"x", "y"})
        with pytest.raises(TypeError):
            Transition("a", "go", "b", "buyer", "前进", "前进")  # type: ignore[arg-type]


class TestConstruction:
    def test_unknown_source_state_is_refused(self) -> None:
        with pytest.raises(ValueError, match="source state 'nowhere'"):
            TransitionTable("t", STATES, [Transition("nowhere", "go", "draft", frozenset(), "走", "走")])

    def test_unknown_target_state_is_refused(self) -> None:
        with pytest.raises(ValueError, match="target state 'nowhere'"):
            TransitionTable("t", STATES, [Transition("draft", "go", "nowhere", frozenset(), "走", "走")])

    def test_duplicate_action_from_one_state_is_refused(self) -> None:
        with pytest.raises(ValueError, match="duplicate action 'publish'"):
            TransitionTable(
                "t",
                STATES,
                [*TRANSITIONS, Transition(S.DRAFT, "publish", S.CLOSED, frozenset({BUYER}), "再发布", "发布")],
            )

    def test_a_table_without_states_is_refused(self) -> None:
        with pytest.raises(ValueError):
            TransitionTable("t", {}, [])

    def test_transitions_are_immutable(self) -> None:
        with pytest.raises(AttributeError):
            TRANSITIONS[0].target = "closed"  # type: ignore[misc]
