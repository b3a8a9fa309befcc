"""Input and output models of contract changes, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.lifecycle.schemas import IndicatorIn, InstallmentIn
from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class ProposeChangeIn(_In):
    """A proposal: its kind, a listed rationale, and the new values of the terms it
    changes (terms left out keep their current value; the proposal then holds the full
    new terms). A 补充合同 gives the new, higher amount; the schedule's shares stay and
    its amounts follow. A new schedule is given as shares; its amounts are computed."""

    kind: str = Field(pattern=r"^(supplement|agreed)$", description=N_("补充合同，或其他条款的协商变更"))
    rationale: str = Field(
        pattern=r"^(more_service|term|indicators|payment|place)$",
        description=N_("变更理由：补充服务量、服务期限调整、服务指标调整、支付安排调整、服务地点调整"),
    )
    explanation: str = Field(min_length=4, max_length=2000, description=N_("变更的具体说明"))
    amount_fen: int | None = Field(default=None, ge=1, le=10**13, description=N_("变更后的合同金额（分）"))
    term_start: date | None = None
    term_end: date | None = None
    delivery_place: str | None = Field(default=None, max_length=200, description=N_("变更后的服务地点"))
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=30)
    installments: list[InstallmentIn] | None = Field(default=None, min_length=1, max_length=12)


class SignChangeIn(_In):
    sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description=N_("所签署文本的 SHA-256（须与当前文本一致）")
    )


class WithdrawChangeIn(_In):
    reason: str = Field(default="", max_length=2000, description=N_("撤回或不同意的理由"))


class ChangeDiffOut(BaseModel):
    field: str
    field_label: str
    old: Any
    new: Any


class ChangeSignatureOut(BaseModel):
    party: str
    party_label: str
    sha256: str
    signed_at: datetime


class ContractChangeOut(BaseModel):
    id: int
    contract_id: int
    seq: int
    number_label: str
    kind: str
    kind_label: str
    rationale: str
    rationale_label: str
    explanation: str
    legal_basis: str
    status: str
    status_label: str
    diff: list[ChangeDiffOut]
    new_terms: dict[str, Any]
    added_fen: int
    proposed_party: str
    proposed_at: datetime
    effective_at: datetime | None
    closed_reason: str
    sha256: str
    signatures: list[ChangeSignatureOut]
    actions: list[str]
