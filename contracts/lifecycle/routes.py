"""JSON API of a contract's life (issue 12 §7). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from contracts.delivery import services as delivery_services
from contracts.lifecycle import ending, signing
from contracts.lifecycle import services as contracts
from contracts.lifecycle.schemas import (
    BondRefundIn,
    ContractDraftIn,
    ContractOut,
    ContractSummary,
    CreateContractIn,
    FilingIn,
    GroundIn,
    OfflineSigningIn,
    SignIn,
    TerminateIn,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import require_user


class ContractController(Controller):
    path = "/contracts"
    tags = [N_("合同")]

    @post("/", operation_id="CreateContract", status_code=HTTP_201_CREATED, responses=problems(401, 403, 404, 409))
    async def create(self, request: Request, data: JSONBody[CreateContractIn]) -> ContractOut:
        """A contract drawn up from an active award by the buyer's officer (one per award)."""
        return await contracts.create_contract_from_award(require_user(request), data.award_id)

    @get("/", operation_id="ListContracts", responses=problems(401))
    async def list(
        self,
        request: Request,
        status: str | None = Parameter(default=None, max_length=30),
        overdue_signing: bool = Parameter(default=False),
        overdue_reports: bool = Parameter(default=False),
    ) -> list[ContractSummary]:
        """The bureau's contracts for its staff, an organization's own for its members;
        ``status``, ``overdue_signing`` (unsigned past the 30 days) and ``overdue_reports``
        (a progress report past its due day and not submitted) filter them."""
        found = await contracts.list_contracts(require_user(request), status=status, overdue_signing=overdue_signing)
        if overdue_reports:
            late = await delivery_services.overdue_counts([c.id for c in found])
            found = [c for c in found if late.get(c.id)]
        return found

    @get("/{contract_id:int}", operation_id="GetContract", responses=problems(401, 404))
    async def get(self, request: Request, contract_id: Id) -> ContractOut:
        """The contract with its installments, signatures, deadlines and what blocks signing."""
        return await contracts.get_contract(require_user(request), contract_id)

    @put("/{contract_id:int}", operation_id="UpdateContractDraft", responses=problems(401, 403, 404, 409, 422))
    async def update(self, request: Request, contract_id: Id, data: JSONBody[ContractDraftIn]) -> ContractOut:
        """Change the draft; after a signature, a correction makes a new version both sign again."""
        return await contracts.update_draft(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/signatures",
        operation_id="SignContract",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def sign(self, request: Request, contract_id: Id, data: JSONBody[SignIn]) -> ContractOut:
        """A party signs the current version; the second signature makes the contract active."""
        return await signing.sign_contract(require_user(request), contract_id, data.version)

    @post(
        "/{contract_id:int}/offline-signing",
        operation_id="RecordOfflineSigning",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def offline(self, request: Request, contract_id: Id, data: JSONBody[OfflineSigningIn]) -> ContractOut:
        """The officer records a paper signing with the signed scan (its SHA-256 is kept)."""
        return await signing.record_offline_signing(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/notice",
        operation_id="PublishContractNotice",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def notice(self, request: Request, contract_id: Id) -> ContractOut:
        """The 合同公告 on the portal (within 2 working days of signing)."""
        return await signing.publish_contract_notice(require_user(request), contract_id)

    @post(
        "/{contract_id:int}/filing",
        operation_id="RecordContractFiling",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def filing(self, request: Request, contract_id: Id, data: JSONBody[FilingIn]) -> ContractOut:
        """备案 of the signed contract (within 7 working days of signing)."""
        return await signing.record_filing(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/suspend",
        operation_id="SuspendContract",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def suspend(self, request: Request, contract_id: Id, data: JSONBody[GroundIn]) -> ContractOut:
        """中止, recorded by the buyer with the provider's consent or a legal ground."""
        return await ending.suspend_contract(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/resume",
        operation_id="ResumeContract",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def resume(self, request: Request, contract_id: Id) -> ContractOut:
        return await ending.resume_contract(require_user(request), contract_id)

    @post(
        "/{contract_id:int}/terminate",
        operation_id="TerminateContract",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def terminate(self, request: Request, contract_id: Id, data: JSONBody[TerminateIn]) -> ContractOut:
        """解除, with a reason, a settlement within the unpaid remainder, and a public notice."""
        return await ending.terminate_contract(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/performance-bond/refund",
        operation_id="RecordPerformanceBondRefund",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def refund_bond(self, request: Request, contract_id: Id, data: JSONBody[BondRefundIn]) -> ContractOut:
        """The buyer's finance records the return of the performance bond once the contract has ended (rule 29)."""
        return await ending.record_bond_refund(require_user(request), contract_id, data)

    @post(
        "/{contract_id:int}/complete",
        operation_id="CompleteContract",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def complete(self, request: Request, contract_id: Id) -> ContractOut:
        """履行完毕: refused until the final evaluation is graded and every installment is released."""
        return await ending.complete_contract(require_user(request), contract_id)
