"""Expert-pool vocabularies and the panel-member status machine (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import StateInfo, Transition, TransitionTable


class EmploymentRole(StrEnum):
    """Positions that make an expert withdraw for 3 years (rule 20)."""

    EMPLOYEE = "employee"  # 员工
    DIRECTOR = "director"  # 理事、董事
    SUPERVISOR = "supervisor"  # 监事
    SHAREHOLDER = "shareholder"  # 出资人、股东


EMPLOYMENT_ROLE_LABELS = {
    EmploymentRole.EMPLOYEE: "员工",
    EmploymentRole.DIRECTOR: "理事（董事）",
    EmploymentRole.SUPERVISOR: "监事",
    EmploymentRole.SHAREHOLDER: "出资人（股东）",
}


class RelationKind(StrEnum):
    SPOUSE = "spouse"  # 配偶为其负责人
    CLOSE_RELATIVE = "close_relative"  # 近亲属为其负责人
    INTEREST = "interest"  # 其他利害关系


RELATION_KIND_LABELS = {
    RelationKind.SPOUSE: "配偶关系",
    RelationKind.CLOSE_RELATIVE: "近亲属关系",
    RelationKind.INTEREST: "其他利害关系",
}


class MemberKind(StrEnum):
    EXPERT = "expert"  # 评审专家（随机抽取）
    BUYER_REP = "buyer_rep"  # 采购人代表


MEMBER_KIND_LABELS = {MemberKind.EXPERT: "评审专家", MemberKind.BUYER_REP: "采购人代表"}


class MemberStatus(StrEnum):
    DRAWN = "drawn"
    DECLARED_NO_CONFLICT = "declared_no_conflict"
    REMOVED_CONFLICT = "removed_conflict"
    DECLINED = "declined"


MEMBER = "member"  # the seated person themselves: a drawn expert or the buyer's representative
OFFICER = "bureau_officer"
CHAIR = "panel_chair"
BIDDER = "org_member"

# Members who still sit on the panel (removed and declined ones do not).
SEATED = frozenset({MemberStatus.DRAWN, MemberStatus.DECLARED_NO_CONFLICT})

MEMBER_TABLE = TransitionTable(
    "panel_member",
    states={
        MemberStatus.DRAWN: StateInfo("已抽取，待回避声明", "已抽取"),
        MemberStatus.DECLARED_NO_CONFLICT: StateInfo("已声明无利害关系", "已确认"),
        MemberStatus.REMOVED_CONFLICT: StateInfo("因回避已移出", "已回避"),
        MemberStatus.DECLINED: StateInfo("已谢绝参加", "已谢绝"),
    },
    transitions=[
        Transition(
            MemberStatus.DRAWN,
            "declare_no_conflict",
            MemberStatus.DECLARED_NO_CONFLICT,
            frozenset({MEMBER}),
            "声明无利害关系",
            "确认",
        ),
        Transition(
            MemberStatus.DRAWN,
            "declare_conflict",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({MEMBER}),
            "声明存在利害关系并回避",
            "回避",
        ),
        # A conflict found after the declaration still removes the member (invariant 5).
        Transition(
            MemberStatus.DECLARED_NO_CONFLICT,
            "declare_conflict",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({MEMBER}),
            "声明存在利害关系并回避",
            "回避",
        ),
        Transition(MemberStatus.DRAWN, "decline", MemberStatus.DECLINED, frozenset({MEMBER}), "谢绝参加评审", "谢绝"),
        Transition(
            MemberStatus.DRAWN, "remove", MemberStatus.REMOVED_CONFLICT, frozenset({OFFICER}), "移出并补抽", "回避"
        ),
        Transition(
            MemberStatus.DECLARED_NO_CONFLICT,
            "remove",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({OFFICER}),
            "移出并补抽",
            "回避",
        ),
    ],
    role_labels={MEMBER: "评标委员会成员本人", OFFICER: "采购人经办人"},
)


class SheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"  # a later round replaced it (re-evaluation after an upheld challenge)


SHEET_TABLE = TransitionTable(
    "score_sheet",
    states={
        SheetStatus.DRAFT: StateInfo("评分草稿", "草稿"),
        SheetStatus.SUBMITTED: StateInfo("已提交（锁定）", "已提交"),
        SheetStatus.SUPERSEDED: StateInfo("已由重新评审取代", "已取代"),
    },
    transitions=[
        Transition(SheetStatus.DRAFT, "save", SheetStatus.DRAFT, frozenset({MEMBER}), "保存草稿", "保存"),
        Transition(SheetStatus.DRAFT, "submit", SheetStatus.SUBMITTED, frozenset({MEMBER}), "提交评分", "提交"),
        # Locked: the only change is a rule-25 correction, which keeps the old value (invariant 6).
        Transition(
            SheetStatus.SUBMITTED, "correct", SheetStatus.SUBMITTED, frozenset({MEMBER}), "更正评分（rule 25）", "更正"
        ),
        Transition(SheetStatus.DRAFT, "supersede", SheetStatus.SUPERSEDED, frozenset(), "重新评审", "重新评审"),
        Transition(SheetStatus.SUBMITTED, "supersede", SheetStatus.SUPERSEDED, frozenset(), "重新评审", "重新评审"),
    ],
    role_labels={MEMBER: "评标委员会成员本人"},
)


class CorrectionReason(StrEnum):
    """The only four reasons a totalled score may change (rule 25)."""

    SUMMING_ERROR = "summing_error"
    OUT_OF_RANGE = "out_of_range"
    OBJECTIVE_INCONSISTENT = "objective_inconsistent"
    ABNORMAL_SCORE = "abnormal_score"


CORRECTION_REASON_LABELS = {
    CorrectionReason.SUMMING_ERROR: "分值汇总计算错误",
    CorrectionReason.OUT_OF_RANGE: "分项评分超出评分标准规定的分值范围",
    CorrectionReason.OBJECTIVE_INCONSISTENT: "客观评审因素评分不一致",
    CorrectionReason.ABNORMAL_SCORE: "经评标委员会认定评分畸高、畸低",
}


class AwardStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


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


CHALLENGE_OUTCOME_LABELS = {
    ChallengeOutcome.REJECTED: "质疑不成立，维持原结果",
    ChallengeOutcome.RE_EVALUATE: "质疑成立，组织原评标委员会重新评审",
    ChallengeOutcome.RE_AWARD: "质疑成立，依法重新确定中标（成交）供应商",
}

CHALLENGE_TABLE = TransitionTable(
    "challenge",
    states={
        ChallengeStatus.FILED: StateInfo("已受理，待答复", "待答复"),
        ChallengeStatus.REJECTED: StateInfo("已答复：质疑不成立", "已答复"),
        ChallengeStatus.UPHELD: StateInfo("已答复：质疑成立", "已答复"),
        ChallengeStatus.COMPLAINED: StateInfo("已投诉至财政部门", "已投诉"),
        ChallengeStatus.COMPLAINT_DECIDED: StateInfo("投诉已处理", "投诉已处理"),
    },
    transitions=[
        Transition(
            ChallengeStatus.FILED, "reject", ChallengeStatus.REJECTED, frozenset({OFFICER}), "答复：质疑不成立", "答复"
        ),
        Transition(
            ChallengeStatus.FILED, "uphold", ChallengeStatus.UPHELD, frozenset({OFFICER}), "答复：质疑成立", "答复"
        ),
        # 投诉 after an unsatisfying answer, or when no answer came in time (rule 27).
        Transition(
            ChallengeStatus.FILED, "complain", ChallengeStatus.COMPLAINED, frozenset({BIDDER}), "向财政部门投诉", "投诉"
        ),
        Transition(
            ChallengeStatus.REJECTED,
            "complain",
            ChallengeStatus.COMPLAINED,
            frozenset({BIDDER}),
            "向财政部门投诉",
            "投诉",
        ),
        Transition(
            ChallengeStatus.UPHELD,
            "complain",
            ChallengeStatus.COMPLAINED,
            frozenset({BIDDER}),
            "向财政部门投诉",
            "投诉",
        ),
        Transition(
            ChallengeStatus.COMPLAINED,
            "record_decision",
            ChallengeStatus.COMPLAINT_DECIDED,
            frozenset({OFFICER}),
            "登记投诉处理决定",
            "处理决定",
        ),
    ],
    role_labels={OFFICER: "采购人经办人", BIDDER: "质疑的投标人"},
)
