"""An installment payment's status machine (issue 14 §4; invariants 3, 7, 8).

待条件 (waiting: the gate is not met) → 应付 (due: the gate is met, the payment
deadline runs) → 已申请 (requested: the provider's 拨付申请, or the system's when the
provider need not ask) → 已审核 (approved by the buyer's officer) → [已复核 (checked by
finance, when a second approval is required)] → 已拨付 (released by finance with the
voucher number). A 不合格 grade withholds (暂缓支付) an installment not yet released; a
re-evaluation that passes makes it due again. Being late is a flag the sweep sets, not
a status. Released is final: nothing leaves it, so an installment is paid once.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Relation, StateInfo, Transition, TransitionTable

# Relations derived from the contract row by contracts.payments.policies.
OFFICER = Relation.BUYER_OFFICER  # an officer of the contract's buyer
FINANCE = Relation.BUYER_STAFF  # granted only to a finance member of the contract's buyer
PROVIDER = Relation.PROVIDER  # a member of the contract's provider


class PaymentStatus(StrEnum):
    WAITING = "waiting"
    DUE = "due"
    REQUESTED = "requested"
    APPROVED = "approved"
    CHECKED = "checked"
    RELEASED = "released"
    WITHHELD = "withheld"


S = PaymentStatus
SYSTEM = frozenset[str]()
UNPAID = (S.WAITING, S.DUE, S.REQUESTED, S.APPROVED, S.CHECKED)

PAYMENT_TABLE = TransitionTable(
    "installment_payment",
    states={
        S.WAITING: StateInfo(N_("未到付款条件"), N_("未到付款条件")),
        S.DUE: StateInfo(N_("应付，待申请拨付"), N_("应付")),
        S.REQUESTED: StateInfo(N_("已申请拨付，待审核"), N_("已申请")),
        S.APPROVED: StateInfo(N_("已审核，待财务拨付"), N_("已审核")),
        S.CHECKED: StateInfo(N_("财务已复核，待拨付"), N_("已复核")),
        S.RELEASED: StateInfo(N_("已拨付"), N_("已拨付")),
        S.WITHHELD: StateInfo(N_("暂缓支付"), N_("暂缓支付")),
    },
    transitions=[
        Transition(S.WAITING, "gate_met", S.DUE, SYSTEM, N_("付款条件达成"), N_("应付")),
        Transition(S.DUE, "request", S.REQUESTED, frozenset({PROVIDER}), N_("申请拨付"), N_("申请拨付")),
        Transition(S.DUE, "auto_request", S.REQUESTED, SYSTEM, N_("自动生成拨付申请"), N_("已申请")),
        Transition(S.REQUESTED, "approve", S.APPROVED, frozenset({OFFICER}), N_("审核通过拨付"), N_("审核通过")),
        Transition(S.APPROVED, "check", S.CHECKED, frozenset({FINANCE}), N_("财务复核"), N_("复核")),
        Transition(S.APPROVED, "release", S.RELEASED, frozenset({FINANCE}), N_("拨付"), N_("拨付")),
        Transition(S.CHECKED, "release", S.RELEASED, frozenset({FINANCE}), N_("拨付"), N_("拨付")),
        Transition(S.WAITING, "withhold", S.WITHHELD, SYSTEM, N_("暂缓支付"), N_("暂缓支付")),
        Transition(S.DUE, "withhold", S.WITHHELD, SYSTEM, N_("暂缓支付"), N_("暂缓支付")),
        Transition(S.REQUESTED, "withhold", S.WITHHELD, SYSTEM, N_("暂缓支付"), N_("暂缓支付")),
        Transition(S.APPROVED, "withhold", S.WITHHELD, SYSTEM, N_("暂缓支付"), N_("暂缓支付")),
        Transition(S.CHECKED, "withhold", S.WITHHELD, SYSTEM, N_("暂缓支付"), N_("暂缓支付")),
        Transition(S.WITHHELD, "gate_met", S.DUE, SYSTEM, N_("整改后付款条件达成"), N_("应付")),
        Transition(S.WITHHELD, "reinstate", S.WAITING, SYSTEM, N_("恢复待付款条件"), N_("未到付款条件")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), FINANCE: N_("采购人的财务人员"), PROVIDER: N_("服务机构的工作人员")},
)
