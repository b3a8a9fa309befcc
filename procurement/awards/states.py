"""Award, challenge and complaint status machines (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

# The buyer's officer decides; the challenging organization complains. Both are
# relations derived from the data by the policies, never asserted by a caller.
OFFICER = Relation.BUYER_OFFICER
CHALLENGER = Relation.CHALLENGER


class AwardStatus(StrEnum):
    ACTIVE = "active"  # 有效：中标（成交）或立项
    REVOKED = "revoked"  # 质疑成立后撤销


AWARD_TABLE = TransitionTable(
    "award",
    states={
        AwardStatus.ACTIVE: StateInfo(N_("有效"), N_("中标（成交）")),
        AwardStatus.REVOKED: StateInfo(N_("已撤销（质疑成立）"), N_("已撤销")),
    },
    transitions=[
        # An upheld challenge (rule 27) revokes the award; the tender returns to evaluation.
        Transition(
            AwardStatus.ACTIVE, "revoke", AwardStatus.REVOKED, frozenset({OFFICER}), N_("撤销中标结果"), N_("撤销")
        ),
    ],
    role_labels={OFFICER: N_("民政局经办人（本项目采购人）")},
)


class ChallengeStatus(StrEnum):
    FILED = "filed"  # 已提出，待答复
    REJECTED = "rejected"  # 质疑不成立
    UPHELD = "upheld"  # 质疑成立
    COMPLAINED = "complained"  # 已投诉至财政部门
    COMPLAINT_DECIDED = "complaint_decided"


class ChallengeOutcome(StrEnum):
    REJECTED = "rejected"
    RE_EVALUATE = "re_evaluate"  # 成立：重新评审
    RE_AWARD = "re_award"  # 成立：重新确定中标人


CHALLENGE_OUTCOME_LABELS = Labels(
    {
        ChallengeOutcome.REJECTED: N_("质疑不成立，维持原结果"),
        ChallengeOutcome.RE_EVALUATE: N_("质疑成立，组织原评标委员会重新评审"),
        ChallengeOutcome.RE_AWARD: N_("质疑成立，依法重新确定中标（成交）供应商"),
    }
)

CHALLENGE_TABLE = TransitionTable(
    "challenge",
    states={
        ChallengeStatus.FILED: StateInfo(N_("已受理，待答复"), N_("待答复")),
        ChallengeStatus.REJECTED: StateInfo(N_("已答复：质疑不成立"), N_("已答复")),
        ChallengeStatus.UPHELD: StateInfo(N_("已答复：质疑成立"), N_("已答复")),
        ChallengeStatus.COMPLAINED: StateInfo(N_("已投诉至财政部门"), N_("已投诉")),
        ChallengeStatus.COMPLAINT_DECIDED: StateInfo(N_("投诉已处理"), N_("投诉已处理")),
    },
    transitions=[
        Transition(
            ChallengeStatus.FILED,
            "reject",
            ChallengeStatus.REJECTED,
            frozenset({OFFICER}),
            N_("答复：质疑不成立"),
            N_("答复"),
        ),
        Transition(
            ChallengeStatus.FILED,
            "uphold",
            ChallengeStatus.UPHELD,
            frozenset({OFFICER}),
            N_("答复：质疑成立"),
            N_("答复"),
        ),
        # 投诉 after an unsatisfying answer, or when no answer came in time (rule 27).
        Transition(
            ChallengeStatus.FILED,
            "complain",
            ChallengeStatus.COMPLAINED,
            frozenset({CHALLENGER}),
            N_("向财政部门投诉"),
            N_("投诉"),
        ),
        Transition(
            ChallengeStatus.REJECTED,
            "complain",
            ChallengeStatus.COMPLAINED,
            frozenset({CHALLENGER}),
            N_("向财政部门投诉"),
            N_("投诉"),
        ),
        Transition(
            ChallengeStatus.UPHELD,
            "complain",
            ChallengeStatus.COMPLAINED,
            frozenset({CHALLENGER}),
            N_("向财政部门投诉"),
            N_("投诉"),
        ),
        Transition(
            ChallengeStatus.COMPLAINED,
            "record_decision",
            ChallengeStatus.COMPLAINT_DECIDED,
            frozenset({OFFICER}),
            N_("登记投诉处理决定"),
            N_("处理决定"),
        ),
    ],
    role_labels={OFFICER: N_("民政局经办人（本项目采购人）"), CHALLENGER: N_("提出质疑的投标人")},
)
