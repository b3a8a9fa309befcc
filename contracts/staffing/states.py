"""The words of social-worker teams (issue 13; rules 38–40, invariant 9): certificate
levels, employment, team roles, and a replacement request's status machine.

A replacement (rule 40) is requested by the provider with a reason and a candidate
(待审批), then approved or refused by the buyer's officer. A refused request changes nothing on the team;
an approved one swaps the member, keeping who was on the team when.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

# Relations derived from the contract row by contracts.staffing.policies.
OFFICER = Relation.BUYER_OFFICER  # an officer of the contract's buyer
PROVIDER = Relation.PROVIDER  # a member of the contract's provider


class CertLevel(StrEnum):
    """社会工作者职业水平, lowest first (the values of the tender's lead level)."""

    NONE = "none"
    ASSISTANT = "assistant"  # 助理社会工作师
    INTERMEDIATE = "intermediate"  # 社会工作师
    SENIOR = "senior"  # 高级社会工作师


CERT_LEVEL_LABELS = Labels(
    {
        CertLevel.NONE: N_("无证书"),
        CertLevel.ASSISTANT: N_("助理社会工作师"),
        CertLevel.INTERMEDIATE: N_("社会工作师"),
        CertLevel.SENIOR: N_("高级社会工作师"),
    }
)


class Employment(StrEnum):
    EMPLOYED = "employed"
    LEFT = "left"


EMPLOYMENT_LABELS = Labels({Employment.EMPLOYED: N_("在职"), Employment.LEFT: N_("离职")})


class TeamRole(StrEnum):
    LEAD = "lead"  # 项目负责人
    SUPERVISOR = "supervisor"  # 督导
    WORKER = "worker"  # 社工 (项目社工)
    ASSISTANT = "assistant"  # 助理
    VOLUNTEER = "volunteer"  # 志愿者


TEAM_ROLE_LABELS = Labels(
    {
        TeamRole.LEAD: N_("项目负责人"),
        TeamRole.SUPERVISOR: N_("督导"),
        TeamRole.WORKER: N_("社工"),
        TeamRole.ASSISTANT: N_("助理"),
        TeamRole.VOLUNTEER: N_("志愿者"),
    }
)


class ReplacementStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Decision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


S = ReplacementStatus

REPLACEMENT_TABLE = TransitionTable(
    "team_replacement",
    states={
        S.PENDING: StateInfo(N_("待采购人审批"), N_("待审批")),
        S.APPROVED: StateInfo(N_("已批准，已更换"), N_("已批准")),
        S.REFUSED: StateInfo(N_("未批准，团队不变"), N_("未批准")),
    },
    transitions=[
        Transition(S.PENDING, "approve", S.APPROVED, frozenset({OFFICER}), N_("批准更换"), N_("批准")),
        Transition(S.PENDING, "refuse", S.REFUSED, frozenset({OFFICER}), N_("不予批准"), N_("不批准")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), PROVIDER: N_("服务机构的工作人员")},
)
