"""The contract's PDF (issue 12 §2, §7: ``GetContractPdf``): the platform-signed
document of its current frozen version, for the contract's parties only. Thin:
one call, then the bytes with an ETag (the PDF's SHA-256), so a client that has
the file gets 304."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Response
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from contracts.lifecycle import document
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import pdf_response, require_user


async def pdf_answer(request: Request, contract_id: int) -> Response:
    """The PDF, or 304 when the client already holds these bytes (If-None-Match)."""
    issued = await document.contract_pdf(require_user(request), contract_id)
    etag = f'"{issued.pdf_sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private"}
    wanted = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    response = pdf_response(issued.filename, issued.content)
    response.headers.update(headers)
    return response


class ContractDocumentController(Controller):
    path = "/contracts"
    tags = [N_("合同")]

    @get(
        "/{contract_id:int}/pdf",
        operation_id="GetContractPdf",
        media_type="application/pdf",
        responses=problems(401, 404, 409),
    )
    async def pdf(self, request: Request, contract_id: Id) -> Response:
        """The platform-signed PDF of the current version once its text is frozen (the first
        signature or a paper signing); 409 for a draft nobody has signed yet."""
        return await pdf_answer(request, contract_id)
