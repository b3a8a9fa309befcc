"""Input and output models of bidding, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from procurement.core.api import BodyId
from procurement.core.i18n import N_
from procurement.tenders.schemas import Grade, RegistrationType, WorkerLevel


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class ListKind(StrEnum):
    ABNORMAL = "abnormal"  # 活动异常名录
    DISHONEST = "dishonest"  # 严重违法失信名单


class ListEntryIn(_In):
    list: ListKind
    entered_on: date
    removed_on: date | None = None


class ViolationIn(_In):
    date: date
    description: str = Field(min_length=2, max_length=500)


class ReportStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_FILED = "not_filed"


class EligibilityProfileIn(_In):
    registration_type: RegistrationType
    registration_date: date | None = None
    charter_scope: str = Field(default="", max_length=2000)
    grade: Grade | None = None
    grade_awarded_on: date | None = None
    annual_reports: dict[str, ReportStatus] = Field(default_factory=dict, description=N_("年份 → 年报状态"))
    list_entries: list[ListEntryIn] = Field(default_factory=list, max_length=50)
    violations: list[ViolationIn] = Field(default_factory=list, max_length=50)


class EligibilityProfileOut(EligibilityProfileIn):
    model_config = ConfigDict(extra="ignore")
    organization_id: int
    organization_name: str
    credit_code: str | None
    updated_at: datetime
    confirmed_at: datetime | None


class CheckOut(BaseModel):
    requirement: str
    passed: bool
    reason: str


class EligibilityOut(BaseModel):
    tender_id: int
    eligible: bool
    checks: list[CheckOut]


class TeamRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"
    SUPERVISOR = "supervisor"


class TeamMemberIn(_In):
    name: str = Field(min_length=1, max_length=50)
    level: WorkerLevel = WorkerLevel.NONE
    role: TeamRole = TeamRole.MEMBER
    certificate_no: str = Field(default="", max_length=40, description=N_("职业水平证书编号（不要填写身份证号）"))


class BidContentIn(_In):
    price_fen: int | None = Field(default=None, ge=0, le=10**15, description=N_("投标报价（分）"))
    requested_fen: int | None = Field(default=None, ge=0, le=10**15, description=N_("公益创投：申请资助（分）"))
    matching_fen: int | None = Field(default=None, ge=0, le=10**15, description=N_("公益创投：配套资金（分）"))
    project_budget_fen: int | None = Field(default=None, ge=0, le=10**15, description=N_("公益创投：项目总预算（分）"))
    answers: dict[str, str] = Field(default_factory=dict, description=N_("评审因素编号 → 响应内容"))
    team: list[TeamMemberIn] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=5000)


class CreateBidIn(_In):
    tender_id: BodyId
    lot_id: BodyId


class BidDocumentOut(BaseModel):
    id: int
    name: str
    sha256: str
    size: int
    doc_type: str
    uploaded_at: datetime


class SubmissionOut(BaseModel):
    version: int
    receipt_no: str
    content_sha256: str
    submitted_at: datetime
    tender_version: int


class BidOut(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    lot_id: int
    lot_name: str
    organization_id: int
    organization_name: str
    status: str
    status_label: str
    content: BidContentIn
    documents: list[BidDocumentOut]
    submissions: list[SubmissionOut]
    needs_confirmation: bool
    bid_deadline: datetime | None
    allowed_actions: list[str]


class BidSummary(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    lot_name: str
    status: str
    status_label: str
    submitted_at: datetime | None
    needs_confirmation: bool
    bid_deadline: datetime | None
    last_receipt_no: str | None


class ReceiptOut(BaseModel):
    receipt_no: str
    bid_id: int
    tender_reference_no: str
    tender_title: str
    lot_name: str
    organization_name: str
    version: int
    submitted_at: datetime
    submitted_at_local: str
    content_sha256: str
    documents: list[BidDocumentOut]


class VerifyReceiptIn(_In):
    receipt_no: str = Field(min_length=5, max_length=40)
    sha256: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-fA-F]{64}$")


class VerifyReceiptOut(BaseModel):
    receipt_found: bool
    hash_matches: bool
    opened: bool
    counted_at_opening: bool | None
    message: str


class OpeningBidder(BaseModel):
    bid_id: int
    organization_name: str
    lot_number: int
    lot_name: str
    amount_fen: int | None
    amount_label: str
    submitted_at: datetime
    receipt_no: str
    content_sha256: str
    documents: list[dict[str, str]]


class OpeningRecordOut(BaseModel):
    tender_id: int
    tender_title: str
    reference_no: str
    scheduled_at: datetime = Field(description=N_("开标时间：与投标截止时间相同"))
    opened_at: datetime = Field(description=N_("系统启封、生成本记录的时间"))
    bidders: list[OpeningBidder]
    valid_bids: int
    minimum: int
    failed: bool
    notes: list[str]


class BidBondOut(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    organization_id: int
    organization_name: str
    amount_fen: int
    paid_at: datetime | None
    refund_due_on: date | None
    refunded_at: datetime | None
    state: str
    state_label: str
