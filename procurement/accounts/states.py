"""Organization kinds, user roles and the organization status machine."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import Relation, Role, StateInfo, Transition, TransitionTable

__all__ = ["ORG_KIND_LABELS", "ORG_STATUS_TABLE", "ROLE_LABELS", "ROLE_ORG_KIND", "OrgKind", "OrgStatus", "Role"]


class OrgKind(StrEnum):
    BUREAU = "bureau"  # 民政局、街道办事处: buyers
    SOCIAL_ORG = "social_org"  # 社会组织: providers
    AGENCY = "agency"  # 第三方评估机构
    EXPERT_POOL = "expert_pool"  # 评审专家库: the home of expert accounts


ORG_KIND_LABELS = {
    OrgKind.BUREAU: "政府部门（民政局、街道）",
    OrgKind.SOCIAL_ORG: "社会组织",
    OrgKind.AGENCY: "第三方评估机构",
    OrgKind.EXPERT_POOL: "评审专家库",
}


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "系统管理员",
    Role.OFFICER: "民政局经办人",
    Role.FINANCE: "民政局财务",
    Role.ORG_MEMBER: "社会组织用户",
    Role.EXPERT: "评审专家",
    Role.EVALUATOR: "评估机构评估员",
}

# Which organization kind each role belongs to (None: any or none).
ROLE_ORG_KIND: dict[Role, OrgKind | None] = {
    Role.ADMIN: None,
    Role.OFFICER: OrgKind.BUREAU,
    Role.FINANCE: OrgKind.BUREAU,
    Role.ORG_MEMBER: OrgKind.SOCIAL_ORG,
    Role.EXPERT: OrgKind.EXPERT_POOL,
    Role.EVALUATOR: OrgKind.AGENCY,
}


class OrgStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


ORG_STATUS_TABLE = TransitionTable(
    "organization",
    states={
        OrgStatus.PENDING: StateInfo("待审核", "审核中"),
        OrgStatus.ACTIVE: StateInfo("已启用", "正常"),
        OrgStatus.REJECTED: StateInfo("已驳回", "未通过"),
        OrgStatus.SUSPENDED: StateInfo("已停用", "已停用"),
    },
    transitions=[
        Transition(
            OrgStatus.PENDING,
            "approve",
            OrgStatus.ACTIVE,
            frozenset({Role.OFFICER, Role.ADMIN}),
            "审核通过",
            "审核通过",
        ),
        Transition(
            OrgStatus.PENDING,
            "reject",
            OrgStatus.REJECTED,
            frozenset({Role.OFFICER, Role.ADMIN}),
            "驳回注册",
            "未通过审核",
        ),
        Transition(
            OrgStatus.REJECTED,
            "resubmit",
            OrgStatus.PENDING,
            frozenset({Relation.OWN_ORGANIZATION}),
            "重新提交",
            "重新提交",
        ),
        Transition(OrgStatus.ACTIVE, "suspend", OrgStatus.SUSPENDED, frozenset({Role.ADMIN}), "停用机构", "停用"),
        Transition(OrgStatus.SUSPENDED, "reactivate", OrgStatus.ACTIVE, frozenset({Role.ADMIN}), "重新启用", "恢复"),
    ],
    role_labels={**ROLE_LABELS, Relation.OWN_ORGANIZATION: "该机构本身的用户"},
)
