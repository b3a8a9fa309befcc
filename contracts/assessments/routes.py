"""JSON API of third-party evaluation (issue 14 §6). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from contracts.assessments import documents
from contracts.assessments import services as assessments
from contracts.assessments.schemas import (
    AssessmentList,
    AssessmentOut,
    AssessmentReportOut,
    AssignIn,
    EvaluationIn,
    IndicatorSystemIn,
    IndicatorSystemList,
    IndicatorSystemOut,
    RectificationIn,
    SelfAssessmentIn,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.storage import content_disposition
from procurement.core.web import require_user


class IndicatorSystemController(Controller):
    path = "/assessments"
    tags = [N_("合同")]

    @get("/indicator-systems", operation_id="ListIndicatorSystems", responses=problems(401))
    async def systems(self, request: Request) -> IndicatorSystemList:
        """Every version of every evaluation indicator system (评估指标体系)."""
        return await assessments.list_indicator_systems(require_user(request))

    @post(
        "/indicator-systems",
        operation_id="CreateIndicatorSystem",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 409, 422),
    )
    async def create_system(self, request: Request, data: JSONBody[IndicatorSystemIn]) -> IndicatorSystemOut:
        """A new indicator system, or a new version of one with the same name (weights add up to 100 at every level)."""
        return await assessments.create_indicator_system(require_user(request), data)

    @get("/mine", operation_id="ListAgencyAssessments", responses=problems(401))
    async def mine(self, request: Request) -> AssessmentList:
        """The evaluations assigned to the signed-in evaluator's agency."""
        return await assessments.agency_queue(require_user(request))


class AssessmentController(Controller):
    path = "/contracts/{contract_id:int}/assessments"
    tags = [N_("合同")]

    @get("/", operation_id="ListAssessments", responses=problems(401, 404))
    async def list(self, request: Request, contract_id: Id) -> AssessmentList:
        """A contract's evaluations (an agency sees only those assigned to it)."""
        return await assessments.list_assessments(require_user(request), contract_id)

    @post(
        "/",
        operation_id="AssignEvaluation",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def assign(self, request: Request, contract_id: Id, data: JSONBody[AssignIn]) -> AssessmentOut:
        """The buyer's officer commissions an independent agency for a mid-term, final or spot evaluation."""
        return await assessments.assign_evaluation(require_user(request), contract_id, data)

    @get("/{assessment_id:int}", operation_id="GetAssessment", responses=problems(401, 404))
    async def one(self, request: Request, contract_id: Id, assessment_id: Id) -> AssessmentOut:
        """One evaluation: the contract's indicator tree, the self-assessment, the rounds and the grade."""
        return await assessments.get_assessment(require_user(request), contract_id, assessment_id)

    @post(
        "/{assessment_id:int}/self-assessment",
        operation_id="SubmitSelfAssessment",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def self_assess(
        self, request: Request, contract_id: Id, assessment_id: Id, data: JSONBody[SelfAssessmentIn]
    ) -> AssessmentOut:
        """The provider's self-assessment: a score and a note per indicator, and its report."""
        return await assessments.submit_self_assessment(require_user(request), contract_id, assessment_id, data)

    @post(
        "/{assessment_id:int}/evaluation",
        operation_id="SubmitEvaluation",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def evaluate(
        self, request: Request, contract_id: Id, assessment_id: Id, data: JSONBody[EvaluationIn]
    ) -> AssessmentOut:
        """The agency's scores with evidence notes (or its re-evaluation after rectification); sets the grade."""
        return await assessments.submit_evaluation(require_user(request), contract_id, assessment_id, data)

    @post(
        "/{assessment_id:int}/rectification",
        operation_id="ReportRectification",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def rectify(
        self, request: Request, contract_id: Id, assessment_id: Id, data: JSONBody[RectificationIn]
    ) -> AssessmentOut:
        """The provider reports its rectification (整改); the agency then evaluates again."""
        return await assessments.report_rectification(require_user(request), contract_id, assessment_id, data)

    @get("/{assessment_id:int}/report", operation_id="GetAssessmentReportData", responses=problems(401, 404, 409))
    async def report(self, request: Request, contract_id: Id, assessment_id: Id) -> AssessmentReportOut:
        """The evaluation report's content as data: the tree, the scores, the evidence and the grade."""
        return await assessments.assessment_report(require_user(request), contract_id, assessment_id)

    @get(
        "/{assessment_id:int}/report.pdf",
        operation_id="GetAssessmentReport",
        responses=problems(401, 404, 409),
        media_type="application/pdf",
    )
    async def report_pdf(self, request: Request, contract_id: Id, assessment_id: Id) -> Response:
        """The evaluation report (评估报告) as a PDF with the tree, the scores, the evidence and the grade."""
        report = await assessments.assessment_report(require_user(request), contract_id, assessment_id)
        data = await documents.report_pdf(report)
        name = f"assessment-{contract_id}-{assessment_id}-{report.round}.pdf"
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": content_disposition(name)})
