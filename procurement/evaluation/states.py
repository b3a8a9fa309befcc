"""Expert-pool vocabularies and the panel-member status machine (invariant 3)."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import StateInfo, Transition, TransitionTable


class EmploymentRole(StrEnum):
    """Positions that make an expert withdraw for 3 years (rule 20)."""

    EMPLOYEE = "employee"        # 员工
    DIRECTOR = "director"        # 理事、董事
    SUPERVISOR = "supervisor"    # 监事
    SHAREHOLDER = "shareholder"  # 出资人、股东


EMPLOYMENT_ROLE_LABELS = {
    EmploymentRole.EMPLOYEE: "员工",
    EmploymentRole.DIRECTOR: "理事（董事）",
    EmploymentRole.SUPERVISOR: "监事",
    EmploymentRole.SHAREHOLDER: "出资人（股东）",
}


class RelationKind(StrEnum):
    SPOUSE = "spouse"                  # 配偶为其负责人
    CLOSE_RELATIVE = "close_relative"  # 近亲属为其负责人
    INTEREST = "interest"              # 其他利害关系


RELATION_KIND_LABELS = {
    RelationKind.SPOUSE: "配偶关系",
    RelationKind.CLOSE_RELATIVE: "近亲属关系",
    RelationKind.INTEREST: "其他利害关系",
}


class MemberKind(StrEnum):
    EXPERT = "expert"        # 评审专家（随机抽取）
    BUYER_REP = "buyer_rep"  # 采购人代表


MEMBER_KIND_LABELS = {MemberKind.EXPERT: "评审专家", MemberKind.BUYER_REP: "采购人代表"}


class MemberStatus(StrEnum):
    DRAWN = "drawn"
    DECLARED_NO_CONFLICT = "declared_no_conflict"
    REMOVED_CONFLICT = "removed_conflict"
    DECLINED = "declined"


EXPERT = "expert"
OFFICER = "bureau_officer"

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
        Transition(MemberStatus.DRAWN, "declare_no_conflict", MemberStatus.DECLARED_NO_CONFLICT,
                   frozenset({EXPERT}), "声明无利害关系", "确认"),
        Transition(MemberStatus.DRAWN, "declare_conflict", MemberStatus.REMOVED_CONFLICT,
                   frozenset({EXPERT}), "声明存在利害关系并回避", "回避"),
        # A conflict found after the declaration still removes the member (invariant 5).
        Transition(MemberStatus.DECLARED_NO_CONFLICT, "declare_conflict", MemberStatus.REMOVED_CONFLICT,
                   frozenset({EXPERT}), "声明存在利害关系并回避", "回避"),
        Transition(MemberStatus.DRAWN, "decline", MemberStatus.DECLINED,
                   frozenset({EXPERT}), "谢绝参加评审", "谢绝"),
        Transition(MemberStatus.DRAWN, "remove", MemberStatus.REMOVED_CONFLICT,
                   frozenset({OFFICER}), "移出并补抽", "回避"),
        Transition(MemberStatus.DECLARED_NO_CONFLICT, "remove", MemberStatus.REMOVED_CONFLICT,
                   frozenset({OFFICER}), "移出并补抽", "回避"),
    ],
    role_labels={EXPERT: "评审专家本人", OFFICER: "采购人经办人"},
)
