from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    before: str
    after: str
    hash: str


class AuditEventList(BaseModel):
    items: list[AuditEventOut]
    next_before_id: int | None = Field(description="Pass as before_id to get the next (older) page.")


class AuditVerifyOut(BaseModel):
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str


class InboxItemOut(BaseModel):
    id: int
    event: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxList(BaseModel):
    items: list[InboxItemOut]
    unread: int


class AdvanceClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minutes: int = Field(default=0, ge=0, le=60 * 24 * 366)
    days: int = Field(default=0, ge=0, le=366)


class ClockOut(BaseModel):
    now: datetime
    now_local: str
    offset_seconds: float


class CalendarEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    day: date
    is_working_day: bool
    name: str = Field(default="", max_length=50)


class CalendarEntryOut(BaseModel):
    id: int
    day: date
    is_working_day: bool
    name: str


class CalendarYearOut(BaseModel):
    year: int
    source: str
    source_label: str
