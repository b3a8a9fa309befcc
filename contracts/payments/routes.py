"""JSON API of installment payments (issue 14 §6). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK

from contracts.payments import ledger_documents
from contracts.payments import services as payments
from contracts.payments.schemas import (
    ApprovePaymentIn,
    InstallmentsOut,
    PaymentTermIn,
    ReleasePaymentIn,
    RequestPaymentIn,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class PaymentController(Controller):
    path = "/contracts/{contract_id:int}/installments"
    tags = [N_("合同")]

    @get("/", operation_id="ListInstallments", responses=problems(401, 404))
    async def list(self, request: Request, contract_id: Id) -> InstallmentsOut:
        """The payment schedule: each installment's gate, status, payment deadline (days left, late) and release."""
        return await payments.list_installments(require_user(request), contract_id)

    @put("/term", operation_id="SetPaymentTerm", responses=problems(401, 403, 404, 409, 422))
    async def term(self, request: Request, contract_id: Id, data: JSONBody[PaymentTermIn]) -> InstallmentsOut:
        """The buyer's officer records the payment term the contract agreed (at most 60 days)."""
        return await payments.set_payment_term(require_user(request), contract_id, data)

    @post(
        "/{seq:int}/request",
        operation_id="RequestPayment",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def request_payment(
        self, request: Request, contract_id: Id, seq: Id, data: JSONBody[RequestPaymentIn]
    ) -> InstallmentsOut:
        """The provider's 拨付申请 for a due installment."""
        return await payments.request_payment(require_user(request), contract_id, seq, data)

    @post(
        "/{seq:int}/approve",
        operation_id="ApprovePayment",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def approve(
        self, request: Request, contract_id: Id, seq: Id, data: JSONBody[ApprovePaymentIn]
    ) -> InstallmentsOut:
        """The buyer's officer approves a requested payment."""
        return await payments.approve_payment(require_user(request), contract_id, seq, data)

    @post(
        "/{seq:int}/release",
        operation_id="ReleasePayment",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def release(
        self, request: Request, contract_id: Id, seq: Id, data: JSONBody[ReleasePaymentIn]
    ) -> InstallmentsOut:
        """The buyer's finance releases an approved payment with the voucher number (once, within the contract amount)."""
        return await payments.release_payment(require_user(request), contract_id, seq, data)

    @get(
        "/{seq:int}/voucher",
        operation_id="GetPaymentVoucher",
        responses=problems(401, 404, 409),
        media_type="application/pdf",
    )
    async def voucher(self, request: Request, contract_id: Id, seq: Id) -> Response[bytes]:
        """The 拨付单 of a released installment, as a PDF."""
        name, content = await payments.voucher(require_user(request), contract_id, seq)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": content_disposition(name, inline=True)},
        )

    @get(
        "/ledger",
        operation_id="ExportLedger",
        responses=problems(401, 403, 404),
        media_type="application/octet-stream",
    )
    async def ledger(
        self,
        request: Request,
        contract_id: Id,
        format: str = Parameter(default="csv", pattern=r"^(csv|xlsx)$", description=N_("csv 或 xlsx")),
    ) -> Response[bytes]:
        """The contract's payment ledger: schedule, gates, status, amounts, due and paid dates."""
        name, _mime, content = await payments.export_ledger(require_user(request), contract_id, format)
        # One documented type for both formats; the file name tells the program to open it with.
        return Response(
            content, media_type="application/octet-stream", headers={"Content-Disposition": content_disposition(name)}
        )


class LedgerSummaryController(Controller):
    path = "/bureau/ledger"
    tags = [N_("合同")]

    @get(
        "/",
        operation_id="ExportLedgerSummary",
        responses=problems(401, 403),
        media_type="application/octet-stream",
    )
    async def export(
        self,
        request: Request,
        format: str = Parameter(default="csv", pattern=r"^(csv|xlsx)$", description=N_("csv 或 xlsx")),
        year: int | None = Parameter(default=None, ge=2000, le=2100, description=N_("预算年度（签订年份）")),
        view: str = Parameter(
            default="categories",
            pattern=r"^(categories|organizations|contracts|share)$",
            description=N_("CSV 的视图：categories、organizations、contracts 或 share"),
        ),
    ) -> Response[bytes]:
        """The bureau's ledger: per organization, per budget year and category (planned against released), the share of social organizations."""
        name, _mime, content = await ledger_documents.export_summary(require_user(request), format, year, view)
        return Response(
            content, media_type="application/octet-stream", headers={"Content-Disposition": content_disposition(name)}
        )
