"""The public portal (no login): the notice list with filters and search, a
notice, the Atom feed, and the public page and PDF of a tender, where a signed-in
social organization may ask a clarification question.

Thin: parse the query or form, call one service, render.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Response
from markupsafe import Markup

from procurement.accounts.states import Role
from procurement.catalogue.states import CATEGORY_LABELS
from procurement.core import clock, i18n, portal_cache, public_pages
from procurement.core.api import Id
from procurement.core.i18n import _
from procurement.core.portal_cache import PortalCache
from procurement.core.web import current_user, page, parse_form, pdf_response, redirect, require_user
from procurement.notices import services
from procurement.tenders import documents
from procurement.tenders import services as tenders
from procurement.tenders.pages import LABELS, show_again_when_invalid, tender_page_context
from procurement.tenders.schemas import NoticeOut, QuestionIn
from procurement.tenders.states import METHOD_LABELS, NOTICE_TYPE_LABELS, TenderStatus

Form = URLEncodedBody[dict[str, Any]]

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
_SECTION_HEADING = re.compile("^[一二三四五六七八九十]+、")  # i18n: data (a pattern of numbered headings)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _date(value: str | None, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD。")
        return None


def _paragraphs(text: str) -> list[dict[str, Any]]:
    """Plain-text notice -> one paragraph per line; 一、二、… lines read as headings."""
    return [
        {"text": line, "heading": bool(_SECTION_HEADING.match(line))}
        for line in (raw.strip() for raw in text.splitlines())
        if line
    ]


NOTICES_TEMPLATE = "portal/notices.html"
HOME_TEMPLATE = "portal/home.html"
# The rendered content of /notices (its filters and rows) and of the home page, per portal
# version (issue 11: rendering them was most of the pages' time). Nothing in them depends
# on who asks: no CSRF field (the filter form is a GET), no flash, and of the user only
# whether there is one (the home page's key says so); base.html around them renders per request.
_LISTINGS = PortalCache(max_entries=256)
TENDER_TEMPLATE = "portal/tender.html"
# The public's view of a tender page's content, per portal version (issue 11), ~20 KB each.
_TENDER_BLOCKS = PortalCache(max_entries=128)


def _rows(notices: list[NoticeOut]) -> tuple[tuple[int, str | None], ...]:
    """What of the notices shown follows the clock, not the portal version: which rows
    (with a status filter) and their tenders' public statuses."""
    return tuple((n.id, n.tender_status_label) for n in notices)


async def _render_block(request: Request, template: str, block: str, context: dict[str, Any]) -> Markup:
    """One block of a page template rendered alone with the page's context."""
    engine = request.app.template_engine
    assert engine is not None  # the app renders every page with it
    environment = engine.engine
    compiled = environment.get_template(template)
    return Markup("".join(compiled.blocks[block](compiled.new_context(dict(context)))))


class PortalPages(Controller):
    """The public home page: the newest notices, and who the platform is for."""

    include_in_schema = False

    @get("/", before_request=public_pages.kept_page)
    async def home(self, request: Request) -> Response:
        return await public_pages.public_page(request, lambda: self._home(request))

    async def _home(self, request: Request) -> Response:
        with portal_cache.one_version():
            notices = (await services.list_notices(limit=8)).items
            response = page(request, HOME_TEMPLATE, {"notices": notices})
            # The block shows only whether someone is signed in, never who.
            key = (HOME_TEMPLATE, response.context["user"] is not None, id(i18n.active()), _rows(notices))
            response.context["listing"] = await _LISTINGS.get(
                key, lambda: _render_block(request, HOME_TEMPLATE, "content", response.context)
            )
            return response


class NoticePages(Controller):
    include_in_schema = False

    @get("/notices", before_request=public_pages.kept_page)
    async def index(
        self,
        request: Request,
        notice_type: FromQuery[str | None] = None,
        method: FromQuery[str | None] = None,
        buyer_id: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Response:
        async def build() -> Response:
            return await self._index(
                request, notice_type, method, buyer_id, category, status, q, date_from, date_to, cursor
            )

        return await public_pages.public_page(request, build)

    async def _index(
        self,
        request: Request,
        notice_type: str | None,
        method: str | None,
        buyer_id: str | None,
        category: str | None,
        status: str | None,
        q: str | None,
        date_from: str | None,
        date_to: str | None,
        cursor: str | None,
    ) -> Response:
        errors: dict[str, str] = {}
        filters = {
            "notice_type": notice_type or "",
            "method": method or "",
            "buyer_id": buyer_id or "",
            "category": category or "",
            "status": status or "",
            "q": (q or "").strip()[:50],
            "date_from": date_from or "",
            "date_to": date_to or "",
        }
        with portal_cache.one_version():
            buyer = int(buyer_id) if buyer_id and buyer_id.isdigit() else None
            if status and status not in services.PUBLIC_STATUS_FILTERS:
                errors["status"] = _("无效的状态筛选。")
                status = None
            result = await services.list_notices(
                notice_type=notice_type or None,
                method=method or None,
                buyer_id=buyer,
                category=category or None,
                status=status or None,
                q=filters["q"] or None,
                date_from=_date(date_from, "date_from", errors),
                date_to=_date(date_to, "date_to", errors),
                cursor=cursor or None,
                limit=20,
            )
            kept = {k: v for k, v in filters.items() if v}
            next_url = "/notices?" + urlencode({**kept, "cursor": result.next_cursor}) if result.next_cursor else None
            first_url = ("/notices?" + urlencode(kept)) if kept else "/notices"
            response = page(
                request,
                NOTICES_TEMPLATE,
                {
                    "notices": result.items,
                    "filters": filters,
                    "errors": errors,
                    "filtered": bool(kept),
                    "next_url": next_url,
                    "first_url": first_url if cursor else None,
                    "options": {
                        "notice_type": NOTICE_TYPE_LABELS,
                        "method": METHOD_LABELS,
                        "category": CATEGORY_LABELS,
                        "status": services.PUBLIC_STATUS_FILTERS,
                        "buyer": [(b["buyer"], b["buyer_name"]) for b in await services.buyers()],
                    },
                    "page_title": _("公告公示"),
                },
            )
            # Everything the list shows that its portal version does not fix: the query
            # (filters, errors, cursor), the language, and the rows with their statuses,
            # which follow the clock (and, with a status filter, which rows there are).
            key = (
                NOTICES_TEMPLATE,
                request.scope.get("query_string", b""),
                id(i18n.active()),
                result.next_cursor,
                _rows(result.items),
            )
            response.context["listing"] = await _LISTINGS.get(
                key, lambda: _render_block(request, NOTICES_TEMPLATE, "content", response.context)
            )
            return response

    @get("/notices/{notice_id:int}")
    async def detail(self, request: Request, notice_id: Id) -> Response:
        notice = await services.get_notice(notice_id)
        tender_id = notice.tender_id
        return page(
            request,
            "portal/notice.html",
            {
                "notice": notice,
                "paragraphs": _paragraphs(notice.content),
                "page_title": notice.title,
                # The tender's other notices (更正、澄清…) and its attached 招标文件.
                "related": [n for n in await tenders.notices_for_tender(tender_id) if n.id != notice.id]
                if tender_id
                else [],
                "files": await tenders.tender_files(tender_id) if tender_id else [],
            },
        )

    @get("/notices.atom")
    async def feed(self, request: Request) -> Response:
        result = await services.list_notices(limit=FEED_SIZE)
        base = str(request.base_url).rstrip("/")
        return Response(atom_feed(result.items, base), media_type="application/atom+xml; charset=utf-8")


def _stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(items: list[NoticeOut], base: str) -> bytes:
    """The newest notices as Atom 1.0 (RFC 4287); ElementTree does the XML escaping."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-CN"})
    sub(feed, "id", "urn:procurement:notices")
    sub(feed, "title", _("民政局") + _("政府购买服务管理平台") + " · " + _("公告公示"))
    sub(feed, "updated", _stamp(items[0].published_at if items else clock.now()))
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/notices.atom")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/notices")
    author = sub(feed, "author")
    sub(author, "name", _("民政局") + _("政府购买服务管理平台"))
    for notice in items:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:procurement:notice:{notice.id}")
        sub(entry, "title", notice.title)
        sub(entry, "updated", _stamp(notice.published_at))
        sub(entry, "published", _stamp(notice.published_at))
        sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/notices/{notice.id}")
        entry_author = sub(entry, "author")
        sub(entry_author, "name", notice.buyer_name)
        sub(entry, "category", term=notice.notice_type, label=notice.notice_type_label)
        sub(entry, "content", notice.content, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


class TenderPortalPages(Controller):
    path = "/tenders"
    include_in_schema = False

    async def _context(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = current_user(request)
        ctx = await tender_page_context(user, tender_id)
        tender = ctx["tender"]
        clarification = tender.clarification_deadline
        # Whether to offer the question form; ask_question itself decides whether a question is accepted.
        can_ask = (
            user is not None
            and user.role == Role.ORG_MEMBER
            and tender.status in (TenderStatus.PUBLISHED,)
            and (clarification is None or clock.now() < clarification)
        )
        mine = [q for q in tender.questions if q.asked_by_my_org and not q.answered_at]
        return {**ctx, "can_ask": can_ask, "my_questions": mine}

    @get("/{tender_id:int}", before_request=public_pages.kept_page)
    async def detail(self, request: Request, tender_id: Id) -> Response:
        return await public_pages.public_page(request, lambda: self._detail(request, tender_id))

    async def _detail(self, request: Request, tender_id: int) -> Response:
        with portal_cache.one_version():
            context = await self._context(request, tender_id)
            response = page(request, TENDER_TEMPLATE, context)
            if response.context["user"] is None:
                # For the public the block shows no CSRF field, flash or user; of the clock only
                # the tender's public status and which of its dates are past (the key holds them).
                tender = context["tender"]
                key = (tender.id, id(i18n.active()), tender.status, tuple(s["past"] for s in context["timeline"]))
                response.context["tender_block"] = await _TENDER_BLOCKS.get(
                    key, lambda: _render_block(request, TENDER_TEMPLATE, "content", response.context)
                )
            return response

    @post("/{tender_id:int}/questions")
    async def ask(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            question = parse_form(QuestionIn, data).question
            await tenders.ask_question(user, tender_id, question)
            return redirect(
                f"/tenders/{tender_id}#questions", _("问题已提交。采购人答复后将在本页公开，并通过消息通知您。")
            )

        return await show_again_when_invalid(
            request, "portal/tender.html", data, action, lambda: self._context(request, tender_id)
        )

    @get("/{tender_id:int}/document.pdf", before_request=public_pages.kept_page)
    async def document(self, request: Request, tender_id: Id) -> Response:
        async def build() -> Response:
            name, pdf, public = await documents.tender_document(current_user(request), tender_id)
            return pdf_response(name, pdf, request=request, public=public)

        # The public's copy kept like a page (issue 11: the PDF downloaded again); a member's
        # download is built each time, as it starts the organization's 质疑 period (rule 27).
        return await public_pages.public_page(request, build)


__all__ = ["NoticePages", "TenderPortalPages", "atom_feed", "LABELS"]
