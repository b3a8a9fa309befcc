"""JSON API of system administration: audit log, inbox, calendar, clock, health."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import require_user
from procurement.system import audit_log, notifications, services
from procurement.system.schemas import (
    AdvanceClockIn,
    AuditEventList,
    AuditFilterIn,
    AuditVerifyOut,
    CalendarEntryIn,
    CalendarEntryOut,
    CalendarYearIn,
    CalendarYearOut,
    ClockOut,
    InboxList,
)


class AuditController(Controller):
    path = "/audit-events"
    tags = [N_("审计")]

    @get("/", operation_id="ListAuditEvents", responses=problems(400, 401, 403, 422))
    async def list_events(
        self,
        request: Request,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        entity_type: Annotated[str | None, QueryParameter(max_length=40)] = None,
        entity_id: Annotated[str | None, QueryParameter(max_length=40)] = None,
        action: Annotated[str | None, QueryParameter(max_length=60)] = None,
        actor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        date_from: Annotated[date | None, QueryParameter(description="Beijing date, included.")] = None,
        date_to: Annotated[date | None, QueryParameter(description="Beijing date, included.")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AuditEventList:
        """The audit log, newest first (administrators). Rows of bids whose tender has
        not been opened are left out, and nothing shows how many there are."""
        filters = AuditFilterIn(
            entity_type=entity_type or None,
            entity_id=entity_id or None,
            action=action or None,
            actor=actor or None,
            date_from=date_from,
            date_to=date_to,
        )
        return await audit_log.list_audit_events(require_user(request), cursor=cursor, filters=filters, limit=limit)

    @get("/verify", operation_id="VerifyAuditChain", responses=problems(401, 403))
    async def verify(self, request: Request) -> AuditVerifyOut:
        """Re-check the hash chain against every published anchor; describe the first
        row that does not match (unless it is sealed) and the anchor it breaks."""
        return await audit_log.verify_audit(require_user(request))


class InboxController(Controller):
    path = "/inbox"
    tags = [N_("消息")]

    @get("/", operation_id="ListInbox", responses=problems(400, 401))
    async def list_inbox(
        self,
        request: Request,
        unread_only: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> InboxList:
        """The signed-in user's messages, newest first."""
        return await services.list_inbox(require_user(request), limit=limit, unread_only=unread_only)

    @post(
        "/{item_id:int}/read",
        operation_id="MarkInboxItemRead",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404),
    )
    async def mark_read(self, request: Request, item_id: Id) -> dict[str, bool]:
        await services.mark_inbox_read(require_user(request), item_id)
        return {"ok": True}

    @post("/read-all", operation_id="MarkAllInboxRead", status_code=HTTP_200_OK, responses=problems(401, 403))
    async def mark_all_read(self, request: Request) -> dict[str, int]:
        """Mark every unread message of the signed-in user read; answers how many."""
        return {"marked": await notifications.mark_all_read(require_user(request))}


class CalendarController(Controller):
    path = "/calendar"
    tags = [N_("工作日历")]

    @get("/entries", operation_id="ListCalendarEntries", responses=problems(401))
    async def list_entries(self, request: Request) -> list[CalendarEntryOut]:
        """Holidays and 调休 working days entered by administrators."""
        require_user(request)
        return await services.list_calendar_entries()

    @get("/years", operation_id="ListCalendarYears", responses=problems(401))
    async def years(self, request: Request) -> list[CalendarYearOut]:
        """Which years have official holiday data (built in, entered, or weekends only)."""
        require_user(request)
        return await services.calendar_years()

    @post(
        "/entries",
        operation_id="AddCalendarEntry",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 422),
    )
    async def add_entry(self, request: Request, data: JSONBody[CalendarEntryIn]) -> CalendarEntryOut:
        return await services.add_calendar_entry(require_user(request), data)

    @delete(
        "/entries/{entry_id:int}",
        operation_id="DeleteCalendarEntry",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404),
    )
    async def delete_entry(self, request: Request, entry_id: Id) -> dict[str, bool]:
        await services.delete_calendar_entry(require_user(request), entry_id)
        return {"ok": True}

    @post(
        "/years/{year:int}/weekends-only",
        operation_id="RecordCalendarYearWeekendsOnly",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 404, 422),
    )
    async def record_weekends_only(
        self, request: Request, year: Annotated[int, PathParameter(ge=2000, le=2100)], data: JSONBody[CalendarYearIn]
    ) -> CalendarYearOut:
        """The year's official holiday schedule is not published yet: count weekends only until it is entered."""
        return await services.record_weekends_only(require_user(request), year, data)

    @delete(
        "/years/{year:int}/weekends-only",
        operation_id="WithdrawCalendarYearWeekendsOnly",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404),
    )
    async def withdraw_weekends_only(
        self, request: Request, year: Annotated[int, PathParameter(ge=2000, le=2100)]
    ) -> dict[str, bool]:
        await services.withdraw_weekends_only(require_user(request), year)
        return {"ok": True}


class ClockController(Controller):
    path = "/clock"
    tags = [N_("时钟")]

    @get("/", operation_id="GetClock")
    async def get_clock(self) -> ClockOut:
        """The server's time: the only clock that decides deadlines."""
        return services.clock_out()

    @post("/advance", operation_id="AdvanceClock", status_code=HTTP_200_OK, responses=problems(400, 401, 403, 404, 422))
    async def advance(self, request: Request, data: JSONBody[AdvanceClockIn]) -> ClockOut:
        """Move the training clock forward (404 unless PROCUREMENT_TIME_TRAVEL is on; administrators)."""
        return await services.advance_clock(require_user(request), data.minutes, data.days)
