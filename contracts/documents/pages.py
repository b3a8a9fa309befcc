"""Pages of the contract document: the public check of a contract (/verify/contracts,
no login, beside the receipts' /verify: an uploaded PDF, or a fingerprint typed from
the paper), the contract templates administrators and officers can read
(/admin/contract-templates, each with a sample PDF) and the template a buyer chooses
for a tender (/contracts/tenders/{id}/template). Thin: read the request, call one
function, show the answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter, URLEncodedBody
from litestar.response import Response

from contracts.documents import services, templates
from contracts.documents.documents import VERIFY_PATH, sample_pdf
from contracts.lifecycle.document import find_version
from procurement.core.actors import Role
from procurement.core.api import Id
from procurement.core.errors import DomainError, ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import form_action, page, pdf_response, redirect, require_user

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Form = URLEncodedBody[dict[str, Any]]
TEMPLATE = "contracts/verify.html"
CHOICE = "contracts/template_choice.html"


class ContractDocumentPublicPages(Controller):
    include_in_schema = False

    @get(VERIFY_PATH)
    async def verify_form(
        self, request: Request, sha256: Annotated[str | None, QueryParameter(required=False)] = None
    ) -> Response:
        """The check page; with ``?sha256=`` the fingerprint typed from the paper is looked up."""
        context: dict[str, Any] = {"page_title": _("合同文件核验")}
        if sha256 is None:
            return page(request, TEMPLATE, context)
        typed = sha256[:300]
        try:
            fingerprint = services.normalize_fingerprint(typed)
        except DomainError as exc:
            return page(
                request,
                TEMPLATE,
                {**context, "form": {"sha256": typed}, "errors": exc.field_errors},
                status_code=exc.status_code,
            )
        match = await find_version(fingerprint)
        return page(
            request,
            TEMPLATE,
            {**context, "form": {"sha256": typed}, "looked_up": fingerprint, "match": match},
        )

    @post(VERIFY_PATH)
    async def verify(self, request: Request, data: Multipart) -> Response:
        async def action() -> Response:
            chosen = data.get("file")
            chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen
            if not (isinstance(chosen, UploadFile) and chosen.filename):
                raise ValidationFailed(field_errors={"file": _("请选择要核验的合同 PDF 文件。")})
            result = await services.check_contract_pdf(await chosen.read())
            match = await find_version(result.text_sha256) if result.ok and result.text_sha256 else None
            return page(
                request,
                TEMPLATE,
                {"result": result, "match": match, "filename": chosen.filename, "page_title": _("合同文件核验")},
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


class TenderContractTemplatePages(Controller):
    """The contract template of one tender: shown to whoever may see the tender's
    contracts, chosen by an officer of its buyer."""

    include_in_schema = False
    path = "/contracts/tenders/{tender_id:int}/template"

    @get("/")
    async def show(self, request: Request, tender_id: Id) -> Response:
        choice = await services.template_choice(require_user(request), tender_id)
        return page(request, CHOICE, {"choice": choice, "page_title": _("合同模板")})

    @post("/")
    async def choose(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)
        choice = await services.template_choice(user, tender_id)
        back = str(data.get("back", "") or "")
        back = back if back.startswith("/contracts/") and "//" not in back else ""

        async def action() -> Response:
            chosen = await services.choose_template(user, tender_id, str(data.get("template_key", "") or ""))
            message = _("已选用「{label}」。此后定稿的合同文本按该模板生成；已签署的版本不变。").format(
                label=chosen.current.display_label()
            )
            return redirect(back or f"/contracts/tenders/{tender_id}/template", message)

        return await form_action(request, CHOICE, dict(data), action, {"choice": choice, "page_title": _("合同模板")})
