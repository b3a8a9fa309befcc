"""JSON API of the public notices (no login)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import QueryParameter
from litestar.serialization import encode_json

from procurement.catalogue.states import Category
from procurement.core import public_pages
from procurement.core.api import Id, problems
from procurement.core.i18n import N_, _
from procurement.notices import services
from procurement.tenders.schemas import NoticeList, NoticeOut
from procurement.tenders.states import Method, NoticeType


class NoticeController(Controller):
    path = "/notices"
    tags = [N_("公告")]

    @get("/", operation_id="ListNotices", responses=problems(400, 422), before_request=public_pages.kept_page)
    async def list_notices(
        self,
        request: Request,
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
    ) -> Response[NoticeList]:
        """Public notices, newest first; keyset-paginated with next_cursor."""

        async def build() -> Response[bytes]:
            result = await services.list_notices(
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
            # Encoded here as Litestar would (model_dump in JSON mode, then msgspec), so that
            # the bytes can be kept for the public like a portal page (core/public_pages.py).
            return Response(encode_json(result.model_dump(mode="json")), media_type=MediaType.JSON)

        return cast(Response[NoticeList], await public_pages.public_page(request, build))

    @get("/{notice_id:int}", operation_id="GetNotice", responses=problems(404))
    async def get_notice(self, notice_id: Id) -> NoticeOut:
        return await services.get_notice(notice_id)
