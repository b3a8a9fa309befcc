"""Web pages of the system: the inbox, and the administrator's calendar of
holidays and 调休 working days and the audit log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Response

from procurement.accounts.states import Role
from procurement.core.api import Id
from procurement.core.calendar import PACKAGE_YEARS
from procurement.core.i18n import _
from procurement.core.web import form_action, page, parse_form, redirect, require_user
from procurement.system import services as system
from procurement.system.schemas import CalendarEntryIn

Form = URLEncodedBody[dict[str, Any]]


class SystemPages(Controller):
    include_in_schema = False

    @get("/inbox")
    async def inbox(self, request: Request) -> Response:
        user = require_user(request)
        return page(request, "procurement/system/inbox.html", {"inbox": await system.list_inbox(user, limit=100)})

    @post("/inbox/{item_id:int}/read")
    async def mark_read(self, request: Request, item_id: Id) -> Response:
        await system.mark_inbox_read(require_user(request), item_id)
        return redirect("/inbox")

    async def _calendar_context(self, request: Request) -> dict[str, Any]:
        require_user(request, Role.ADMIN)
        return {
            "entries": await system.list_calendar_entries(),
            "years": await system.calendar_years(),
            "first": PACKAGE_YEARS.start,
            "last": PACKAGE_YEARS.stop - 1,
        }

    @get("/admin/calendar")
    async def calendar(self, request: Request) -> Response:
        return page(request, "procurement/system/admin_calendar.html", await self._calendar_context(request))

    @post("/admin/calendar")
    async def add_calendar_entry(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            entry = await system.add_calendar_entry(user, parse_form(CalendarEntryIn, data))
            kind = _("调休上班") if entry.is_working_day else _("放假")
            return redirect("/admin/calendar", _("已添加 {day}（{kind}）。").format(day=entry.day, kind=kind))

        return await form_action(
            request, "procurement/system/admin_calendar.html", data, action, await self._calendar_context(request)
        )

    @post("/admin/calendar/{entry_id:int}/delete")
    async def delete_calendar_entry(self, request: Request, entry_id: Id) -> Response:
        day = await system.delete_calendar_entry(require_user(request), entry_id)
        return redirect("/admin/calendar", _("已删除 {day}。").format(day=day))

    @get("/admin/audit")
    async def audit(self, request: Request, before_id: FromQuery[int | None] = None) -> Response:
        user = require_user(request)
        events = await system.list_audit_events(user, before_id=before_id, limit=50)
        return page(
            request,
            "procurement/system/admin_audit.html",
            {"events": events, "report": await system.verify_audit(user)},
        )
