"""JSON API of the public notices (no login)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from procurement.catalogue.states import Category
from procurement.core.api import Id, problems
from procurement.core.i18n import N_, _
from procurement.notices import services
from procurement.tenders.schemas import NoticeList, NoticeOut
from procurement.tenders.states import Method, NoticeType


class NoticeController(Controller):
    path = "/notices"
    tags = [N_("公告")]

    @get("/", operation_id="ListNotices", responses=problems(400, 422))
    async def list_notices(
        self,
        notice_type: Annotated[NoticeType | None, QueryParameter()] = None,
        method: Annotated[Method | None, QueryParameter()] = None,
        buyer_id: Annotated[int | None, QueryParameter(ge=1)] = None,
        category: Annotated[Category | None, QueryParameter()] = None,
        status: Annotated[
            str | None,
            QueryParameter(max_length=20, description="open, closed, evaluating, awarded, failed, cancelled"),
        ] = None,
        q: Annotated[str | None, QueryParameter(max_length=50, description=_("标题与正文中的关键词"))] = None,
        date_from: Annotated[date | None, QueryParameter()] = None,
        date_to: Annotated[date | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> NoticeList:
        """Public notices, newest first; keyset-paginated with next_cursor."""
        return await services.list_notices(
            notice_type=notice_type,
            method=method,
            buyer_id=buyer_id,
            category=category,
            status=status,
            q=q,
            date_from=date_from,
            date_to=date_to,
            cursor=cursor,
            limit=limit,
        )

    @get("/{notice_id:int}", operation_id="GetNotice", responses=problems(404))
    async def get_notice(self, notice_id: Id) -> NoticeOut:
        return await services.get_notice(notice_id)
