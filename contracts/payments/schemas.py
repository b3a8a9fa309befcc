"""Input and output of installment payments, written by hand (issue 14 §4, §6)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestPaymentIn(_In):
    note: str = Field(default="", max_length=2000, description=N_("拨付申请说明"))


class ApprovePaymentIn(_In):
    note: str = Field(default="", max_length=2000, description=N_("审核意见"))


class ReleasePaymentIn(_In):
    voucher_no: str = Field(
        min_length=1, max_length=60, pattern=r"^\S(.*\S)?$", description=N_("拨付凭证号（国库集中支付凭证号）")
    )


class PaymentTermIn(_In):
    days: int | None = Field(
        default=None, ge=1, le=60, description=N_("合同约定的付款期限（日，最长 60 日）；留空则按服务机构类型的设置")
    )


class InstallmentPaymentOut(BaseModel):
    seq: int
    label: str
    percent: int
    amount_fen: int  # the installment's current amount
    payable_fen: int  # what this installment pays (scaled by the final score when set)
    gate: str
    gate_label: str
    min_grade: str | None
    due_date: date | None  # a date gate's date
    status: str
    status_label: str
    gate_met_at: datetime | None
    assessment_id: int | None  # the evaluation that met or failed the gate: its report beside the approval
    due_on: date | None
    deadline_on: date | None
    days_left: int | None
    late: bool
    withheld_reason: str
    requested_at: datetime | None
    approved_at: datetime | None
    checked_at: datetime | None
    released_at: datetime | None
    released_fen: int
    voucher_no: str | None
    actions: list[str]


class InstallmentsOut(BaseModel):
    contract_id: int
    contract_number: str
    contract_title: str
    amount_fen: int  # the contract amount after changes
    cap_fen: int  # the most that may be released in total (the settlement counts once terminated)
    released_fen: int
    second_approval: bool
    agreed_days: int | None  # the payment term the contract agreed, if any
    payment_days: int  # the term that applies to an installment becoming due now
    installments: list[InstallmentPaymentOut]
