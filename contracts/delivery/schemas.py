"""Input and output of delivery tracking, written by hand (issue 12 §6, §7)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from procurement.core.i18n import N_


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScheduleIn(_In):
    kind: str = Field(pattern=r"^(monthly|quarterly|custom)$", description=N_("报告周期：按月、按季度或自定日期"))
    grace_days: int = Field(default=10, ge=0, le=60, description=N_("每期结束后多少天内报送"))
    dates: list[date] = Field(default_factory=list, max_length=60, description=N_("自定日期时的各期报送日期"))


class AttachmentIn(_In):
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=30_000_000, description=N_("服务台账、照片、签到表等"))


class SubmissionIn(_In):
    actuals: dict[str, str | int | float] = Field(description=N_("每个服务指标本期的实际完成值"))
    narrative: str = Field(min_length=10, max_length=20000, description=N_("本期工作情况说明"))
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)


class ReviewIn(_In):
    outcome: str = Field(pattern=r"^(accept|return)$", description=N_("通过或退回"))
    comments: str = Field(default="", max_length=5000, description=N_("审核意见；退回时必填"))


class AttachmentOut(BaseModel):
    sha256: str
    name: str
    type: str
    size: int
    url: str


class SubmissionOut(BaseModel):
    round: int
    actuals: dict[str, str]
    narrative: str
    attachments: list[AttachmentOut]
    submitted_by: int
    submitted_at: datetime
    outcome: str
    outcome_label: str
    comments: str
    reviewed_at: datetime | None


class ReportOut(BaseModel):
    id: int
    seq: int
    period_start: date
    period_end: date
    due_on: date
    status: str
    status_label: str
    overdue: bool
    late: bool  # first submitted after its due day
    overdue_flagged: bool
    actions: list[str]
    submissions: list[SubmissionOut]


class ScheduleOut(BaseModel):
    kind: str
    kind_label: str
    grace_days: int
    dates: list[date]
    term_start: date
    term_end: date


class ProgressOut(BaseModel):
    name: str
    unit: str
    target: str | None
    actual: str
    percent: str | None


class ReportsOut(BaseModel):
    contract_id: int
    schedule: ScheduleOut | None
    reports: list[ReportOut]
    progress: list[ProgressOut]
    can_set_schedule: bool
