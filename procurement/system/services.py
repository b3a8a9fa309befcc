"""Use cases of system administration: the calendar, the inbox, the training clock (the
audit log's are in ``audit_log.py``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from piccolo.querystring import QueryString

from procurement.accounts import policies
from procurement.core import audit, calendar, clock, db, timetravel
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.prepared import Prepared
from procurement.core.tables import CalendarEntry, CalendarYear, InboxItem
from procurement.settings import get_settings
from procurement.system.schemas import (
    CalendarEntryIn,
    CalendarEntryOut,
    CalendarYearIn,
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
        "weekends_only": N_("官方安排尚未发布，暂按周末计算"),
        "fallback": N_("未录入（涉及该年的项目不能发布）"),
    }
)


async def load_calendar() -> calendar.WorkdayCalendar:
    """The working-day calendar with every administrator entry and every year recorded
    as "weekends only", read from the database now; also made the process's default."""
    rows = await CalendarEntry.select(CalendarEntry.day, CalendarEntry.is_working_day)
    years = await CalendarYear.select(CalendarYear.year)
    cal = calendar.WorkdayCalendar(
        {r["day"]: r["is_working_day"] for r in rows}, weekends_only_years=[y["year"] for y in years]
    )
    calendar.set_default_calendar(cal)
    return cal


async def list_calendar_entries() -> list[CalendarEntryOut]:
    rows = await CalendarEntry.select().order_by(CalendarEntry.day)
    return [
        CalendarEntryOut(id=r["id"], day=r["day"], is_working_day=r["is_working_day"], name=r["name"]) for r in rows
    ]


async def calendar_years(years: range | None = None) -> list[CalendarYearOut]:
    """Each year's state: built in, entered (how many days), recorded as weekends only
    (by whom, when), or missing; from last year to three years ahead."""
    cal = await load_calendar()
    this_year = clock.today_local().year
    years = years or range(this_year - 1, this_year + 4)
    counts: dict[int, int] = {}
    for r in await CalendarEntry.select(CalendarEntry.day):
        counts[r["day"].year] = counts.get(r["day"].year, 0) + 1
    records = {
        r["year"]: r
        for r in await CalendarYear.select(
            CalendarYear.year, CalendarYear.note, CalendarYear.recorded_at, CalendarYear.recorded_by.display_name
        )
    }
    shown = []
    for y in years:
        source = cal.year_source(y)
        record = records.get(y) if source == "weekends_only" else None
        shown.append(
            CalendarYearOut(
                year=y,
                source=source,
                source_label=CALENDAR_SOURCES[source],
                entered_days=counts.get(y, 0),
                recorded_by=record["recorded_by.display_name"] if record else None,
                recorded_at=record["recorded_at"] if record else None,
                note=record["note"] if record else "",
            )
        )
    return shown


async def calendar_warning_years() -> list[int]:
    """Years that deadlines may soon fall in whose holidays nobody has entered (a year
    recorded as "official schedule not published yet" too: it still counts weekends only)."""
    cal = await load_calendar()
    this_year = clock.today_local().year
    return [y for y in range(this_year, this_year + 2) if cal.year_source(y) in ("weekends_only", "fallback")]


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(field_errors={"year": _("年份超出可录入的范围（2000–2100 年）。")})


async def record_weekends_only(actor: CurrentUser, year: int, data: CalendarYearIn) -> CalendarYearOut:
    """The State Council has not published ``year``'s holidays yet: until they are entered,
    that year counts weekends only, on purpose, and tenders reaching into it may be
    published (an administrator's decision, with who and when, in the audit log)."""
    policies.can_manage_system(actor).require()
    _check_year(year)
    cal = await load_calendar()
    source = cal.year_source(year)
    if source == "package":
        raise ValidationFailed(
            field_errors={"year": _("{year} 年的法定节假日已内置在系统中，无需记录。").format(year=year)}
        )
    if source == "entered":
        raise ValidationFailed(field_errors={"year": _("{year} 年的法定节假日已录入，无需记录。").format(year=year)})
    async with db.transaction():
        if await CalendarYear.exists().where(CalendarYear.year == year):
            raise ValidationFailed(field_errors={"year": _("{year} 年已记录为“官方安排尚未发布”。").format(year=year)})
        now = clock.now()
        rows = await CalendarYear.insert(
            CalendarYear(year=year, note=data.note, recorded_by=actor.id, recorded_at=now)
        ).returning(CalendarYear.id)
        await audit.record(
            "calendar.weekends_only_recorded",
            "calendar_year",
            rows[0]["id"],
            actor=actor_of(actor),
            after={"year": year, "note": data.note},
        )
    await load_calendar()
    return (await calendar_years(range(year, year + 1)))[0]


async def withdraw_weekends_only(actor: CurrentUser, year: int) -> None:
    """Take back a "weekends only" record (for example, recorded for the wrong year):
    the year is missing again, and tenders reaching into it wait for its holidays."""
    policies.can_manage_system(actor).require()
    async with db.transaction():
        row = await CalendarYear.select().where(CalendarYear.year == year).first()
        if row is None:
            raise NotFound(_("找不到 {year} 年的记录。").format(year=year))
        await CalendarYear.delete().where(CalendarYear.id == row["id"])
        await audit.record(
            "calendar.weekends_only_withdrawn",
            "calendar_year",
            row["id"],
            actor=actor_of(actor),
            before={"year": year, "note": row["note"]},
        )
    await load_calendar()


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


# --------------------------------------------------------------------------- inbox


_INBOX_QUERIES: dict[tuple[bool, int], Prepared] = {}


def _inbox_query(unread_only: bool, limit: int) -> Prepared:
    """The inbox's page with the unread count on each row, as one prepared query per kind
    and length (issue 11: the dashboard and every signed-in page read it; a limit is part
    of the SQL, not a value). A page with no row means no message at all (or, for the
    unread page, no unread one): the count is then 0 without asking."""
    found = _INBOX_QUERIES.get((unread_only, limit))
    if found is None:

        def build(user_id: Any) -> Any:
            unread = QueryString(
                "(SELECT COUNT(*) FROM inbox_item AS u WHERE u.recipient = {} AND u.read_at IS NULL)", user_id
            ).as_alias("unread_total")
            query = InboxItem.select(*InboxItem.all_columns(), unread).where(InboxItem.recipient == user_id)
            if unread_only:
                query = query.where(InboxItem.read_at.is_null())
            return query.order_by(InboxItem.id, ascending=False).limit(limit)

        found = _INBOX_QUERIES[(unread_only, limit)] = Prepared(build)
    return found


async def list_inbox(user: CurrentUser, *, limit: int = 50, unread_only: bool = False) -> InboxList:
    rows = await _inbox_query(unread_only, max(1, min(limit, 200)))(user.id)
    unread = rows[0]["unread_total"] if rows else 0
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
