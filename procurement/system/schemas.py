from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class AuditFilterIn(BaseModel):
    """What the audit log is filtered by; dates are Beijing calendar days, both included."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    entity_type: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=40)
    action: str | None = Field(default=None, max_length=60)
    actor: str | None = Field(default=None, max_length=100, description="A user id, or part of the actor's name.")
    date_from: date | None = None
    date_to: date | None = None

    def params(self) -> dict[str, str]:
        """The filters set, as query parameters (for the next page and the export links)."""
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in self.model_dump().items() if v}


class AuditChangeOut(BaseModel):
    field: str
    label: str = Field(description="The field's name in Chinese (the raw name when unknown).")
    old: str = Field(description="The value before, as read (empty when there was none or it did not change).")
    new: str


class AuditEventOut(BaseModel):
    """One audit row as an administrator reads it. No row id and no hash: both would
    show where sealed rows (bids before their opening) sit between visible ones."""

    at: datetime
    actor_id: int | None
    actor_label: str
    ip: str
    action: str
    action_label: str
    entity_type: str
    entity_label: str
    entity_id: str
    before: str
    after: str
    changes: list[AuditChangeOut]


class AuditEventList(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(description="Pass as cursor to get the next (older) page; opaque.")


class AuditVerifyOut(BaseModel):
    checked_at: datetime = Field(description="When the chain was walked.")
    ok: bool
    reason: str
    first_broken: AuditEventOut | None = Field(
        description="The first row that does not match, unless it is a sealed row (then only the CLI names it)."
    )
    broken_anchor: int | None = Field(description="The number of the published anchor the break contradicts.")
    anchors: int = Field(description="How many published anchors were checked.")
    latest_anchor_at: datetime | None
    anchor_overdue: bool = Field(description="No anchor published in the last two days.")


class AuditAnchorOut(BaseModel):
    seq: int
    at: datetime
    signed_at: str = Field(description="The time exactly as signed: UTC, to the microsecond.")
    head_hash: str
    prev_digest: str
    key_id: str
    signature: str


class AuditAnchorPage(BaseModel):
    items: list[AuditAnchorOut]
    next_before: int | None
    key_id: str = Field(description="Empty until the first anchor made the key.")
    public_key_hex: str
    public_key_pem: str


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
    source: str = Field(description="package, entered, weekends_only or fallback")
    source_label: str
    entered_days: int = 0
    recorded_by: str | None = Field(default=None, description="Who recorded weekends only (weekends_only years).")
    recorded_at: datetime | None = None
    note: str = ""


class CalendarYearIn(BaseModel):
    """Record that a year's official holiday schedule is not published yet."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str = Field(default="", max_length=200)


class NotificationEventOut(BaseModel):
    """One line of the preferences page: events sharing a name are switched together."""

    key: str  # the events, comma-separated
    label: str
    email_on: bool


class NotificationGroupOut(BaseModel):
    label: str
    events: list[NotificationEventOut]


class NotificationPreferencesOut(BaseModel):
    email: str
    email_digest: bool
    digest_hour: int
    groups: list[NotificationGroupOut]


class NotificationPreferencesIn(BaseModel):
    """The preferences form: the email address, immediate or daily digest, and the
    events whose email stays on (every other known event is switched off)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    email: str = Field(default="", max_length=120)
    email_mode: str = Field(default="immediate", pattern=r"^(immediate|digest)$")
    email_on: list[str] = Field(default_factory=list)


class OutboxMessageOut(BaseModel):
    """A message of the outbox as the administrators' operations view shows it."""

    id: int
    recipient_id: int
    recipient_name: str
    channel: str
    event: str
    address: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_check_at: datetime | None
    sent_at: datetime | None
