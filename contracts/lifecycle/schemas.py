"""Input and output models of a contract's life, written by hand."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from procurement.core.api import BodyId
from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class IndicatorIn(_In):
    name: str = Field(
        min_length=1, max_length=50, description=N_("服务指标，例如：服务人次、活动场次、服务时长、满意度")
    )
    unit: str = Field(default="", max_length=20, description=N_("单位，例如：人次、场、小时、%"))
    target: int | None = Field(default=None, ge=1, le=10**9, description=N_("目标值；签署前须填写"))


class InstallmentIn(_In):
    label: str = Field(default="", max_length=50)
    percent: int = Field(ge=1, le=100)
    gate: str = Field(pattern=r"^(signing|midterm|final|date)$", description=N_("付款条件"))
    min_grade: str | None = Field(default=None, pattern=r"^(excellent|good|pass)$")
    due_date: date | None = None


class CreateContractIn(_In):
    award_id: BodyId


class ContractDraftIn(_In):
    """What a party may change in a draft; fields left out keep their value. The buyer's
    officer sets the terms and confirms the provider's details; the provider enters its
    bank account, address and legal representative (which then need confirming again)."""

    title: str | None = Field(default=None, min_length=2, max_length=300)
    service_content: str | None = Field(default=None, max_length=20000)
    delivery_place: str | None = Field(default=None, max_length=200, description=N_("服务地点（社区）"))
    amount_fen: int | None = Field(default=None, ge=1, le=10**13, description=N_("合同金额（分）"))
    matching_fen: int | None = Field(default=None, ge=0, le=10**13, description=N_("公益创投：配套资金（分）"))
    term_start: date | None = None
    term_end: date | None = None
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=30)
    installments: list[InstallmentIn] | None = Field(default=None, min_length=1, max_length=12)
    performance_bond_fen: int | None = Field(default=None, ge=0, le=10**13, description=N_("履约保证金（分）"))
    provider_address: str | None = Field(default=None, max_length=200)
    provider_legal_rep: str | None = Field(default=None, max_length=50)
    provider_bank_name: str | None = Field(default=None, max_length=100)
    provider_bank_account: str | None = Field(default=None, max_length=40, pattern=r"^[0-9 \-]*$")
    confirm_provider_details: bool = Field(default=False, description=N_("采购人确认服务机构填写的信息"))


class SignIn(_In):
    version: int = Field(ge=1, le=10_000, description=N_("所签署的版本号（须为当前版本）"))


class OfflineSigningIn(_In):
    version: int = Field(ge=1, le=10_000)
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=30_000_000, description=N_("签字盖章后的合同扫描件（PDF）"))


class GroundIn(_In):
    ground: str = Field(pattern=r"^(consent|legal)$", description=N_("双方协商一致，或法定事由"))
    reason: str = Field(min_length=4, max_length=2000, description=N_("理由；法定事由须写明依据"))


class TerminateIn(GroundIn):
    settlement_fen: int = Field(ge=0, le=10**13, description=N_("结算金额（分），不超过未付余额"))


class BondRefundIn(_In):
    voucher_no: str = Field(min_length=2, max_length=50, description=N_("退还履约保证金的凭证号"))


class FilingIn(_In):
    reference: str = Field(min_length=2, max_length=100, description=N_("备案编号"))


class InstallmentOut(BaseModel):
    seq: int
    label: str
    percent: int
    amount_fen: int
    amount: str
    gate: str
    gate_label: str
    min_grade: str | None
    due_date: date | None


class IndicatorOut(BaseModel):
    name: str
    unit: str
    target: int | None


class SignatureOut(BaseModel):
    version: int
    party: str
    party_label: str
    sha256: str
    offline: bool
    signed_at: datetime


class ContractOut(BaseModel):
    id: int
    number: str
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    tender_id: int
    lot_id: int
    award_id: int
    buyer_id: int
    buyer_name: str
    provider_id: int
    provider_name: str
    provider_credit_code: str
    provider_address: str
    provider_legal_rep: str
    provider_bank_name: str
    provider_bank_account: str
    provider_confirmed: bool
    service_content: str
    delivery_place: str
    awarded_fen: int
    amount_fen: int
    amount: str
    amount_upper: str
    funded_fen: int
    matching_fen: int
    term_start: date | None
    term_end: date | None
    term_justification: str
    indicators: list[IndicatorOut]
    installments: list[InstallmentOut]
    team_requirements: dict
    promised_team: list[dict]
    performance_bond_fen: int
    version: int
    version_sha256: str | None
    signatures: list[SignatureOut]
    letter_issued_on: date
    signing_deadline: date
    signing_overdue: bool
    signing_blockers: list[str]
    signing_gaps: list[str]
    signed_at: datetime | None
    signed_offline: bool
    offline_scan_sha256: str
    notice_due_on: date | None
    notice_id: int | None
    notice_published_at: datetime | None
    filing_due_on: date | None
    filed_at: datetime | None
    filing_reference: str
    filing_overdue: bool
    suspension_reason: str
    termination_reason: str
    settlement_fen: int | None
    bond_refund_due_on: date | None  # the performance bond's return, once the contract has ended
    bond_refunded_at: datetime | None
    bond_refund_voucher: str
    bond_refund_overdue: bool
    allowed_actions: list[str]


class ContractSummary(BaseModel):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    buyer_name: str
    provider_name: str
    amount_fen: int
    amount: str
    signing_deadline: date
    signing_overdue: bool
