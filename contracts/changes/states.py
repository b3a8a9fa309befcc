"""The status machine of a contract change (issue 12 §5; rule 28).

A change is proposed by either party of an active contract (the buyer's officer or a
member of the provider) and takes effect only when both parties have signed the same
text (《政府采购法》第四十九条、第五十条: no party changes the contract alone):

    proposed → (a first party signs) awaiting_countersign → (the other signs) effective
    proposed | awaiting_countersign → withdrawn (by its proposer) | refused (by the other party)

Either party may sign first (the proposer usually does). A proposal whose contract
changed in between cannot take effect (the service refuses the countersignature); it is
withdrawn and proposed again on the new values.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

OFFICER = Relation.BUYER_OFFICER
PROVIDER = Relation.PROVIDER
PARTIES = frozenset({OFFICER, PROVIDER})


class ChangeStatus(StrEnum):
    PROPOSED = "proposed"
    AWAITING_COUNTERSIGN = "awaiting_countersign"
    EFFECTIVE = "effective"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


OPEN_STATES = (ChangeStatus.PROPOSED, ChangeStatus.AWAITING_COUNTERSIGN)


class ChangeKind(StrEnum):
    SUPPLEMENT = "supplement"  # 补充合同: more of the same service (《政府采购法》第四十九条)
    AGREED = "agreed"  # 合同变更: other terms agreed by both (《政府采购法》第五十条)


CHANGE_KIND_LABELS = Labels({ChangeKind.SUPPLEMENT: N_("补充合同"), ChangeKind.AGREED: N_("合同变更协议")})

S = ChangeStatus

CHANGE_TABLE = TransitionTable(
    "contract_change",
    states={
        S.PROPOSED: StateInfo(N_("已提出，待双方签署"), N_("待签署")),
        S.AWAITING_COUNTERSIGN: StateInfo(N_("一方已签署，待另一方签署"), N_("签署中")),
        S.EFFECTIVE: StateInfo(N_("双方已签署，已生效"), N_("已生效")),
        S.WITHDRAWN: StateInfo(N_("已由提出方撤回"), N_("已撤回")),
        S.REFUSED: StateInfo(N_("另一方不同意"), N_("未同意")),
    },
    transitions=[
        Transition(S.PROPOSED, "sign", S.AWAITING_COUNTERSIGN, PARTIES, N_("签署变更"), N_("签署")),
        Transition(S.AWAITING_COUNTERSIGN, "countersign", S.EFFECTIVE, PARTIES, N_("会签生效"), N_("签署")),
        Transition(S.PROPOSED, "withdraw", S.WITHDRAWN, PARTIES, N_("撤回变更提议"), N_("撤回")),
        Transition(S.AWAITING_COUNTERSIGN, "withdraw", S.WITHDRAWN, PARTIES, N_("撤回变更提议"), N_("撤回")),
        Transition(S.PROPOSED, "refuse", S.REFUSED, PARTIES, N_("不同意变更"), N_("不同意")),
        Transition(S.AWAITING_COUNTERSIGN, "refuse", S.REFUSED, PARTIES, N_("不同意变更"), N_("不同意")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), PROVIDER: N_("服务机构的工作人员")},
)


class Rationale(StrEnum):
    """The listed kinds of rationale; each belongs to one kind of change."""

    MORE_SERVICE = "more_service"  # 补充服务量
    TERM = "term"  # 服务期限调整
    INDICATORS = "indicators"  # 服务指标调整
    PAYMENT = "payment"  # 支付安排调整
    PLACE = "place"  # 服务地点调整


RATIONALE_KIND: dict[str, ChangeKind] = {
    Rationale.MORE_SERVICE: ChangeKind.SUPPLEMENT,
    Rationale.TERM: ChangeKind.AGREED,
    Rationale.INDICATORS: ChangeKind.AGREED,
    Rationale.PAYMENT: ChangeKind.AGREED,
    Rationale.PLACE: ChangeKind.AGREED,
}

RATIONALE_LABELS = Labels(
    {
        Rationale.MORE_SERVICE: N_("补充服务量"),
        Rationale.TERM: N_("服务期限调整"),
        Rationale.INDICATORS: N_("服务指标调整"),
        Rationale.PAYMENT: N_("支付安排调整"),
        Rationale.PLACE: N_("服务地点调整"),
    }
)

LEGAL_BASIS = Labels(
    {ChangeKind.SUPPLEMENT: N_("《政府采购法》第四十九条"), ChangeKind.AGREED: N_("《政府采购法》第五十条")}
)
