"""The contract's status machine (rule 28; invariant 3).

draft → awaiting signatures (the first party signs; the text of that version is
frozen) → active (the other party signs the same version, or the officer records a
paper signing) ⇄ suspended → completed | terminated. A correction after the first
signature is a new version back in draft, which both sign again. No party changes,
suspends or ends a contract alone (《政府采购法》第五十条): the buyer's officer
records suspension, resumption and termination with the provider's consent or a
stated legal ground.
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

# Relations derived from the contract row by contracts.lifecycle.policies.
OFFICER = Relation.BUYER_OFFICER  # an officer of the contract's buyer
PROVIDER = Relation.PROVIDER  # a member of the contract's provider
PARTIES = frozenset({OFFICER, PROVIDER})
BUYER = frozenset({OFFICER})


class ContractStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNATURES = "awaiting_signatures"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    VOIDED = "voided"  # never signed: its award was revoked


class ContractKind(StrEnum):
    SERVICE = "service"  # 政府购买服务合同
    VENTURE = "venture"  # 公益创投项目资助协议


CONTRACT_KIND_LABELS = Labels(
    {ContractKind.SERVICE: N_("政府购买服务合同"), ContractKind.VENTURE: N_("公益创投项目资助协议")}
)


class Party(StrEnum):
    BUYER = "buyer"  # 甲方：采购人
    PROVIDER = "provider"  # 乙方：服务机构


PARTY_LABELS = Labels({Party.BUYER: N_("甲方（采购人）"), Party.PROVIDER: N_("乙方（服务机构）")})

S = ContractStatus

CONTRACT_TABLE = TransitionTable(
    "contract",
    states={
        S.DRAFT: StateInfo(N_("草稿（可修改）"), N_("拟签订")),
        S.AWAITING_SIGNATURES: StateInfo(N_("已有一方签署，待另一方签署"), N_("签署中")),
        S.ACTIVE: StateInfo(N_("履行中"), N_("履行中")),
        S.SUSPENDED: StateInfo(N_("已中止"), N_("中止")),
        S.COMPLETED: StateInfo(N_("已完成"), N_("已完成")),
        S.TERMINATED: StateInfo(N_("已解除"), N_("已解除")),
        S.VOIDED: StateInfo(N_("已作废（中标结果已撤销）"), N_("已作废")),
    },
    transitions=[
        Transition(S.DRAFT, "update", S.DRAFT, PARTIES, N_("修改合同草稿"), N_("修改")),
        # The first signature freezes the text of this version.
        Transition(S.DRAFT, "sign", S.AWAITING_SIGNATURES, PARTIES, N_("签署合同"), N_("签署")),
        # The other party signs the same version: the contract takes effect.
        Transition(S.AWAITING_SIGNATURES, "countersign", S.ACTIVE, PARTIES, N_("会签生效"), N_("签署")),
        # A correction after a signature: a new version, signed again by both.
        Transition(S.AWAITING_SIGNATURES, "revise", S.DRAFT, PARTIES, N_("修改已签署的文本（形成新版本）"), N_("修改")),
        Transition(S.DRAFT, "record_offline", S.ACTIVE, BUYER, N_("登记线下签订"), N_("签订")),
        Transition(S.AWAITING_SIGNATURES, "record_offline", S.ACTIVE, BUYER, N_("登记线下签订"), N_("签订")),
        Transition(S.ACTIVE, "suspend", S.SUSPENDED, BUYER, N_("中止履行"), N_("中止")),
        Transition(S.SUSPENDED, "resume", S.ACTIVE, BUYER, N_("恢复履行"), N_("恢复")),
        Transition(S.ACTIVE, "terminate", S.TERMINATED, BUYER, N_("解除合同"), N_("解除")),
        Transition(S.SUSPENDED, "terminate", S.TERMINATED, BUYER, N_("解除合同"), N_("解除")),
        Transition(S.ACTIVE, "complete", S.COMPLETED, BUYER, N_("合同履行完毕"), N_("完成")),
        # An unsigned contract falls with its award (an upheld challenge revokes it): the system
        # voids it when awards tells it so (the event ``award.revoked``).
        Transition(S.DRAFT, "void", S.VOIDED, frozenset(), N_("作废（中标结果已撤销）"), N_("作废")),
        Transition(S.AWAITING_SIGNATURES, "void", S.VOIDED, frozenset(), N_("作废（中标结果已撤销）"), N_("作废")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), PROVIDER: N_("服务机构的工作人员")},
)

# Who signs for which side: the relation a policy found names the party.
PARTY_OF: dict[str, Party] = {OFFICER: Party.BUYER, PROVIDER: Party.PROVIDER}


class SuspensionGround(StrEnum):
    """Why the buyer may record a suspension or a termination (《政府采购法》第五十条):
    the provider agreed, or a ground the law gives, stated in the record."""

    CONSENT = "consent"  # 双方协商一致
    LEGAL = "legal"  # 法定事由（须写明依据）


GROUND_LABELS: Labels[str] = Labels(
    {SuspensionGround.CONSENT: N_("双方协商一致"), SuspensionGround.LEGAL: N_("法定事由")}
)
