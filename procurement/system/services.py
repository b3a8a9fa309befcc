"""Use cases of system administration."""

from __future__ import annotations

from datetime import date, timedelta

from procurement.accounts import policies
from procurement.core import audit, calendar, clock, db, timetravel
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.tables import AuditEvent, CalendarEntry, InboxItem
from procurement.settings import get_settings
from procurement.system.schemas import (
    AuditEventList,
    AuditEventOut,
    AuditVerifyOut,
    CalendarEntryIn,
    CalendarEntryOut,
    CalendarYearOut,
    ClockOut,
    InboxItemOut,
    InboxList,
)

# --------------------------------------------------------------------------- calendar


CALENDAR_SOURCES = Labels(
    {
        "package": N_("内置"),
        "entered": N_("已录入"),
        "fallback": N_("未录入（只按周末计算）"),
    }
)


async def load_calendar() -> calendar.WorkdayCalendar:
    """The working-day calendar with every administrator entry; also made the default."""
    rows = await CalendarEntry.select(CalendarEntry.day, CalendarEntry.is_working_day)
    cal = calendar.WorkdayCalendar({r["day"]: r["is_working_day"] for r in rows})
    calendar.set_default_calendar(cal)
    return cal


async def list_calendar_entries() -> list[CalendarEntryOut]:
    rows = await CalendarEntry.select().order_by(CalendarEntry.day)
    return [
        CalendarEntryOut(id=r["id"], day=r["day"], is_working_day=r["is_working_day"], name=r["name"]) for r in rows
    ]


async def calendar_years(years: range | None = None) -> list[CalendarYearOut]:
    cal = await load_calendar()
    this_year = clock.today_local().year
    years = years or range(this_year - 1, this_year + 3)
    return [CalendarYearOut(year=y, source=(s := cal.year_source(y)), source_label=CALENDAR_SOURCES[s]) for y in years]


async def calendar_warning_years() -> list[int]:
    """Years that deadlines may soon fall in whose holidays nobody has entered."""
    cal = await load_calendar()
    this_year = clock.today_local().year
    return cal.years_needing_entries(range(this_year, this_year + 2))


async def add_calendar_entry(actor: CurrentUser, data: CalendarEntryIn) -> CalendarEntryOut:
    policies.can_manage_system(actor).require()
    if not (2000 <= data.day.year <= 2100):
        raise ValidationFailed(field_errors={"day": _("日期超出可录入的范围（2000–2100 年）。")})
    async with db.transaction():
        if await CalendarEntry.exists().where(CalendarEntry.day == data.day):
            raise ValidationFailed(field_errors={"day": _("{day} 已录入，请先删除原记录。").format(day=data.day)})
        rows = await CalendarEntry.insert(
            CalendarEntry(day=data.day, is_working_day=data.is_working_day, name=data.name, created_at=clock.now())
        ).returning(CalendarEntry.id)
        await audit.record(
            "calendar.entry_added",
            "calendar_entry",
            rows[0]["id"],
            actor=actor_of(actor),
            after={"day": data.day.isoformat(), "is_working_day": data.is_working_day, "name": data.name},
        )
    await load_calendar()
    return CalendarEntryOut(id=rows[0]["id"], day=data.day, is_working_day=data.is_working_day, name=data.name)


async def delete_calendar_entry(actor: CurrentUser, entry_id: int) -> date:
    policies.can_manage_system(actor).require()
    async with db.transaction():
        row = await CalendarEntry.select().where(CalendarEntry.id == entry_id).first()
        if row is None:
            raise NotFound(_("找不到该节假日记录。"))
        await CalendarEntry.delete().where(CalendarEntry.id == entry_id)
        await audit.record(
            "calendar.entry_deleted",
            "calendar_entry",
            entry_id,
            actor=actor_of(actor),
            before={"day": row["day"].isoformat(), "is_working_day": row["is_working_day"], "name": row["name"]},
        )
    await load_calendar()
    return row["day"]


# --------------------------------------------------------------------------- audit


def _audit_out(r: dict) -> AuditEventOut:
    return AuditEventOut(
        id=r["id"],
        at=r["at"],
        actor_id=r["actor_id"],
        actor_label=r["actor_label"],
        action=r["action"],
        entity_type=r["entity_type"],
        entity_id=r["entity_id"],
        before=r["before"],
        after=r["after"],
        hash=r["hash"],
    )


async def list_audit_events(
    actor: CurrentUser,
    *,
    before_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    limit: int = 50,
) -> AuditEventList:
    """Newest first, keyset-paginated by id."""
    policies.can_read_audit(actor).require()
    limit = max(1, min(limit, 200))
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(limit + 1)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action:
        query = query.where(AuditEvent.action == action)
    rows = await query
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditEventList(items=[_audit_out(r) for r in rows], next_before_id=rows[-1]["id"] if more else None)


async def verify_audit(actor: CurrentUser | None = None) -> AuditVerifyOut:
    if actor is not None:
        policies.can_read_audit(actor).require()
    report = await audit.verify_chain()
    return AuditVerifyOut(
        ok=report.ok, checked=report.checked, first_broken_id=report.first_broken_id, reason=report.reason
    )


# --------------------------------------------------------------------------- inbox


async def list_inbox(user: CurrentUser, *, limit: int = 50, unread_only: bool = False) -> InboxList:
    query = InboxItem.select().where(InboxItem.recipient == user.id)
    if unread_only:
        query = query.where(InboxItem.read_at.is_null())
    rows = await query.order_by(InboxItem.id, ascending=False).limit(max(1, min(limit, 200)))
    unread = await InboxItem.count().where((InboxItem.recipient == user.id) & InboxItem.read_at.is_null())
    return InboxList(
        items=[
            InboxItemOut(
                id=r["id"],
                event=r["event"],
                title=r["title"],
                body=r["body"],
                link=r["link"],
                created_at=r["created_at"],
                read_at=r["read_at"],
            )
            for r in rows
        ],
        unread=unread,
    )


async def mark_inbox_read(user: CurrentUser, item_id: int) -> None:
    changed = (
        await InboxItem.update({InboxItem.read_at: clock.now()})
        .where((InboxItem.id == item_id) & (InboxItem.recipient == user.id) & InboxItem.read_at.is_null())
        .returning(InboxItem.id)
    )
    if not changed and not await InboxItem.exists().where((InboxItem.id == item_id) & (InboxItem.recipient == user.id)):
        raise NotFound(_("找不到该消息。"))


# --------------------------------------------------------------------------- clock


def clock_out() -> ClockOut:
    now = clock.now()
    return ClockOut(
        now=now,
        now_local=clock.to_local(now).strftime("%Y-%m-%d %H:%M:%S"),
        offset_seconds=clock.get_offset().total_seconds(),
    )


async def advance_clock(actor: CurrentUser, minutes: int, days: int) -> ClockOut:
    """Move the shared training clock forward (only with PROCUREMENT_TIME_TRAVEL)."""
    if not get_settings().time_travel:
        raise NotFound()
    policies.can_manage_system(actor).require()
    delta = timedelta(days=days, minutes=minutes)
    if delta <= timedelta(0):
        raise ValidationFailed(field_errors={"minutes": _("请填写要拨快的时长（大于 0）。")})
    before = clock.now()
    async with db.transaction():
        await timetravel.advance(delta)
        await audit.record(
            "clock.advanced",
            "clock",
            "",
            actor=actor_of(actor),
            before={"now": before.isoformat()},
            after={"now": clock.now().isoformat(), "by_seconds": delta.total_seconds()},
        )
    return clock_out()
