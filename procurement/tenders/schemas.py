"""Input and output models of tenders and notices, written by hand.

Shapes only: the legal rules on these values live in ``tenders.rules`` so that
every violation can name its rule and field together."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from procurement.core.api import BodyId
from procurement.core.i18n import N_, Labels, _
from procurement.tenders import eligibility_terms
from procurement.tenders.states import Method


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RegistrationType(StrEnum):
    SOCIAL_GROUP = "social_group"  # 社会团体
    SOCIAL_SERVICE = "social_service"  # 社会服务机构（民办非企业单位）
    FOUNDATION = "foundation"  # 基金会
    ENTERPRISE = "enterprise"  # 企业
    PUBLIC_INSTITUTION = "public_institution"  # 公益二类事业单位
    COMMUNITY_COMMITTEE = "community_committee"  # 居（村）民委员会


REGISTRATION_TYPE_LABELS: Labels[str] = Labels(
    {
        RegistrationType.SOCIAL_GROUP: N_("社会团体"),
        RegistrationType.SOCIAL_SERVICE: N_("社会服务机构（民办非企业单位）"),
        RegistrationType.FOUNDATION: N_("基金会"),
        RegistrationType.ENTERPRISE: N_("企业"),
        RegistrationType.PUBLIC_INSTITUTION: N_("公益二类事业单位"),
        RegistrationType.COMMUNITY_COMMITTEE: N_("居（村）民委员会"),
    }
)


class Grade(StrEnum):
    A1 = "1A"
    A2 = "2A"
    A3 = "3A"
    A4 = "4A"
    A5 = "5A"


class WorkerLevel(StrEnum):
    NONE = "none"
    ASSISTANT = "assistant"  # 助理社会工作师
    INTERMEDIATE = "intermediate"  # 社会工作师
    SENIOR = "senior"  # 高级社会工作师


WORKER_LEVEL_LABELS = Labels(
    {
        WorkerLevel.NONE: N_("不限"),
        WorkerLevel.ASSISTANT: N_("助理社会工作师"),
        WorkerLevel.INTERMEDIATE: N_("社会工作师"),
        WorkerLevel.SENIOR: N_("高级社会工作师"),
    }
)


class EvaluationMethod(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 综合评分法
    LOWEST_PRICE = "lowest_price"  # 最低评标价法


EVALUATION_METHOD_LABELS = Labels(
    {EvaluationMethod.COMPREHENSIVE: N_("综合评分法"), EvaluationMethod.LOWEST_PRICE: N_("最低评标价法")}
)


class CriterionKind(StrEnum):
    OBJECTIVE = "objective"
    SUBJECTIVE = "subjective"


class Gate(StrEnum):
    SIGNING = "signing"
    MIDTERM = "midterm"
    FINAL = "final"
    DATE = "date"


GATE_LABELS = Labels(
    {
        Gate.SIGNING: N_("合同签订后"),
        Gate.MIDTERM: N_("中期评估通过后"),
        Gate.FINAL: N_("终期评估通过后"),
        Gate.DATE: N_("约定日期"),
    }
)


class EvaluationGrade(StrEnum):
    """Rule 32: 优秀 ≥ 90, 良好 80–89, 合格 60–79."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"


EVALUATION_GRADE_LABELS = Labels(
    {
        EvaluationGrade.EXCELLENT: N_("优秀"),
        EvaluationGrade.GOOD: N_("良好"),
        EvaluationGrade.PASS: N_("合格"),
    }
)


class LotIn(_In):
    name: str = Field(min_length=1, max_length=200)
    budget_fen: int = Field(gt=0, le=10**15, description=N_("预算（分）"))
    max_price_fen: int | None = Field(
        default=None, gt=0, le=10**15, description=N_("最高限价（分），可选，不得超过预算")
    )
    description: str = Field(default="", max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _no_minimum_price(cls, data: Any) -> Any:
        if isinstance(data, dict) and any("min" in str(k) and "price" in str(k) for k in data):
            raise ValueError(_("不得设定最低限价（《政府采购货物和服务招标投标管理办法》第十二条）"))
        return data


class CriterionIn(_In):
    key: str = Field(default="", max_length=30, pattern=r"^[a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=100)
    max_points: int = Field(ge=1, le=100)
    kind: CriterionKind
    description: str = Field(default="", max_length=1000)


class EvaluationSchemeIn(_In):
    method: EvaluationMethod
    price_weight: int = Field(default=0, ge=0, le=100, description=N_("价格分权重（%），即价格分满分"))
    price_fixed: bool = Field(
        default=False,
        description=N_("价格由采购人固定时，价格不计分（《政府采购货物和服务招标投标管理办法》第五十五条）"),
    )
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=30)


class InstallmentIn(_In):
    label: str = Field(min_length=1, max_length=50)
    percent: int = Field(ge=1, le=100)
    gate: Gate
    min_grade: EvaluationGrade | None = None
    due_date: date | None = None


class EligibilityIn(_In):
    """What a call asks of bidders. Rule 3 always applies (at least 3 years); rule 4's local
    conditions are options (``eligibility_terms``): a tender's input that leaves one out gets
    its method's default (on for 公益创投, off for the statutory methods)."""

    registration_types: list[RegistrationType] = Field(default_factory=list, description=N_("空 = 不限"))
    no_major_violation_years: int = Field(
        default=3, ge=3, le=10, description=N_("近 N 年无重大违法记录（《政府采购法》第二十二条，至少 3 年）")
    )
    abnormal_list_years: int | None = Field(
        default=None, ge=0, le=10, description=N_("近 N 年未被列入活动异常名录；空 = 不要求")
    )
    dishonest_list_years: int | None = Field(
        default=None, ge=0, le=10, description=N_("近 N 年未被列入严重违法失信名单；空 = 不要求")
    )
    annual_report_passed: bool = Field(
        default=False, description=N_("年报已报送并通过（应报年度按项目发布日期和年报报送截止日确定）")
    )
    blacklist_years: int | None = Field(
        default=None, ge=0, le=10, description=N_("近 N 年未被列入采购人（征集方）黑名单；空 = 不要求")
    )
    charter_scope_required: bool = Field(
        default=False,
        description=N_("项目须属于机构章程业务范围：投标（申报）时说明，资格审查时由采购人确认，不作文字比对"),
    )
    one_application: bool = Field(default=False, description=N_("每家机构在本项目中只能投标（申报）一次（一个标段）"))
    min_grade: Grade | None = None
    scope_keyword: str = Field(
        default="", max_length=50, description=N_("本项目的服务领域（例如：养老），供机构说明业务范围时对照")
    )


class TeamRequirementsIn(_In):
    min_licensed_workers: int = Field(default=0, ge=0, le=100)
    lead_min_level: WorkerLevel = WorkerLevel.NONE
    supervisor_required: bool = False


class VentureTermsIn(_In):
    cap_per_project_fen: int = Field(gt=0, le=10**13)
    max_share_percent: int = Field(default=60, ge=1, le=100)
    matching_required: bool = True


class TenderIn(_In):
    title: str = Field(min_length=4, max_length=200)
    method: Method
    catalogue_item_id: BodyId
    description: str = Field(default="", max_length=20000)
    lots: list[LotIn] = Field(min_length=1, max_length=20)
    bid_bond_fen: int = Field(default=0, ge=0, le=10**13)
    contract_term_months: int = Field(default=12, ge=1, le=120)
    term_justification: str = Field(default="", max_length=2000)
    method_justification: str = Field(default="", max_length=2000)
    single_source_provider_id: BodyId | None = None
    invited_org_ids: list[BodyId] = Field(default_factory=list, max_length=50)
    eligibility: EligibilityIn = Field(default_factory=EligibilityIn)
    team_requirements: TeamRequirementsIn = Field(default_factory=TeamRequirementsIn)
    evaluation_scheme: EvaluationSchemeIn | None = None
    payment_schedule: list[InstallmentIn] = Field(default_factory=list, max_length=12)
    venture_terms: VentureTermsIn | None = None
    bid_deadline: datetime = Field(description=N_("投标（申报）截止时间，即开标时间；不带时区时按北京时间"))
    opening_at: datetime | None = Field(default=None, description=N_("开标时间，必须等于截止时间；留空即取截止时间"))
    clarification_deadline: datetime | None = Field(default=None, description=N_("答疑截止时间，须早于投标截止"))
    documents_until: datetime | None = Field(default=None, description=N_("招标文件提供截止时间，至少 5 个工作日"))
    # The notice's contact block and opening place (87号令 art. 13); blank: the buyer's own record.
    buyer_address: str = Field(default="", max_length=200, description=N_("采购人地址；留空即取采购单位登记的地址"))
    buyer_contact: str = Field(default="", max_length=50, description=N_("项目联系人；留空即取采购单位登记的联系人"))
    buyer_phone: str = Field(default="", max_length=30, description=N_("联系电话；留空即取采购单位登记的电话"))
    documents_method: str = Field(
        default="", max_length=1000, description=N_("获取招标文件的地点和方式；留空即为在本平台免费下载")
    )
    opening_place: str = Field(default="", max_length=200, description=N_("开标地点；留空即为本平台网上开标"))

    @model_validator(mode="before")
    @classmethod
    def _local_conditions_by_method(cls, data: Any) -> Any:
        """Rule 4: a local condition the input leaves out takes its method's default; a service
        field (``scope_keyword``) given alone asks for the charter-scope statement."""
        if not isinstance(data, dict):
            return data
        given = data.get("eligibility")
        if given is None:
            given = {}
        if not isinstance(given, dict):
            return data  # an EligibilityIn already (explicit), or garbage pydantic will refuse
        defaults = eligibility_terms.local_condition_defaults(str(data.get("method") or ""))
        if given.get("scope_keyword") and "charter_scope_required" not in given:
            defaults["charter_scope_required"] = True
        return {**data, "eligibility": {**defaults, **given}}


class AmendTenderIn(TenderIn):
    change_note: str = Field(min_length=2, max_length=2000, description=N_("更正事项说明，公开发布"))


class CancelTenderIn(_In):
    reason: str = Field(min_length=2, max_length=2000)


class QuestionIn(_In):
    question: str = Field(min_length=5, max_length=2000)


class AnswerIn(_In):
    answer: str = Field(min_length=2, max_length=5000)


# --------------------------------------------------------------------------- output


class LotOut(BaseModel):
    id: int
    number: int
    name: str
    budget_fen: int
    max_price_fen: int | None
    description: str


class QuestionOut(BaseModel):
    id: int
    question: str
    asked_at: datetime
    answer: str
    answered_at: datetime | None
    asked_by_my_org: bool = False
    organization_name: str | None = Field(default=None, description="Only bureau staff see who asked.")
    notice_id: int | None = Field(default=None, description="The clarification notice that published the answer.")


class AnswerPreviewOut(BaseModel):
    """The 澄清公告 an answer would publish now, before the officer confirms it."""

    question_id: int
    tender_id: int
    question: str
    answer: str
    title: str
    content: str
    deadline_moved_to: datetime | None


class VersionOut(BaseModel):
    version: int
    change_summary: str
    created_at: datetime


class TenderFileOut(BaseModel):
    """A full tender document (招标文件) attached beside the generated summary."""

    id: int
    name: str
    sha256: str
    size: int
    doc_type: str
    uploaded_at: datetime
    url: str


class TenderOut(BaseModel):
    id: int
    reference_no: str
    title: str
    method: Method
    method_label: str
    buyer_id: int
    buyer_name: str
    catalogue_item_id: BodyId
    catalogue_item_name: str
    category: str
    category_label: str
    description: str
    status: str
    status_label: str
    version: int
    total_budget_fen: int
    bid_bond_fen: int
    contract_term_months: int
    term_justification: str
    method_justification: str
    single_source_provider_id: int | None
    invited_org_ids: list[int]
    eligibility: EligibilityIn
    team_requirements: TeamRequirementsIn
    evaluation_scheme: EvaluationSchemeIn | None
    payment_schedule: list[InstallmentIn]
    venture_terms: VentureTermsIn | None
    lots: list[LotOut]
    documents_until: datetime | None
    clarification_deadline: datetime | None
    bid_deadline: datetime | None
    opening_at: datetime | None
    published_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    buyer_address: str = ""
    buyer_contact: str = ""
    buyer_phone: str = ""
    documents_method: str = Field(default="", description="As entered; blank means this platform, online.")
    documents_method_text: str = Field(
        default="", description="How and where the documents are obtained, as the notice says it."
    )
    opening_place: str = ""
    opening_place_text: str = Field(default="", description="The opening place, as the notice says it.")
    files: list[TenderFileOut] = Field(default_factory=list, description="The full tender documents attached.")
    allowed_actions: list[str] = Field(default_factory=list)
    questions: list[QuestionOut] = Field(default_factory=list)
    versions: list[VersionOut] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list,
        description="Staff only: e.g. rule 10 splitting warning, a draft's deadline on a weekend or holiday.",
    )
    publish_blockers: list[str] = Field(
        default_factory=list,
        description="Staff only, drafts: why publishing now would be refused (a year whose holidays are not entered).",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def annual_report_year(self) -> int:
        """Rule 4: the year whose annual report the call asks for, judged on its publication day (Beijing time)."""
        return eligibility_terms.annual_report_year_for(self.published_at)


class TenderSummary(BaseModel):
    id: int
    reference_no: str
    title: str
    method: Method
    method_label: str
    buyer_name: str
    category_label: str
    status: str
    status_label: str
    total_budget_fen: int
    bid_deadline: datetime | None
    published_at: datetime | None


class TenderList(BaseModel):
    items: list[TenderSummary]
    total: int


class NoticeOut(BaseModel):
    id: int
    notice_type: str
    notice_type_label: str
    tender_id: int | None
    tender_version: int
    buyer_id: int
    buyer_name: str
    method: str
    method_label: str
    category: str
    category_label: str
    title: str
    content: str
    published_at: datetime
    tender_status_label: str | None = None


class TenderNoticeOut(BaseModel):
    """One notice in a tender's own list."""

    id: int
    notice_type: str
    notice_type_label: str
    title: str
    published_at: datetime


class NoticeList(BaseModel):
    items: list[NoticeOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page (keyset pagination).")
