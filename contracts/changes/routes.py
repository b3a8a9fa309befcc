"""JSON API of contract changes (issue 12 §5, §7). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from contracts.changes import services as changes
from contracts.changes.schemas import ContractChangeOut, ProposeChangeIn, SignChangeIn, WithdrawChangeIn
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class ContractChangeController(Controller):
    path = "/contracts/{contract_id:int}/changes"
    tags = [N_("合同变更")]

    @post(
        "/",
        operation_id="ProposeContractChange",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def propose(self, request: Request, contract_id: Id, data: JSONBody[ProposeChangeIn]) -> ContractChangeOut:
        """A party proposes a 补充合同 or an agreed change of an active contract (full new terms, rationale, legal basis)."""
        return await changes.propose_change(require_user(request), contract_id, data)

    @get("/", operation_id="ListContractChanges", responses=problems(401, 404))
    async def list(self, request: Request, contract_id: Id) -> list[ContractChangeOut]:
        """The contract's changes with what each changes, old and new side by side."""
        return await changes.list_changes(require_user(request), contract_id)

    @post(
        "/{seq:int}/signatures",
        operation_id="SignContractChange",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def sign(self, request: Request, contract_id: Id, seq: Id, data: JSONBody[SignChangeIn]) -> ContractChangeOut:
        """A party signs the change; the second signature makes it effective and updates the contract."""
        return await changes.sign_change(require_user(request), contract_id, seq, data)

    @post(
        "/{seq:int}/withdraw",
        operation_id="WithdrawContractChange",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def withdraw(
        self, request: Request, contract_id: Id, seq: Id, data: JSONBody[WithdrawChangeIn]
    ) -> ContractChangeOut:
        """The proposer withdraws an open change; the other party refuses it."""
        return await changes.withdraw_change(require_user(request), contract_id, seq, data)

    @get(
        "/{seq:int}/pdf",
        operation_id="GetContractChangePdf",
        responses=problems(401, 404),
        media_type="application/pdf",
    )
    async def pdf(self, request: Request, contract_id: Id, seq: Id) -> Response[bytes]:
        """The numbered 补充合同 / 合同变更协议 as a PDF signed by the platform."""
        name, content = await changes.change_pdf(require_user(request), contract_id, seq)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": content_disposition(name, inline=True)},
        )
