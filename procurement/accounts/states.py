"""Organization kinds, user roles and the organization status machine."""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, Role, StateInfo, Transition, TransitionTable

__all__ = ["ORG_KIND_LABELS", "ORG_STATUS_TABLE", "ROLE_LABELS", "ROLE_ORG_KIND", "OrgKind", "OrgStatus", "Role"]


class OrgKind(StrEnum):
    BUREAU = "bureau"  # 民政局、街道办事处: buyers
    SOCIAL_ORG = "social_org"  # 社会组织: providers
    AGENCY = "agency"  # 第三方评估机构
    EXPERT_POOL = "expert_pool"  # 评审专家库: the home of expert accounts


ORG_KIND_LABELS = Labels(
    {
        OrgKind.BUREAU: N_("政府部门（民政局、街道）"),
        OrgKind.SOCIAL_ORG: N_("社会组织"),
        OrgKind.AGENCY: N_("第三方评估机构"),
        OrgKind.EXPERT_POOL: N_("评审专家库"),
    }
)


ROLE_LABELS: Labels[str] = Labels(
    {
        Role.ADMIN: N_("系统管理员"),
        Role.OFFICER: N_("民政局经办人"),
        Role.FINANCE: N_("民政局财务"),
        Role.ORG_MEMBER: N_("社会组织用户"),
        Role.EXPERT: N_("评审专家"),
        Role.EVALUATOR: N_("评估机构评估员"),
    }
)

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
        OrgStatus.PENDING: StateInfo(N_("待审核"), N_("审核中")),
        OrgStatus.ACTIVE: StateInfo(N_("已启用"), N_("正常")),
        OrgStatus.REJECTED: StateInfo(N_("已驳回"), N_("未通过")),
        OrgStatus.SUSPENDED: StateInfo(N_("已停用"), N_("已停用")),
    },
    transitions=[
        Transition(
            OrgStatus.PENDING,
            "approve",
            OrgStatus.ACTIVE,
            frozenset({Role.OFFICER, Role.ADMIN}),
            N_("审核通过"),
            N_("审核通过"),
        ),
        Transition(
            OrgStatus.PENDING,
            "reject",
            OrgStatus.REJECTED,
            frozenset({Role.OFFICER, Role.ADMIN}),
            N_("驳回注册"),
            N_("未通过审核"),
        ),
        Transition(
            OrgStatus.REJECTED,
            "resubmit",
            OrgStatus.PENDING,
            frozenset({Relation.OWN_ORGANIZATION}),
            N_("重新提交"),
            N_("重新提交"),
        ),
        Transition(
            OrgStatus.ACTIVE, "suspend", OrgStatus.SUSPENDED, frozenset({Role.ADMIN}), N_("停用机构"), N_("停用")
        ),
        Transition(
            OrgStatus.SUSPENDED, "reactivate", OrgStatus.ACTIVE, frozenset({Role.ADMIN}), N_("重新启用"), N_("恢复")
        ),
    ],
    role_labels={**ROLE_LABELS.source(), Relation.OWN_ORGANIZATION: N_("该机构本身的用户")},
)
