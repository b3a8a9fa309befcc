"""Expert-pool vocabularies and the panel-member status machine (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable


class EmploymentRole(StrEnum):
    """Positions that make an expert withdraw for 3 years (rule 20)."""

    EMPLOYEE = "employee"  # 员工
    DIRECTOR = "director"  # 理事、董事
    SUPERVISOR = "supervisor"  # 监事
    SHAREHOLDER = "shareholder"  # 出资人、股东


EMPLOYMENT_ROLE_LABELS = Labels(
    {
        EmploymentRole.EMPLOYEE: N_("员工"),
        EmploymentRole.DIRECTOR: N_("理事（董事）"),
        EmploymentRole.SUPERVISOR: N_("监事"),
        EmploymentRole.SHAREHOLDER: N_("出资人（股东）"),
    }
)


class RelationKind(StrEnum):
    SPOUSE = "spouse"  # 配偶为其负责人
    CLOSE_RELATIVE = "close_relative"  # 近亲属为其负责人
    INTEREST = "interest"  # 其他利害关系


RELATION_KIND_LABELS = Labels(
    {
        RelationKind.SPOUSE: N_("配偶关系"),
        RelationKind.CLOSE_RELATIVE: N_("近亲属关系"),
        RelationKind.INTEREST: N_("其他利害关系"),
    }
)


class MemberKind(StrEnum):
    EXPERT = "expert"  # 评审专家（随机抽取）
    BUYER_REP = "buyer_rep"  # 采购人代表


MEMBER_KIND_LABELS = Labels({MemberKind.EXPERT: N_("评审专家"), MemberKind.BUYER_REP: N_("采购人代表")})


class MemberStatus(StrEnum):
    DRAWN = "drawn"
    DECLARED_NO_CONFLICT = "declared_no_conflict"
    REMOVED_CONFLICT = "removed_conflict"
    DECLINED = "declined"


# Who acts on a seat or a sheet: the seated person themselves (a drawn expert
# or the buyer's representative) and the buyer's officer; relations derived by
# evaluation.policies and tenders.policies from the data.
MEMBER = Relation.MEMBER
OFFICER = Relation.BUYER_OFFICER

# Members who still sit on the panel (removed and declined ones do not).
SEATED = frozenset({MemberStatus.DRAWN, MemberStatus.DECLARED_NO_CONFLICT})

MEMBER_TABLE = TransitionTable(
    "panel_member",
    states={
        MemberStatus.DRAWN: StateInfo(N_("已抽取，待回避声明"), N_("已抽取")),
        MemberStatus.DECLARED_NO_CONFLICT: StateInfo(N_("已声明无利害关系"), N_("已确认")),
        MemberStatus.REMOVED_CONFLICT: StateInfo(N_("因回避已移出"), N_("已回避")),
        MemberStatus.DECLINED: StateInfo(N_("已谢绝参加"), N_("已谢绝")),
    },
    transitions=[
        Transition(
            MemberStatus.DRAWN,
            "declare_no_conflict",
            MemberStatus.DECLARED_NO_CONFLICT,
            frozenset({MEMBER}),
            N_("声明无利害关系"),
            N_("确认"),
        ),
        Transition(
            MemberStatus.DRAWN,
            "declare_conflict",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({MEMBER}),
            N_("声明存在利害关系并回避"),
            N_("回避"),
        ),
        # A conflict found after the declaration still removes the member (invariant 5).
        Transition(
            MemberStatus.DECLARED_NO_CONFLICT,
            "declare_conflict",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({MEMBER}),
            N_("声明存在利害关系并回避"),
            N_("回避"),
        ),
        Transition(
            MemberStatus.DRAWN, "decline", MemberStatus.DECLINED, frozenset({MEMBER}), N_("谢绝参加评审"), N_("谢绝")
        ),
        Transition(
            MemberStatus.DRAWN,
            "remove",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({OFFICER}),
            N_("移出并补抽"),
            N_("回避"),
        ),
        Transition(
            MemberStatus.DECLARED_NO_CONFLICT,
            "remove",
            MemberStatus.REMOVED_CONFLICT,
            frozenset({OFFICER}),
            N_("移出并补抽"),
            N_("回避"),
        ),
    ],
    role_labels={MEMBER: N_("评标委员会成员本人"), OFFICER: N_("民政局经办人（本项目采购人）")},
)


class SheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"  # a later round replaced it (re-evaluation after an upheld challenge)


SHEET_TABLE = TransitionTable(
    "score_sheet",
    states={
        SheetStatus.DRAFT: StateInfo(N_("评分草稿"), N_("草稿")),
        SheetStatus.SUBMITTED: StateInfo(N_("已提交（锁定）"), N_("已提交")),
        SheetStatus.SUPERSEDED: StateInfo(N_("已由重新评审取代"), N_("已取代")),
    },
    transitions=[
        Transition(SheetStatus.DRAFT, "save", SheetStatus.DRAFT, frozenset({MEMBER}), N_("保存草稿"), N_("保存")),
        Transition(SheetStatus.DRAFT, "submit", SheetStatus.SUBMITTED, frozenset({MEMBER}), N_("提交评分"), N_("提交")),
        # Locked: the only change is a rule-25 correction, which keeps the old value (invariant 6).
        Transition(
            SheetStatus.SUBMITTED,
            "correct",
            SheetStatus.SUBMITTED,
            frozenset({MEMBER}),
            N_("更正评分（《政府采购货物和服务招标投标管理办法》第六十四条）"),
            N_("更正"),
        ),
        # The buyer's officer upholds a challenge and orders a re-evaluation (rule 27).
        Transition(
            SheetStatus.DRAFT, "supersede", SheetStatus.SUPERSEDED, frozenset({OFFICER}), N_("重新评审"), N_("重新评审")
        ),
        Transition(
            SheetStatus.SUBMITTED,
            "supersede",
            SheetStatus.SUPERSEDED,
            frozenset({OFFICER}),
            N_("重新评审"),
            N_("重新评审"),
        ),
    ],
    role_labels={MEMBER: N_("评标委员会成员本人"), OFFICER: N_("民政局经办人（本项目采购人）")},
)


class CorrectionReason(StrEnum):
    """The only four reasons a totalled score may change (rule 25)."""

    SUMMING_ERROR = "summing_error"
    OUT_OF_RANGE = "out_of_range"
    OBJECTIVE_INCONSISTENT = "objective_inconsistent"
    ABNORMAL_SCORE = "abnormal_score"


CORRECTION_REASON_LABELS = Labels(
    {
        CorrectionReason.SUMMING_ERROR: N_("分值汇总计算错误"),
        CorrectionReason.OUT_OF_RANGE: N_("分项评分超出评分标准规定的分值范围"),
        CorrectionReason.OBJECTIVE_INCONSISTENT: N_("客观评审因素评分不一致"),
        CorrectionReason.ABNORMAL_SCORE: N_("经评标委员会认定评分畸高、畸低"),
    }
)
