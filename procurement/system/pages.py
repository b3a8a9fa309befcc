"""Web pages of the system: the inbox (mark all read) and the notification preferences; the
administrator's calendar of holidays and 调休 working days, the audit log (filters, CSV
export) and the operations view (the scheduler's runs, what is due next, failed sends,
holiday coverage); and the public page and
feed of the audit log's signed anchors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Stream

from procurement.accounts.states import Role
from procurement.core.api import Id
from procurement.core.calendar import PACKAGE_YEARS
from procurement.core.errors import DomainError, ValidationFailed
from procurement.core.i18n import _
from procurement.core.storage import content_disposition
from procurement.core.web import form_action, page, parse_form, redirect, require_user
from procurement.system import audit_log, notifications, operations
from procurement.system import services as system
from procurement.system.anchor_feed import anchors_feed
from procurement.system.audit_labels import ACTION_LABELS, ENTITY_LABELS
from procurement.system.schemas import AuditFilterIn, CalendarEntryIn, CalendarYearIn, NotificationPreferencesIn

FILTER_FIELDS = ("entity_type", "entity_id", "action", "actor", "date_from", "date_to")
FEED_SIZE = 50

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

    @post("/inbox/read-all")
    async def mark_all_read(self, request: Request) -> Response:
        marked = await notifications.mark_all_read(require_user(request))
        return redirect("/inbox", _("已将 {n} 条消息标为已读。").format(n=marked) if marked else None)

    @get("/inbox/preferences")
    async def preferences(self, request: Request) -> Response:
        user = require_user(request)
        return page(
            request, "procurement/system/preferences.html", {"prefs": await notifications.get_preferences(user)}
        )

    @post("/inbox/preferences")
    async def save_preferences(self, request: Request, data: Form) -> Response:
        user = require_user(request)
        chosen = data.get("email_on", [])
        form = {**data, "email_on": chosen if isinstance(chosen, list) else [chosen]}

        async def action() -> Response:
            await notifications.save_preferences(user, parse_form(NotificationPreferencesIn, form))
            return redirect("/inbox/preferences", _("通知设置已保存。"))

        return await form_action(
            request,
            "procurement/system/preferences.html",
            data,
            action,
            {"prefs": await notifications.get_preferences(user)},
        )

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

    @post("/admin/calendar/years/{year:int}/weekends-only")
    async def record_weekends_only(self, request: Request, year: FromPath[int], data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            await system.record_weekends_only(user, year, parse_form(CalendarYearIn, data))
            return redirect(
                "/admin/calendar",
                _("已记录：{year} 年官方放假安排尚未发布，暂按周末计算工作日；涉及该年的项目可以发布。").format(
                    year=year
                ),
            )

        return await form_action(
            request,
            "procurement/system/admin_calendar.html",
            {**data, "_year": str(year)},
            action,
            await self._calendar_context(request),
        )

    @post("/admin/calendar/years/{year:int}/withdraw")
    async def withdraw_weekends_only(self, request: Request, year: FromPath[int]) -> Response:
        await system.withdraw_weekends_only(require_user(request), year)
        return redirect("/admin/calendar", _("已撤销 {year} 年的记录。").format(year=year))

    @post("/admin/calendar/{entry_id:int}/delete")
    async def delete_calendar_entry(self, request: Request, entry_id: Id) -> Response:
        day = await system.delete_calendar_entry(require_user(request), entry_id)
        return redirect("/admin/calendar", _("已删除 {day}。").format(day=day))

    @get("/admin/operations")
    async def operations(self, request: Request) -> Response:
        user = require_user(request, Role.ADMIN)
        return page(request, "procurement/system/admin_operations.html", {"ops": await operations.operations(user)})

    @post("/admin/operations/messages/{message_id:int}/retry")
    async def retry_message(self, request: Request, message_id: Id) -> Response:
        user = require_user(request, Role.ADMIN)
        try:
            await operations.retry_send(user, message_id)
        except DomainError as exc:
            return redirect("/admin/operations#sends", exc.message, "error")
        return redirect("/admin/operations#sends", _("已安排重新发送。"))

    @get("/admin/audit")
    async def audit(self, request: Request, cursor: FromQuery[str | None] = None) -> Response:
        user = require_user(request)
        raw = {name: (request.query_params.get(name) or "").strip() for name in FILTER_FIELDS}
        errors: dict[str, str] = {}
        events = None
        try:
            filters = parse_form(AuditFilterIn, raw)
            events = await audit_log.list_audit_events(user, cursor=cursor, filters=filters, limit=50)
        except ValidationFailed as exc:
            filters, errors = AuditFilterIn(), exc.field_errors or {"cursor": exc.message}
        kept = filters.params() if not errors else {k: v for k, v in raw.items() if v}
        next_url = (
            "/admin/audit?" + urlencode({**kept, "cursor": events.next_cursor})
            if events is not None and events.next_cursor
            else None
        )
        return page(
            request,
            "procurement/system/admin_audit.html",
            {
                "events": events,
                "report": await audit_log.verify_audit(user),
                "filters": raw,
                "errors": errors,
                "filtered": bool(kept),
                "next_url": next_url,
                "first_url": ("/admin/audit?" + urlencode(kept) if kept else "/admin/audit") if cursor else None,
                "export_url": "/admin/audit/export.csv" + ("?" + urlencode(kept) if kept else ""),
                "options": {"entity_type": ENTITY_LABELS, "action": ACTION_LABELS},
            },
        )

    @get("/admin/audit/export.csv")
    async def audit_export(self, request: Request) -> Response:
        user = require_user(request)
        raw = {name: (request.query_params.get(name) or "").strip() for name in FILTER_FIELDS}
        content = await audit_log.export_audit_csv(user, parse_form(AuditFilterIn, raw))
        return Stream(
            content,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition(audit_log.export_name(), inline=False)},
        )

    @get("/audit/anchors")
    async def anchors(self, request: Request, before: FromQuery[int | None] = None) -> Response:
        """Public, no login: the signed anchors and the key to check them."""
        anchors = await audit_log.list_anchors(before=before, limit=50)
        return page(
            request,
            "procurement/system/audit_anchors.html",
            {
                "anchors": anchors,
                "next_url": f"/audit/anchors?before={anchors.next_before}" if anchors.next_before else None,
                "first_url": "/audit/anchors" if before else None,
            },
        )

    @get("/audit/anchors.atom")
    async def anchors_atom(self, request: Request) -> Response:
        anchors = await audit_log.list_anchors(limit=FEED_SIZE)
        base = str(request.base_url).rstrip("/")
        return Response(anchors_feed(anchors, base), media_type="application/atom+xml; charset=utf-8")
