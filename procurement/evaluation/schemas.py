"""Input and output models of the expert pool and panels, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from procurement.evaluation.states import EmploymentRole, MemberKind, MemberStatus, RelationKind
from procurement.tenders.states import Category


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", populate_by_name=True)


class EmploymentIn(_In):
    """A position held: at an organization of the platform (id) or elsewhere (name)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", validate_by_name=True,
                              validate_by_alias=True, serialize_by_alias=True)

    organization_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    name: str = Field(default="", max_length=200)
    role: EmploymentRole
    from_: date | None = Field(default=None, alias="from")
    to: date | None = Field(default=None, description="空表示至今")

    @model_validator(mode="after")
    def _org_and_dates(self) -> "EmploymentIn":
        if self.organization_id is None and not self.name:
            raise ValueError("请填写任职单位（平台内机构或单位名称）。")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("任职结束日期不能早于开始日期。")
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
        description="[{organization_id 或 name, role: employee|director|supervisor|shareholder, from, to}]")
    declared_relations: list[RelationIn]
    available: bool
    updated_at: datetime | None


class DrawPanelIn(_In):
    size: int = Field(ge=1, le=25, description="评标委员会总人数（含采购人代表），须为单数（rule 19）")
    include_buyer_rep: bool = Field(default=False, description="是否含一名采购人代表（不得担任组长）")


class ReplaceMemberIn(_In):
    reason: str = Field(min_length=2, max_length=500)


class DeclareIn(_In):
    no_conflict: bool = Field(description="true：声明与投标人无利害关系；false：声明存在利害关系并回避")
    note: str = Field(default="", max_length=500)


class PanelMemberOut(BaseModel):
    id: int
    kind: MemberKind
    user_id: int | None
    display_name: str
    status: MemberStatus
    status_label: str
    is_chair: bool
    declared_at: datetime | None
    removed_reason: str


class PanelOut(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    seed: str = Field(description="首次抽取的随机种子；补抽的种子见审计日志")
    candidates: list[int] = Field(description="首次抽取时的候选专家（用户 id，升序）")
    created_at: datetime
    members: list[PanelMemberOut]
    note: str = ""
