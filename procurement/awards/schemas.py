"""Input and output models of awards, challenges and complaints, written by hand."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from procurement.awards.states import ChallengeKind, ChallengeOutcome, RefusalKind
from procurement.core.i18n import N_
from procurement.evaluation.schemas import CriterionOut


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class AwardChoiceIn(_In):
    lot_id: int = Field(ge=1, le=2_147_483_647)
    bid_id: int = Field(ge=1, le=2_147_483_647)
    amount_fen: int | None = Field(
        default=None, ge=1, le=10**13, description=N_("公益创投：资助金额（分），不超过评审建议额；其他方式为报价")
    )
    reason: str = Field(default="", max_length=2000, description=N_("不按排名第一确定时必填的理由"))


class AwardIn(_In):
    choices: list[AwardChoiceIn] = Field(min_length=1, max_length=200)


class AwardOut(BaseModel):
    id: int
    tender_id: int
    lot_id: int
    lot_name: str
    bid_id: int
    organization_id: int
    organization_name: str
    amount_fen: int
    amount: str
    rank: int
    total: str
    reason: str
    status: str
    deemed: bool
    decided_at: datetime
    letter_no: str
    challenge_until: date | None
    publicity_until: date | None
    revoked_reason: str
    refusal_kind: str = Field(default="", description=N_("中标人拒签时：refused（拒绝签订）或 overdue（逾期未签订）"))
    replaces: int | None = Field(default=None, description=N_("本中标所替代的（中标人拒签的）原中标记录"))


class WinnerRefusalIn(_In):
    kind: RefusalKind = Field(description=N_("refused：中标人书面拒绝签订；overdue：30 日内未签订"))
    reason: str = Field(min_length=4, max_length=2000, description=N_("记录在案并在变更公告中公布的理由"))
    written_refusal: bool = Field(default=False, description=N_("已收到中标人的书面拒签意见（拒绝签订时必须）"))


class WinnerRefusalOut(BaseModel):
    refused: AwardOut
    new_award: AwardOut | None = Field(description=N_("改授予的下一名；无合格候选人时为空，该包废标"))
    lot_failed: bool
    notice_id: int
    message: str


class AwardNoticeOut(BaseModel):
    tender_id: int
    notice_id: int
    title: str
    content: str
    published_at: datetime
    awards: list[AwardOut]
    challenge_until: date | None
    publicity_until: date | None


class MyResultOut(BaseModel):
    """结果通知书: a bidder's own scores and rank, never the others' details."""

    tender_id: int
    tender_title: str
    bid_id: int
    organization_name: str
    won: bool
    rank: int | None
    joint: bool
    total: str | None
    criterion_means: dict[str, str]
    price_score: str | None
    criteria: list[CriterionOut]
    status_label: str
    reason: str
    winners: list[str]
    challenge_until: date | None
    award_id: int | None


class ChallengeDocumentIn(_In):
    name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=28_000_000)


class ChallengeIn(_In):
    kind: ChallengeKind = Field(
        default=ChallengeKind.RESULT,
        description=N_("质疑对象：documents 采购文件，process 采购过程，result 采购结果"),
    )
    step: str = Field(
        default="",
        max_length=30,
        description=N_(
            "采购过程的环节：opening 开标，qualification 资格审查，evaluation 评标；对更正公告修改内容的质疑为 amendment-版本号"
        ),
    )
    grounds: str = Field(min_length=10, max_length=20000, description=N_("质疑事项、事实依据和法律依据"))
    documents: list[ChallengeDocumentIn] = Field(default_factory=list, max_length=5)


class AnswerIn(_In):
    outcome: ChallengeOutcome
    answer: str = Field(min_length=10, max_length=20000)
    affects_result: bool = Field(default=True, description=N_("质疑是否可能影响中标结果（影响时答复前暂停签订合同）"))


class ComplaintIn(_In):
    authority: str = Field(
        default=N_("上城区财政局"), min_length=2, max_length=200, description=N_("受理投诉的财政部门")
    )


class ComplaintDecisionIn(_In):
    decision: str = Field(min_length=4, max_length=20000)


class ChallengeDocumentOut(BaseModel):
    name: str
    sha256: str
    size: int


class ChallengeWindowOut(BaseModel):
    """One kind (and step) of 质疑 an organization may file, with its period (rule 27)."""

    kind: str
    kind_label: str
    step: str
    step_label: str
    label: str
    starts_on: date | None = Field(description=N_("起算日：质疑期自其次日起计算"))
    last_day: date | None = Field(description=N_("质疑期的最后一天（北京时间）；环节尚未结束时为空"))
    open: bool
    period: str = Field(description=N_("质疑期限的说明（含法律依据和截止日期）"))


class ChallengeOut(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    organization_id: int
    organization_name: str
    kind: str
    kind_label: str
    step: str
    step_label: str
    period_until: date | None = Field(description=N_("提出质疑时所在质疑期的最后一天"))
    grounds: str
    documents: list[ChallengeDocumentOut]
    affects_result: bool
    filed_at: datetime
    answer_due_on: date
    overdue: bool
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    answer: str
    answered_at: datetime | None
    complaint_due_on: date | None
    complaint_authority: str
    complaint_filed_at: datetime | None
    complaint_decision_due_on: date | None
    complaint_decision: str
    allowed_actions: list[str]
    outcome_choices: dict[str, str] = Field(description=N_("采购人答复时可选的结论"))
