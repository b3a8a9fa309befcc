"""Input and output models of bidding, written by hand."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procurement.bids.states import ProfileStatus
from procurement.core.api import BodyId
from procurement.core.i18n import N_, _
from procurement.tenders.schemas import Grade, RegistrationType, WorkerLevel


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class ListKind(StrEnum):
    ABNORMAL = "abnormal"  # 活动异常名录
    DISHONEST = "dishonest"  # 严重违法失信名单
    BLACKLIST = "blacklist"  # the buyer's (call's) own blacklist, rule 4


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
    status: ProfileStatus = Field(description=N_("待确认（pending）、已确认（confirmed）、已退回（returned）"))
    status_label: str
    version: int = Field(description=N_("每次提交或修改加一；确认或退回时写明所审核的版本"))
    returned_reason: str = Field(default="", description=N_("最近一次退回的理由"))
    returned_at: datetime | None = None
    missing: list[str] = Field(
        default_factory=list, description=N_("参与投标（申报）前还缺什么：未确认、被退回、未填写的内容")
    )


class ProfileFilter(StrEnum):
    """Which profiles the bureau's review list shows."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    DECIDED = "decided"  # confirmed or returned, the latest decisions first


class ProfileSummary(BaseModel):
    """One organization's profile in the bureau's review list."""

    organization_id: int
    organization_name: str
    credit_code: str | None
    registration_type: str
    registration_label: str
    status: ProfileStatus
    status_label: str
    version: int
    updated_at: datetime
    confirmed_at: datetime | None
    returned_at: datetime | None
    returned_reason: str


class ConfirmProfileIn(_In):
    version: int | None = Field(default=None, ge=1, le=10**9, description=N_("所审核的资料版本；已被修改时拒绝"))


class ReturnProfileIn(_In):
    reason: str = Field(min_length=2, max_length=1000, description=N_("退回理由：机构会看到它，请写明要补正什么"))
    version: int | None = Field(default=None, ge=1, le=10**9, description=N_("所审核的资料版本；已被修改时拒绝"))


class CheckOut(BaseModel):
    requirement: str
    passed: bool
    reason: str
    pending: bool = Field(
        default=False,
        description=N_("待资格审查确认：开标后由采购人在资格审查时判断；不妨碍提交（passed 为 false）"),
    )


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
    scope_statement: str = Field(
        default="", max_length=2000, description=N_("业务范围说明：本机构章程业务范围如何涵盖本项目服务")
    )
    charter_scope: str = Field(
        default="", max_length=2000, description=N_("所引用的章程业务范围：保存和提交时由系统从资格资料写入")
    )


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
    content_salt: str | None = Field(
        default=None,
        description=N_("与本次提交一并加密保存并参与哈希计算的随机盐"),
    )
    documents: list[BidDocumentOut]
    bond: BidBondOut | None = Field(default=None, description=N_("本机构在本项目的投标保证金（如需缴纳）"))


BOND_REFERENCE = re.compile(r"^BZJ\d{12}$")


class BondPaymentIn(_In):
    reference: str = Field(max_length=40, description=N_("保证金编号（BZJ 加 12 位数字），见银行流水的附言或子账号"))

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        """As typed from a bank statement: spaces, dashes and lower case are forgiven."""
        normalised = re.sub(r"[\s-]", "", value).upper()
        if not BOND_REFERENCE.match(normalised):
            raise ValueError(_("保证金编号为 BZJ 加 12 位数字，请按银行流水核对。"))
        return normalised


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
    reference: str = Field(description=N_("保证金编号（类似银行虚拟子账号），缴纳时在转账附言中注明"))
    sealed: bool = Field(description=N_("开标前为真：采购人看不到项目和投标机构"))
    tender_id: int | None
    tender_title: str | None
    organization_id: int | None
    organization_name: str | None
    amount_fen: int
    paid_at: datetime | None
    refund_due_on: date | None
    refunded_at: datetime | None
    state: str
    state_label: str
