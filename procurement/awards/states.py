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
    REFUSED = "refused"  # 中标人拒签或逾期未签，已撤销（可改授予下一名）


AWARD_TABLE = TransitionTable(
    "award",
    states={
        AwardStatus.ACTIVE: StateInfo(N_("有效"), N_("中标（成交）")),
        AwardStatus.REVOKED: StateInfo(N_("已撤销（质疑成立）"), N_("已撤销")),
        AwardStatus.REFUSED: StateInfo(N_("已撤销（中标人拒签）"), N_("已撤销")),
    },
    transitions=[
        # An upheld challenge (rule 27) revokes the award; the tender returns to evaluation.
        Transition(
            AwardStatus.ACTIVE, "revoke", AwardStatus.REVOKED, frozenset({OFFICER}), N_("撤销中标结果"), N_("撤销")
        ),
        # The winner refuses, or fails within 30 days, to sign (rule 28, 条例 art. 49): this lot's
        # award falls and the buyer may award it to the next-ranked bidder.
        Transition(
            AwardStatus.ACTIVE,
            "record_refusal",
            AwardStatus.REFUSED,
            frozenset({OFFICER}),
            N_("中标人拒签，撤销其中标"),
            N_("撤销"),
        ),
    ],
    role_labels={OFFICER: N_("民政局经办人（本项目采购人）")},
)


class RefusalKind(StrEnum):
    """Why the winner did not sign (rule 28; 《政府采购法实施条例》第四十九条)."""

    REFUSED = "refused"  # 拒绝签订: on the winner's written refusal, at any time
    OVERDUE = "overdue"  # 逾期未签订: only once the 30 days from the award letter have passed


REFUSAL_KIND_LABELS = Labels({RefusalKind.REFUSED: N_("拒绝签订合同"), RefusalKind.OVERDUE: N_("逾期未签订合同")})


class ChallengeStatus(StrEnum):
    FILED = "filed"  # 已提出，待答复
    REJECTED = "rejected"  # 质疑不成立
    UPHELD = "upheld"  # 质疑成立
    COMPLAINED = "complained"  # 已投诉至财政部门
    COMPLAINT_DECIDED = "complaint_decided"


class ChallengeKind(StrEnum):
    """What a 质疑 is about (rule 27; 《政府采购法实施条例》第五十三条): each has its own period."""

    DOCUMENTS = "documents"  # 采购文件: from obtaining them, or the end of their period
    PROCESS = "process"  # 采购过程: one step, from the day the step ended
    RESULT = "result"  # 采购结果: from the end of the result notice's period


CHALLENGE_KIND_LABELS = Labels(
    {
        ChallengeKind.DOCUMENTS: N_("采购文件"),
        ChallengeKind.PROCESS: N_("采购过程"),
        ChallengeKind.RESULT: N_("采购结果"),
    }
)


class ProcessStep(StrEnum):
    """The steps of the process a 质疑 may name; each ends on a day the data holds."""

    OPENING = "opening"  # 开标: the opening time
    QUALIFICATION = "qualification"  # 资格审查: the last bid reviewed (or the tender failed)
    EVALUATION = "evaluation"  # 评标: the evaluation report delivered to the buyer


PROCESS_STEP_LABELS = Labels(
    {
        ProcessStep.OPENING: N_("开标"),
        ProcessStep.QUALIFICATION: N_("资格审查"),
        ProcessStep.EVALUATION: N_("评标"),
    }
)

# Steps after the opening: their challenges, like a result challenge, could change
# the result, so an unanswered one suspends signing (rule 27).
STEPS_AFFECTING_RESULT = frozenset({ProcessStep.QUALIFICATION, ProcessStep.EVALUATION})


class ChallengeOutcome(StrEnum):
    REJECTED = "rejected"
    RE_EVALUATE = "re_evaluate"  # 成立：重新评审
    RE_AWARD = "re_award"  # 成立：重新确定中标人
    CORRECT = "correct"  # 成立（定标前，对采购过程）：纠正该环节后继续
    AMEND_DOCUMENTS = "amend_documents"  # 成立（对采购文件）：澄清或修改后继续
    RESTART = "restart"  # 成立（对采购文件）：修改后重新开展采购活动


CHALLENGE_OUTCOME_LABELS = Labels(
    {
        ChallengeOutcome.REJECTED: N_("质疑不成立，维持原结果"),
        ChallengeOutcome.RE_EVALUATE: N_("质疑成立，组织原评标委员会重新评审"),
        ChallengeOutcome.RE_AWARD: N_("质疑成立，依法重新确定中标（成交）供应商"),
        ChallengeOutcome.CORRECT: N_("质疑成立，依法纠正该环节后继续采购活动"),
        ChallengeOutcome.AMEND_DOCUMENTS: N_("质疑成立，澄清或修改采购文件后继续采购活动"),
        ChallengeOutcome.RESTART: N_("质疑成立，修改采购文件后重新开展采购活动"),
    }
)

# The answers the law allows for each kind (《政府采购质疑和投诉办法》第十六条): an upheld
# documents challenge leads to an amendment or a new procurement, never to a revoked
# award; a process or result challenge upheld after the award takes the award back,
# one upheld before it has the step corrected.
DOCUMENT_OUTCOMES = (ChallengeOutcome.REJECTED, ChallengeOutcome.AMEND_DOCUMENTS, ChallengeOutcome.RESTART)
AWARDED_OUTCOMES = (ChallengeOutcome.REJECTED, ChallengeOutcome.RE_EVALUATE, ChallengeOutcome.RE_AWARD)
BEFORE_AWARD_OUTCOMES = (ChallengeOutcome.REJECTED, ChallengeOutcome.CORRECT)
REVOKING_OUTCOMES = frozenset({ChallengeOutcome.RE_EVALUATE, ChallengeOutcome.RE_AWARD})

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
