"""A progress report's status machine (issue 12 §6; invariant 3).

未提交 (due, a row from the start) → 已提交 (the provider submits) → 已通过 (the
buyer's officer accepts) | 已退回 (returned with comments) → 已提交 (resubmitted) …
Being overdue is a flag the sweep sets, not a status: a late report is still due and
keeps its due date.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

# Relations derived from the contract row by contracts.delivery.policies.
OFFICER = Relation.BUYER_OFFICER  # an officer of the contract's buyer
PROVIDER = Relation.PROVIDER  # a member of the contract's provider


class ReportStatus(StrEnum):
    DUE = "due"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReviewOutcome(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


S = ReportStatus

REPORT_TABLE = TransitionTable(
    "progress_report",
    states={
        S.DUE: StateInfo(N_("未提交"), N_("未提交")),
        S.SUBMITTED: StateInfo(N_("已提交，待审核"), N_("已提交")),
        S.ACCEPTED: StateInfo(N_("已通过"), N_("已通过")),
        S.RETURNED: StateInfo(N_("已退回，待重新提交"), N_("已退回")),
    },
    transitions=[
        Transition(S.DUE, "submit", S.SUBMITTED, frozenset({PROVIDER}), N_("提交进度报告"), N_("提交")),
        Transition(S.SUBMITTED, "accept", S.ACCEPTED, frozenset({OFFICER}), N_("审核通过"), N_("通过")),
        Transition(S.SUBMITTED, "return", S.RETURNED, frozenset({OFFICER}), N_("退回修改"), N_("退回")),
        Transition(S.RETURNED, "resubmit", S.SUBMITTED, frozenset({PROVIDER}), N_("重新提交"), N_("提交")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), PROVIDER: N_("服务机构的工作人员")},
)

SCHEDULE_KIND_LABELS = Labels({"monthly": N_("按月"), "quarterly": N_("按季度"), "custom": N_("自定日期")})
OUTCOME_LABELS = Labels({ReviewOutcome.ACCEPT: N_("通过"), ReviewOutcome.RETURN: N_("退回")})
