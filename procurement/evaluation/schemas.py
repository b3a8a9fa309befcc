"""Input and output models of the expert pool and panels, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from procurement.catalogue.states import Category
from procurement.core.api import BodyId
from procurement.core.i18n import N_, _
from procurement.evaluation.states import (
    CorrectionReason,
    EmploymentRole,
    MemberKind,
    MemberStatus,
    RelationKind,
)


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)


class EmploymentIn(_In):
    """A position held: at an organization of the platform (id) or elsewhere (name)."""

    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    organization_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    name: str = Field(default="", max_length=200)
    role: EmploymentRole
    from_: date | None = Field(default=None, alias="from")
    to: date | None = Field(default=None, description=N_("空表示至今"))

    @model_validator(mode="after")
    def _org_and_dates(self) -> EmploymentIn:
        if self.organization_id is None and not self.name:
            raise ValueError(_("请填写任职单位（平台内机构或单位名称）。"))
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(_("任职结束日期不能早于开始日期。"))
        return self


class RelationIn(_In):
    """A declared relation with an organization (rule 20)."""

    kind: RelationKind
    organization_id: int = Field(ge=1, le=2_147_483_647)
    person: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=500)


class ExpertProfileIn(_In):
    expertise: list[Category] = Field(min_length=1, max_length=len(Category))
    employer_name: str = Field(default="", max_length=200)
    employer_organization_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    employment_history: list[EmploymentIn] = Field(default_factory=list, max_length=50)
    declared_relations: list[RelationIn] = Field(default_factory=list, max_length=50)
    available: bool = True


class ExpertProfileOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user_id: int
    username: str
    display_name: str
    has_profile: bool
    expertise: list[Category]
    employer_name: str
    employer_organization_id: int | None
    employment_history: list[dict[str, Any]] = Field(
        description=N_("[{organization_id 或 name, role: employee|director|supervisor|shareholder, from, to}]")
    )
    declared_relations: list[RelationIn]
    available: bool
    updated_at: datetime | None


class DrawPanelIn(_In):
    size: int = Field(
        ge=1,
        le=25,
        description=N_(
            "评标委员会总人数（含采购人代表），须为单数（《政府采购货物和服务招标投标管理办法》第四十七条）"
        ),
    )
    include_buyer_rep: bool = Field(default=False, description=N_("是否含一名采购人代表（不得担任组长）"))
    buyer_rep_user_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description=N_("采购人代表的账号（采购人本单位工作人员），默认为抽取人本人"),
    )


class ReplaceMemberIn(_In):
    reason: str = Field(min_length=2, max_length=500)


class DeclareIn(_In):
    no_conflict: bool = Field(description=N_("true：声明与投标人无利害关系；false：声明存在利害关系并回避"))
    note: str = Field(default="", max_length=500)


class PanelMemberOut(BaseModel):
    id: int
    kind: MemberKind
    user_id: int | None
    display_name: str
    status: MemberStatus
    status_label: str
    is_chair: bool
    chair_vote: int | None = Field(default=None, description=N_("该成员推选为组长的成员编号"))
    chair_votes: int = Field(default=0, description=N_("推选该成员为组长的人数"))
    declared_at: datetime | None
    removed_reason: str


class ChairVoteIn(_In):
    member_id: BodyId = Field(description=N_("被推选为组长的评审专家（评标委员会成员编号）"))


class PanelOut(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    seed: str = Field(description=N_("首次抽取的随机种子；补抽的种子见审计日志"))
    candidates: list[int] = Field(description=N_("首次抽取时的候选专家（用户 id，升序）"))
    created_at: datetime
    members: list[PanelMemberOut]
    chair_chosen_how: str = Field(
        default="", description=N_("组长产生方式：elected 成员推选，appointed 采购人指定；为空表示尚未确定")
    )
    chair_chosen_how_label: str = ""
    votes_needed: int = Field(default=0, description=N_("当选组长所需的推选人数（过半数）"))
    note: str = ""


class DeclineIn(_In):
    reason: str = Field(min_length=2, max_length=500, description=N_("谢绝参加评审的原因"))


# --------------------------------------------------------------------------- review (资格性 / 符合性审查, rule 23)


class QualifyIn(_In):
    passed: bool = Field(description=N_("true：通过资格审查；false：不通过（投标无效）"))
    reason: str = Field(default="", max_length=2000, description=N_("审查意见；不通过时必填"))


class ComplianceIn(_In):
    responsive: bool = Field(description=N_("true：实质性响应招标文件，进入评分；false：不通过符合性审查（不评分）"))
    reason: str = Field(default="", max_length=2000, description=N_("评标委员会的意见；不通过时写明未响应的实质性要求"))


class FailureIn(_In):
    reason: str = Field(
        min_length=10, max_length=5000, description=N_("废标理由（《政府采购法》第三十六条），将在废标公告中公布")
    )


class ExplanationIn(_In):
    explanation: str = Field(
        min_length=10,
        max_length=10000,
        description=N_("对异常低价的书面说明（《政府采购货物和服务招标投标管理办法》第六十条）"),
    )


class ExplanationDecisionIn(_In):
    accepted: bool = Field(description=N_("评标委员会是否认可该书面说明"))
    note: str = Field(min_length=2, max_length=2000, description=N_("评标委员会的意见"))


class BidReviewOut(BaseModel):
    bid_id: int
    organization_id: int
    organization_name: str
    lot_id: int
    lot_name: str
    amount_fen: int
    amount: str
    status: str
    status_label: str
    passed: bool | None = Field(description=N_("采购人的资格审查结论；未审查时为空"))
    reason: str
    responsive: bool | None = Field(default=None, description=N_("评标委员会的符合性审查结论；未审查时为空"))
    responsive_reason: str = ""
    low_price_flagged: bool
    explanation: str
    explanation_accepted: bool | None
    explanation_decision: str


# --------------------------------------------------------------------------- score sheets (rules 21–25)


class ScoreSheetIn(_In):
    scores: dict[str, str] = Field(default_factory=dict, description=N_("评审因素编号 → 分值（最多一位小数）"))
    comments: dict[str, str] = Field(default_factory=dict, description=N_("评审因素编号 → 评分理由；给0分或满分时必填"))
    recommended_fen: int | None = Field(
        default=None, ge=0, le=10**13, description=N_("公益创投：建议资助金额（分），不超过申请额")
    )
    submit: bool = Field(default=False, description=N_("false：保存草稿；true：提交并锁定"))

    @model_validator(mode="after")
    def _bounded(self) -> ScoreSheetIn:
        if len(self.scores) > 50 or len(self.comments) > 50:
            raise ValueError(_("评审因素过多"))
        for value in [*self.scores.values(), *self.comments.values()]:
            if len(value) > 2000:
                raise ValueError(_("单项内容过长（不超过 2000 字）"))
        for key in [*self.scores, *self.comments]:
            if len(key) > 30:
                raise ValueError(_("评审因素编号过长"))
        return self


class CorrectionIn(_In):
    criterion_key: str = Field(min_length=1, max_length=30)
    new_points: str = Field(min_length=1, max_length=12)
    reason: CorrectionReason = Field(description=N_("《政府采购货物和服务招标投标管理办法》第六十四条的四种情形之一"))
    explanation: str = Field(min_length=2, max_length=2000)


class CriterionOut(BaseModel):
    key: str
    name: str
    max_points: int
    kind: str
    kind_label: str
    guidance: str = Field(default="", description=N_("招标文件载明的该评审因素的评分标准"))


class CorrectionOut(BaseModel):
    criterion_key: str
    old_points: str
    new_points: str
    reason: CorrectionReason
    reason_label: str
    explanation: str
    corrected_by: str
    corrected_at: datetime


class ScoreSheetOut(BaseModel):
    id: int | None
    member_id: int
    member_name: str
    bid_id: int
    round: int
    status: str
    status_label: str
    scores: dict[str, str]
    comments: dict[str, str]
    recommended_fen: int | None
    submitted_at: datetime | None
    corrections: list[CorrectionOut]


class BidForScoringOut(BaseModel):
    """What a declared member scores: the bid's opened content and the criteria with their bounds."""

    bid_id: int
    tender_id: int
    tender_title: str
    panel_id: int
    organization_name: str
    lot_name: str
    amount_fen: int
    amount: str
    price_scored: bool
    venture: bool
    criteria: list[CriterionOut]
    answers: dict[str, str]
    note: str
    team: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    low_price_flagged: bool
    explanation: str
    mine: ScoreSheetOut
    others: list[ScoreSheetOut] = Field(description=N_("其他成员已提交的评分；本人提交之前为空（保密）"))
    others_hidden: bool


class SheetProgress(BaseModel):
    member_id: int
    member_name: str
    kind: MemberKind
    is_chair: bool
    status: MemberStatus
    status_label: str
    submitted: int
    drafts: int
    total: int


# --------------------------------------------------------------------------- ranking and report (rules 22–26)


class SpreadOut(BaseModel):
    criterion_key: str
    criterion_name: str
    minimum: str
    maximum: str
    mean: str
    spread: str
    outliers: list[str] = Field(description=N_("畸高畸低的成员"))


class RankedBidOut(BaseModel):
    bid_id: int
    organization_id: int
    organization_name: str
    amount_fen: int
    amount: str
    criterion_means: dict[str, str]
    price_score: str | None
    total: str | None
    rank: int | None
    joint: bool
    low_price_flagged: bool
    low_price_status: str = Field(description="none / awaiting_explanation / awaiting_decision / accepted")
    inconsistent: list[str] = Field(description=N_("客观评审因素评分不一致的因素编号"))
    spreads: list[SpreadOut]
    sheets_submitted: int
    passes: bool | None = Field(description=N_("公益创投：是否达到立项分数线"))
    recommended_fen: int | None
    recommended: str | None = Field(default=None, description=N_("公益创投：评标委员会建议资助金额"))


class LotRankingOut(BaseModel):
    lot_id: int
    lot_number: int
    lot_name: str
    budget_fen: int
    base_price_fen: int | None
    base_price: str | None = Field(default=None, description=N_("评标基准价（最低有效报价）"))
    bids: list[RankedBidOut]
    disqualified: list[BidReviewOut]


class RankingOut(BaseModel):
    tender_id: int
    tender_title: str
    reference_no: str
    method: str
    method_label: str
    evaluation_method_label: str
    status: str
    status_label: str
    panel_id: int
    round: int
    criteria: list[CriterionOut]
    price_weight: int
    price_scored: bool
    venture_pass_score: int | None
    lots: list[LotRankingOut]
    members: list[SheetProgress]
    complete: bool = Field(description=N_("全部成员已提交全部评分"))
    blockers: list[str] = Field(description=N_("提交评审报告前须解决的事项"))
    scoring_ended_at: datetime | None
    report_due_on: date | None
    report_delivered_at: datetime | None
    report_overdue: bool
    award_due_on: date | None


# --------------------------------------------------------------------------- award (rule 26)


# --------------------------------------------------------------------------- challenges (rule 27)


class MyPanelOut(BaseModel):
    panel_id: int
    tender_id: int
    tender_title: str
    reference_no: str
    tender_status_label: str
    member_id: int
    kind: MemberKind
    status: MemberStatus
    status_label: str
    is_chair: bool
    to_score: int
    submitted: int
    report_delivered: bool
