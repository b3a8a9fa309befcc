"""The payments page of a contract (/contracts/{id}/payments) and the bureau's finance
queue (/bureau/payments), issue 14 §7: each installment's gate, status, payment
deadline (Beijing) with the days left, and the request, approve and release forms for
whoever may take that step. Thin: read the request, call one service, show the answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Response

from contracts.lifecycle import services as contracts
from contracts.payments import services as payments
from contracts.payments.schemas import ApprovePaymentIn, ReleasePaymentIn, RequestPaymentIn
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import field_errors_from_pydantic, form_action, page, redirect, require_user

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
TEMPLATE = "contracts/payments/installments.html"
QUEUE = "contracts/payments/queue.html"


def _url(contract_id: int) -> str:
    return f"/contracts/{contract_id}/payments"


async def _context(user: CurrentUser, contract_id: int) -> dict[str, Any]:
    contract = await contracts.get_contract(user, contract_id)
    return {
        "contract": contract,
        "ledger": await payments.list_installments(user, contract_id),
        "page_title": _("付款：{title}").format(title=contract.title),
    }


def _parse(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError

    try:
        return model(**values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors=field_errors_from_pydantic(exc)) from None


class PaymentPages(Controller):
    include_in_schema = False

    @get("/contracts/{contract_id:int}/payments")
    async def installments(self, request: Request, contract_id: Id) -> Response:
        user = require_user(request)
        return page(request, TEMPLATE, await _context(user, contract_id))

    @get("/bureau/payments")
    async def queue(self, request: Request) -> Response:
        user = require_user(request)
        items = await payments.finance_queue(user)
        return page(request, QUEUE, {"items": items, "page_title": _("待拨付款项")})

    @post("/contracts/{contract_id:int}/payments/{seq:int}/{step:str}")
    async def step(
        self,
        request: Request,
        contract_id: Id,
        seq: Id,
        data: Form,
        step: str = Parameter(pattern=r"^(request|approve|check|release)$"),
    ) -> Response:
        user = require_user(request)

        async def action() -> Response:
            note = str(data.get("note") or "")
            if step == "request":
                await payments.request_payment(user, contract_id, seq, _parse(RequestPaymentIn, note=note))
                done = _("拨付申请已提交，等待采购人审核。")
            elif step == "approve":
                await payments.approve_payment(user, contract_id, seq, _parse(ApprovePaymentIn, note=note))
                done = _("拨付申请已审核通过，等待财务拨付。")
            elif step == "check":
                await payments.check_payment(user, contract_id, seq)
                done = _("财务复核已完成。")
            elif step == "release":
                parsed = _parse(ReleasePaymentIn, voucher_no=str(data.get("voucher_no") or "").strip())
                await payments.release_payment(user, contract_id, seq, parsed)
                done = _("款项已拨付。")
            else:
                raise ValidationFailed(field_errors={"step": _("未知的操作。")})
            return redirect(_url(contract_id), done)

        form = {**data, "seq": seq}
        return await form_action(request, TEMPLATE, form, action, await _context(user, contract_id))
