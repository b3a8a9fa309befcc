"""JSON API of tenders and 公益创投 calls. Thin: parse, call one service, return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.core.api import Id, problems
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.storage import content_disposition
from procurement.core.web import current_user, pdf_response, require_user, uploaded_bytes
from procurement.tenders import documents, files, services
from procurement.tenders.schemas import (
    AmendTenderIn,
    AnswerIn,
    AnswerPreviewOut,
    CancelTenderIn,
    QuestionIn,
    QuestionOut,
    TenderFileOut,
    TenderIn,
    TenderList,
    TenderOut,
)
from procurement.tenders.states import Method, TenderStatus


@dataclass
class UploadForm:
    """A multipart body whose file part may be missing (Litestar's bare UploadFile fails with a 500)."""

    data: UploadFile | None = None


class TenderController(Controller):
    path = "/tenders"
    tags = [N_("采购项目")]

    @post("/", operation_id="CreateTender", status_code=HTTP_201_CREATED, responses=problems(400, 401, 403, 422))
    async def create(self, request: Request, data: JSONBody[TenderIn]) -> TenderOut:
        """A bureau officer drafts a tender or 公益创投 call; every rule is checked and named."""
        return await services.create_tender(require_user(request), data)

    @get("/", operation_id="ListTenders", responses=problems(400))
    async def list_tenders(
        self,
        request: Request,
        mine: Annotated[bool, QueryParameter(description=_("只看本单位的项目（含草稿）"))] = False,
        open_only: Annotated[bool, QueryParameter(description=_("只看正在接受投标的项目"))] = False,
        status: Annotated[TenderStatus | None, QueryParameter()] = None,
        method: Annotated[Method | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> TenderList:
        """Published tenders, or with mine=true the caller's own bureau's (drafts included)."""
        return await services.list_tenders(
            current_user(request),
            mine=mine,
            open_only=open_only,
            status=status,
            method=method,
            limit=limit,
            offset=offset,
        )

    @get("/{tender_id:int}", operation_id="GetTender", responses=problems(404))
    async def get_tender(self, request: Request, tender_id: Id) -> TenderOut:
        """One tender; drafts only for the buyer's own staff."""
        return await services.get_tender(current_user(request), tender_id)

    @put("/{tender_id:int}", operation_id="UpdateTender", responses=problems(400, 401, 403, 404, 409, 422))
    async def update(self, request: Request, tender_id: Id, data: JSONBody[TenderIn]) -> TenderOut:
        """Change a draft (a published tender changes by AmendTender)."""
        return await services.update_tender(require_user(request), tender_id, data)

    @post(
        "/{tender_id:int}/publish",
        operation_id="PublishTender",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def publish(self, request: Request, tender_id: Id) -> TenderOut:
        """Publish the notice; the timeline is re-checked against now (rules 12–16)."""
        return await services.publish_tender(require_user(request), tender_id)

    @post(
        "/{tender_id:int}/amend",
        operation_id="AmendTender",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def amend(self, request: Request, tender_id: Id, data: JSONBody[AmendTenderIn]) -> TenderOut:
        """Publish an 更正公告 with a new version; the deadline moves back if rule 16 requires."""
        return await services.amend_tender(require_user(request), tender_id, data)

    @post(
        "/{tender_id:int}/cancel",
        operation_id="CancelTender",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def cancel(self, request: Request, tender_id: Id, data: JSONBody[CancelTenderIn]) -> TenderOut:
        """Terminate with a public reason (终止公告)."""
        return await services.cancel_tender(require_user(request), tender_id, data.reason)

    @post(
        "/{tender_id:int}/retender",
        operation_id="RetenderTender",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def retender(self, request: Request, tender_id: Id) -> TenderOut:
        """After 废标 or termination: a new draft with the same content (rule 18)."""
        return await services.retender(require_user(request), tender_id)

    @post(
        "/{tender_id:int}/questions",
        operation_id="AskQuestion",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def ask(self, request: Request, tender_id: Id, data: JSONBody[QuestionIn]) -> QuestionOut:
        """A social organization asks privately; the answer will be public and anonymous."""
        return await services.ask_question(require_user(request), tender_id, data.question)

    @get(
        "/{tender_id:int}/document",
        operation_id="GetTenderDocument",
        responses=problems(404),
        media_type="application/pdf",
    )
    async def document(self, request: Request, tender_id: Id) -> Response[bytes]:
        """The tender document (招标文件 / 征集公告) as a PDF."""
        name, pdf, public = await documents.tender_document(current_user(request), tender_id)
        return pdf_response(name, pdf, request=request, public=public)

    @post(
        "/{tender_id:int}/files",
        operation_id="AttachTenderFile",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def attach_file(
        self,
        request: Request,
        tender_id: Id,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> TenderFileOut:
        """Attach the full 招标文件 to a draft in the multipart field ``data`` (PDF or DOCX, checked by content)."""
        if not isinstance(data.data, UploadFile):
            raise ValidationFailed(field_errors={"data": _("请选择要上传的文件（表单字段 data）。")})
        content = await uploaded_bytes(data.data)
        return await files.attach_file(require_user(request), tender_id, data.data.filename or "file", content)

    @get(
        "/{tender_id:int}/files/{file_id:int}",
        operation_id="GetTenderFile",
        responses=problems(404),
        media_type="application/octet-stream",
    )
    async def get_file(self, request: Request, tender_id: Id, file_id: Id) -> Response[bytes]:
        """An attached 招标文件 (public once the tender is published)."""
        name, mime, content = await files.download_file(current_user(request), tender_id, file_id)
        return Response(content, media_type=mime, headers={"Content-Disposition": content_disposition(name)})

    @delete(
        "/{tender_id:int}/files/{file_id:int}",
        operation_id="RemoveTenderFile",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def remove_file(self, request: Request, tender_id: Id, file_id: Id) -> dict[str, bool]:
        """Take an attached file off a draft."""
        await files.remove_file(require_user(request), tender_id, file_id)
        return {"ok": True}


class QuestionController(Controller):
    path = "/questions"
    tags = [N_("采购项目")]

    @post(
        "/{question_id:int}/answer/preview",
        operation_id="PreviewAnswer",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def preview(self, request: Request, question_id: Id, data: JSONBody[AnswerIn]) -> AnswerPreviewOut:
        """The 澄清公告 this answer would publish now, and whether it moves the deadline; nothing is saved."""
        return await services.preview_answer(require_user(request), question_id, data.answer)

    @post(
        "/{question_id:int}/answer",
        operation_id="AnswerQuestion",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def answer(self, request: Request, question_id: Id, data: JSONBody[AnswerIn]) -> TenderOut:
        """The buyer answers publicly; the asker stays anonymous (rule 16 may move the deadline)."""
        return await services.answer_question(require_user(request), question_id, data.answer)
