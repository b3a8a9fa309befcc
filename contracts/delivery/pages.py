"""The reports page of a contract (/contracts/{id}/reports, issue 12 §6, §8): the
schedule with its due dates (Beijing), overdue flags and statuses, the provider's
report form, the officer's review form and schedule form, and the progress chart.
Thin: read the request, call one service function, show the answer."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from contracts.delivery import services as delivery
from contracts.delivery.schemas import AttachmentIn, ReviewIn, ScheduleIn, SubmissionIn
from contracts.lifecycle import services as contracts
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import field_errors_from_pydantic, form_action, page, redirect, require_user

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
TEMPLATE = "contracts/delivery/reports.html"


def _url(contract_id: int) -> str:
    return f"/contracts/{contract_id}/reports"


async def _context(user: CurrentUser, contract_id: int) -> dict[str, Any]:
    contract = await contracts.get_contract(user, contract_id)
    reports = await delivery.list_reports(user, contract_id)
    chart = await delivery.progress(user, contract_id)
    return {
        "contract": contract,
        "reports": reports,
        "chart_svg": chart.svg,
        "page_title": _("进度报告：{title}").format(title=contract.title),
    }


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _parse(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError

    try:
        return model(**values)
    except ValidationError as exc:
        raise ValidationFailed(field_errors=field_errors_from_pydantic(exc)) from None


class DeliveryPages(Controller):
    include_in_schema = False

    @get("/contracts/{contract_id:int}/reports")
    async def reports(self, request: Request, contract_id: Id) -> Response:
        user = require_user(request)
        return page(request, TEMPLATE, await _context(user, contract_id))

    @post("/contracts/{contract_id:int}/reports/schedule")
    async def schedule(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            raw_dates = str(data.get("dates") or "").replace("，", ",").replace("\n", ",")
            dates = [d.strip() for d in raw_dates.split(",") if d.strip()]
            grace = str(data.get("grace_days") or "10").strip()
            parsed = _parse(ScheduleIn, kind=data.get("kind") or "", grace_days=grace, dates=dates)
            await delivery.set_report_schedule(user, contract_id, parsed)
            return redirect(_url(contract_id), _("进度报告计划已保存。"))

        return await form_action(request, TEMPLATE, data, action, await _context(user, contract_id))

    @post("/contracts/{contract_id:int}/reports/{report_id:int}/submit")
    async def submit(self, request: Request, contract_id: Id, report_id: Id, data: Multipart) -> Response:
        user = require_user(request)
        names = [str(v) for v in (data.get("indicator") or [])] if isinstance(data.get("indicator"), list) else []
        if not names and data.get("indicator"):
            names = [str(data["indicator"])]
        values = data.get("actual")
        values = values if isinstance(values, list) else ([values] if values is not None else [])

        async def action() -> Response:
            files = data.get("files")
            files = files if isinstance(files, list) else ([files] if files is not None else [])
            attachments = [
                AttachmentIn(filename=f.filename, content_base64=base64.b64encode(await f.read()).decode())
                for f in files
                if isinstance(f, UploadFile) and f.filename
            ]
            parsed = _parse(
                SubmissionIn,
                actuals={n: str(v) for n, v in zip(names, values, strict=False)},
                narrative=str(_first(data.get("narrative")) or ""),
                attachments=attachments,
            )
            await delivery.submit_report(user, contract_id, report_id, parsed)
            return redirect(_url(contract_id), _("进度报告已提交，等待采购人审核。"))

        form = {"report_id": report_id, "narrative": _first(data.get("narrative")) or ""}
        return await form_action(request, TEMPLATE, form, action, await _context(user, contract_id))

    @post("/contracts/{contract_id:int}/reports/{report_id:int}/review")
    async def review(self, request: Request, contract_id: Id, report_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            parsed = _parse(ReviewIn, outcome=data.get("outcome") or "", comments=data.get("comments") or "")
            await delivery.review_report(user, contract_id, report_id, parsed)
            done = _("进度报告已审核通过。") if parsed.outcome == "accept" else _("进度报告已退回服务机构修改。")
            return redirect(_url(contract_id), done)

        form = {**data, "report_id": report_id}
        return await form_action(request, TEMPLATE, form, action, await _context(user, contract_id))
