"""JSON API of delivery tracking (issue 12 §6, §7). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK

from contracts.delivery import services as delivery
from contracts.delivery.schemas import ReportOut, ReportsOut, ReviewIn, ScheduleIn, SubmissionIn
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class ReportController(Controller):
    path = "/contracts/{contract_id:int}/reports"
    tags = [N_("合同")]

    @get("/", operation_id="ListReports", responses=problems(401, 404))
    async def list(self, request: Request, contract_id: Id) -> ReportsOut:
        """The report schedule, each report with its submissions and reviews, and indicator progress."""
        return await delivery.list_reports(require_user(request), contract_id)

    @put("/schedule", operation_id="SetReportSchedule", responses=problems(401, 403, 404, 409, 422))
    async def schedule(self, request: Request, contract_id: Id, data: JSONBody[ScheduleIn]) -> ReportsOut:
        """The buyer's officer sets the schedule (monthly, quarterly or dates by hand) before any report."""
        return await delivery.set_report_schedule(require_user(request), contract_id, data)

    @post(
        "/{report_id:int}/submissions",
        operation_id="SubmitProgressReport",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def submit(self, request: Request, contract_id: Id, report_id: Id, data: JSONBody[SubmissionIn]) -> ReportOut:
        """The provider submits a report, or resubmits a returned one: actuals, narrative, attachments."""
        return await delivery.submit_report(require_user(request), contract_id, report_id, data)

    @post(
        "/{report_id:int}/review",
        operation_id="ReviewProgressReport",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def review(self, request: Request, contract_id: Id, report_id: Id, data: JSONBody[ReviewIn]) -> ReportOut:
        """The buyer's officer accepts a submitted report or returns it with comments."""
        return await delivery.review_report(require_user(request), contract_id, report_id, data)

    @get(
        "/{report_id:int}/attachments/{sha256:str}",
        operation_id="GetReportAttachment",
        responses=problems(401, 404),
        media_type="application/octet-stream",
    )
    async def attachment(
        self,
        request: Request,
        contract_id: Id,
        report_id: Id,
        sha256: str = Parameter(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$"),
    ) -> Response:
        """An attachment of a report (服务台账, photos, sign-in sheets), for the parties."""
        data, name, mime = await delivery.attachment(require_user(request), contract_id, report_id, sha256)
        return Response(data, media_type=mime, headers={"Content-Disposition": content_disposition(name)})
