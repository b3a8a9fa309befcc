"""Pages of the contract document: the public check of a contract PDF
(/verify/contracts, no login, beside the receipts' /verify) and the contract
templates administrators and officers can read (/admin/contract-templates, each
with a sample PDF). Thin: read the request, call one function, show the answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Response

from contracts.documents import services, templates
from contracts.documents.documents import VERIFY_PATH, sample_pdf
from procurement.core.actors import Role
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import form_action, page, pdf_response, require_user

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


# Who reads the templates: administrators keep them, officers choose one per tender.
TEMPLATE_READERS = (Role.ADMIN, Role.OFFICER)


class ContractTemplatePages(Controller):
    include_in_schema = False

    @get("/admin/contract-templates")
    async def list_templates(self, request: Request) -> Response:
        require_user(request, *TEMPLATE_READERS)
        return page(
            request,
            "contracts/templates.html",
            {"templates": templates.TEMPLATES, "page_title": _("合同模板")},
        )

    @get("/admin/contract-templates/{key:str}/sample.pdf")
    async def sample(self, request: Request, key: FromPath[str]) -> Response:
        require_user(request, *TEMPLATE_READERS)
        template = templates.get_template(key)  # NotFound for an unknown key
        name = _("{label}（样本）.pdf").format(label=template.display_label())
        return pdf_response(name, await sample_pdf(template.key))
