"""Input and output of third-party evaluation, written by hand (issue 14 §6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorIn(_In):
    name: str = Field(min_length=1, max_length=100)
    weight: Any = Field(description=N_("在本维度内的权重（整数，同一维度合计 100）"))
    guidance: str = Field(default="", max_length=2000, description=N_("评分标准"))


class DimensionIn(_In):
    name: str = Field(min_length=1, max_length=100)
    weight: Any = Field(description=N_("维度权重（整数，各维度合计 100）"))
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=40)


class IndicatorSystemIn(_In):
    name: str = Field(min_length=2, max_length=100, description=N_("指标体系名称；同名即为新版本"))
    description: str = Field(default="", max_length=2000)
    dimensions: list[DimensionIn] = Field(default_factory=list, max_length=24)


class IndicatorOut(BaseModel):
    key: str
    name: str
    weight: int
    guidance: str


class DimensionOut(BaseModel):
    key: str
    name: str
    weight: int
    indicators: list[IndicatorOut]


class IndicatorSystemOut(BaseModel):
    id: int
    name: str
    version: int
    latest: bool
    description: str
    dimensions: list[DimensionOut]
    created_at: datetime


class IndicatorSystemList(BaseModel):
    items: list[IndicatorSystemOut]


class AssignIn(_In):
    agency_id: int = Field(ge=1, description=N_("第三方评估机构"))
    stage: str = Field(pattern=r"^(midterm|final|spot)$", description=N_("中期、末期或专项抽查"))
    due_on: date | None = Field(default=None, description=N_("完成日期；中期默认合同期中点，末期默认期满前约 1 个月"))
    system_id: int | None = Field(default=None, ge=1, description=N_("指标体系（合同首次委托评估时必选）"))


class SelfAssessmentIn(_In):
    scores: dict[str, str | int | float] = Field(description=N_("每个指标的自评分（0–100）"))
    notes: dict[str, str] = Field(default_factory=dict, description=N_("每个指标的说明"))
    summary: str = Field(min_length=10, max_length=20000, description=N_("自评报告"))


class EvaluationIn(_In):
    scores: dict[str, str | int | float] = Field(description=N_("每个指标的得分（0–100，最多一位小数）"))
    notes: dict[str, str] = Field(description=N_("每个指标的评分依据（佐证材料、现场查看情况）"))
    opinion: str = Field(min_length=10, max_length=20000, description=N_("评估意见"))


class RectificationIn(_In):
    report: str = Field(min_length=10, max_length=20000, description=N_("整改情况说明"))


class RoundOut(BaseModel):
    round: int
    scores: dict[str, str]
    notes: dict[str, str]
    opinion: str
    score: str  # the weighted total, one decimal
    score_tenths: int
    grade: str
    grade_label: str
    grade_reasons: list[str]
    evaluated_at: datetime


class AssessmentOut(BaseModel):
    id: int
    contract_id: int
    contract_title: str
    stage: str
    stage_label: str
    agency_id: int
    agency_name: str
    status: str
    status_label: str
    due_on: date
    independence: list[str]
    system_name: str
    system_version: int
    dimensions: list[DimensionOut]
    self_scores: dict[str, str]
    self_notes: dict[str, str]
    self_summary: str
    self_score: str | None
    self_submitted_at: datetime | None
    score: str | None
    score_tenths: int | None
    grade: str
    grade_label: str
    finished_at: datetime | None
    rectification_due_on: date | None
    rectification_overdue_at: datetime | None = Field(default=None, description=N_("整改逾期未报的标记时间"))
    rectification_report: str
    rounds: list[RoundOut]
    actions: list[str]


class AssessmentList(BaseModel):
    items: list[AssessmentOut]


class ReportLineOut(BaseModel):
    dimension: str
    dimension_weight: int
    indicator: str
    indicator_weight: int
    guidance: str
    self_score: str | None
    score: str
    evidence: str


class DimensionScoreOut(BaseModel):
    name: str
    weight: int
    score: str


class AssessmentReportOut(BaseModel):
    """The evaluation report (评估报告): the tree, the scores, the evidence and the grade."""

    assessment_id: int
    contract_id: int
    contract_number: str
    contract_title: str
    buyer_name: str
    provider_name: str
    agency_name: str
    stage_label: str
    system_name: str
    system_version: int
    round: int
    lines: list[ReportLineOut]
    dimensions: list[DimensionScoreOut]
    score: str
    grade_label: str
    grade_reasons: list[str]
    opinion: str
    evaluated_at: datetime
    rectification_due_on: date | None
    evidence: list[EvidenceOut] = Field(default_factory=list, description=N_("佐证材料清单（截至本轮）"))


class SurveyCodesIn(_In):
    count: int = Field(ge=1, le=500, description=N_("本次发放的一次性问卷码数量"))


class SurveyCodeOut(BaseModel):
    code: str
    link: str  # the survey page for this code, for the printed QR sheet
    used: bool


class SurveyCodesOut(BaseModel):
    contract_id: int
    issued: list[SurveyCodeOut]


class SurveyAnswerIn(_In):
    code: str = Field(min_length=4, max_length=20, description=N_("问卷卡上的一次性问卷码"))
    answers: dict[str, Any] = Field(description=N_("每题 1–5：非常不满意 … 非常满意"))
    comment: str = Field(default="", max_length=1000, description=N_("意见和建议（可不填）"))


class SurveyAnsweredOut(BaseModel):
    accepted: bool
    message: str


class SurveyResultsOut(BaseModel):
    contract_id: int
    codes_issued: int
    responses: int
    minimum: int
    sufficient: bool
    satisfied_percent: str | None  # one decimal: the share answering 满意 or 非常满意 overall
    means: dict[str, str]  # each question's mean on 1–5, one decimal
    comments: list[str]


# --------------------------------------------------------------------------- spot-check coverage (issue 14 §1, rule 33)


class CoverageContractOut(BaseModel):
    contract_id: int
    number: str
    title: str
    provider_name: str
    term_start: date
    term_end: date
    spot_checks: list[date] = Field(description=N_("本年度的专项抽查日期（完成日期）"))


class SpotCheckCoverageOut(BaseModel):
    year: int = Field(description=N_("预算年度（公历年）"))
    percent: int = Field(description=N_("应抽查的最低比例（%）"))
    running: int = Field(description=N_("本年度在履行的跨年度合同数"))
    checked: int = Field(description=N_("其中本年度已委托专项抽查的合同数"))
    share: str = Field(description=N_("已抽查比例（%，一位小数）"))
    required: int = Field(description=N_("达到比例至少须抽查的合同数"))
    shortfall: int = Field(description=N_("还须抽查的合同数"))
    met: bool
    checked_contracts: list[CoverageContractOut]
    unchecked_contracts: list[CoverageContractOut]


# --------------------------------------------------------------------------- evidence (issue 14 §3)


class EvidenceIn(_In):
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=300_000_000, description=N_("PDF、JPG、PNG、DOCX、XLSX"))
    indicator_key: str = Field(default="", max_length=40, description=N_("所佐证的指标编号；为空表示整轮评估的材料"))


class EvidenceOut(BaseModel):
    id: int
    round: int
    indicator_key: str
    indicator_name: str = Field(description=N_("指标名称；整轮评估的材料为空"))
    name: str
    type: str
    size: int
    sha256: str
    uploaded_at: datetime
    submitted: bool = Field(description=N_("所属轮次的评估结果已提交"))
    url: str


class EvidenceList(BaseModel):
    items: list[EvidenceOut]


AssessmentReportOut.model_rebuild()
