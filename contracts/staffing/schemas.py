"""Input and output of social-worker teams, written by hand (issue 13)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.staffing import rules
from contracts.staffing.states import CertLevel, Decision, Employment, TeamRole
from procurement.core.api import BodyId
from procurement.core.i18n import N_, _


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # A NUL or other control character (a pasted spreadsheet cell) is refused, not stored.
        if isinstance(value, str) and any(ord(c) < 32 and c not in "\n\r\t" for c in value):
            raise ValueError(_("不能包含控制字符。"))
        return value


class WorkerIn(_In):
    name: str = Field(min_length=2, max_length=50, description=N_("姓名"))
    id_number: str = Field(min_length=15, max_length=22, description=N_("居民身份证号码（18 位）"))
    phone: str = Field(default="", max_length=40, description=N_("手机号码"))
    employment: Employment = Employment.EMPLOYED
    employed_from: date | None = Field(default=None, description=N_("入职日期"))
    employed_until: date | None = Field(default=None, description=N_("离职日期"))
    level: CertLevel = Field(default=CertLevel.NONE, description=N_("社会工作者职业水平"))
    certificate_no: str = Field(default="", max_length=40, description=N_("职业水平证书编号"))
    certificate_year: int | None = Field(default=None, ge=1990, le=2100, description=N_("取得证书年份"))
    registration_expires: date | None = Field(default=None, description=N_("登记有效期至"))
    supervisor_qualified: bool = Field(default=False, description=N_("具有督导资格"))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return value.strip()

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        problem = rules.id_number_problem(value)
        if problem:
            raise ValueError(problem)
        return rules.normalize_id_number(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if value:
            problem = rules.mobile_problem(value)
            if problem:
                raise ValueError(problem)
        return value


class WorkerUpdateIn(_In):
    """The fields to change; the ID number is not changed (register the person again)."""

    name: str | None = Field(default=None, min_length=2, max_length=50)
    phone: str | None = Field(default=None, max_length=40)
    employment: Employment | None = None
    employed_from: date | None = None
    employed_until: date | None = None
    level: CertLevel | None = None
    certificate_no: str | None = Field(default=None, max_length=40)
    certificate_year: int | None = Field(default=None, ge=1990, le=2100)
    registration_expires: date | None = None
    supervisor_qualified: bool | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value:
            problem = rules.mobile_problem(value.strip())
            if problem:
                raise ValueError(problem)
            return value.strip()
        return value


class ImportIn(_In):
    filename: str = Field(min_length=5, max_length=200, description=N_("文件名（.csv 或 .xlsx）"))
    content_base64: str = Field(min_length=4, max_length=14_000_000)
    valid_rows_only: bool = Field(default=False, description=N_("文件有错误时，只导入没有错误的行"))


class AssignIn(_In):
    worker_id: BodyId
    role: TeamRole
    allocation: int = Field(ge=1, le=100, description=N_("投入比例（%）"))
    period_start: date | None = Field(default=None, description=N_("起始日期；默认合同起始日"))
    period_end: date | None = Field(default=None, description=N_("截止日期；默认合同截止日"))


class RemoveIn(_In):
    reason: str = Field(default="", max_length=500)


class ReplacementIn(_In):
    member_id: BodyId
    candidate_id: BodyId
    reason: str = Field(min_length=4, max_length=2000, description=N_("更换原因"))


class DecisionIn(_In):
    decision: Decision
    exception: str = Field(default="", max_length=2000, description=N_("候选人职业水平低于原成员时的特殊理由"))
    note: str = Field(default="", max_length=2000, description=N_("审批意见；不批准时必填"))


class WorkerOut(BaseModel):
    id: int
    organization_id: int
    name: str
    phone: str
    id_number: str  # masked unless the reader may see it (and the view is audited)
    id_masked: bool
    employment: Employment
    employment_label: str
    employed_from: date | None
    employed_until: date | None
    level: CertLevel
    level_label: str
    effective_level: CertLevel
    certificate_no: str
    certificate_year: int | None
    registration_expires: date | None
    registration_expired: bool
    supervisor_qualified: bool


class RowError(BaseModel):
    row: int
    field: str
    message: str


class ImportOut(BaseModel):
    rows: int
    imported: int
    errors: list[RowError]
    done: bool  # False: the file had errors and nothing was imported


class MemberOut(BaseModel):
    id: int
    worker: WorkerOut
    role: TeamRole
    role_label: str
    allocation: int
    period_start: date
    period_end: date
    added_at: datetime
    removed_at: datetime | None
    removed_reason: str
    current: bool


class GapOut(BaseModel):
    kind: str
    code: str
    message: str


class ReplacementOut(BaseModel):
    id: int
    member_id: int
    old: WorkerOut
    old_role: TeamRole
    candidate: WorkerOut
    reason: str
    status: str
    status_label: str
    level_ok: bool
    exception: str
    decision_note: str
    requested_at: datetime
    decided_at: datetime | None
    actions: list[str]


class TeamOut(BaseModel):
    contract_id: int
    requirements: dict
    promised: list[dict]
    members: list[MemberOut]
    history: list[MemberOut]
    gaps: list[GapOut]
    replacements: list[ReplacementOut]
    can_edit: bool
    can_decide: bool


class WorkloadRow(BaseModel):
    worker_id: int
    name: str
    organization_id: int
    months: list[int]
    over: list[bool]
    contracts: list[str]


class CommunityRow(BaseModel):
    community: str
    workers: list[str]
    contracts: list[str]


class WorkloadOut(BaseModel):
    months: list[date]
    rows: list[WorkloadRow]
    communities: list[CommunityRow]


class ShortTeamOut(BaseModel):
    contract_id: int
    title: str
    gaps: list[str]


class PendingReplacementOut(BaseModel):
    id: int
    contract_id: int
    title: str


class TodoOut(BaseModel):
    expiring: list[WorkerOut]  # registrations expired or expiring within 60 days
    short_teams: list[ShortTeamOut]
    replacements: list[PendingReplacementOut]
