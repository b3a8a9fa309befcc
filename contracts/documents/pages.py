"""The public check of a contract PDF: /verify/contracts (no login), beside the
receipts' /verify. Thin: read the upload, call the one service, show the answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from contracts.documents import services
from contracts.documents.documents import VERIFY_PATH
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import form_action, page

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
TEMPLATE = "contracts/verify.html"


class ContractDocumentPublicPages(Controller):
    include_in_schema = False

    @get(VERIFY_PATH)
    async def verify_form(self, request: Request) -> Response:
        return page(request, TEMPLATE, {"page_title": _("合同文件核验")})

    @post(VERIFY_PATH)
    async def verify(self, request: Request, data: Multipart) -> Response:
        async def action() -> Response:
            chosen = data.get("file")
            chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen
            if not (isinstance(chosen, UploadFile) and chosen.filename):
                raise ValidationFailed(field_errors={"file": _("请选择要核验的合同 PDF 文件。")})
            result = await services.check_contract_pdf(await chosen.read())
            return page(
                request, TEMPLATE, {"result": result, "filename": chosen.filename, "page_title": _("合同文件核验")}
            )

        return await form_action(request, TEMPLATE, {}, action, {"page_title": _("合同文件核验")})
