"""JSON API of third-party evaluation (issue 14 §6). Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from contracts.assessments import coverage, documents, evidence, survey
from contracts.assessments import services as assessments
from contracts.assessments.schemas import (
    AssessmentList,
    AssessmentOut,
    AssessmentReportOut,
    AssignIn,
    EvaluationIn,
    EvidenceIn,
    EvidenceList,
    EvidenceOut,
    IndicatorSystemIn,
    IndicatorSystemList,
    IndicatorSystemOut,
    RectificationIn,
    SelfAssessmentIn,
    SpotCheckCoverageOut,
    SurveyAnsweredOut,
    SurveyAnswerIn,
    SurveyCodesIn,
    SurveyCodesOut,
    SurveyResultsOut,
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

    @get("/spot-check-coverage", operation_id="GetSpotCheckCoverage", responses=problems(401, 403, 422))
    async def spot_check_coverage(
        self,
        request: Request,
        year: int | None = Parameter(default=None, ge=coverage.YEARS[0], le=coverage.YEARS[1]),
    ) -> SpotCheckCoverageOut:
        """A budget year's spot checks of multi-year contracts against the required share (this year by default)."""
        return await coverage.spot_check_coverage(require_user(request), year)


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


class EvidenceController(Controller):
    """The evaluation's evidence files (佐证材料): the agency attaches them to the round it scores."""

    path = "/contracts/{contract_id:int}/assessments/{assessment_id:int}/evidence"
    tags = [N_("合同")]

    @get("/", operation_id="ListEvaluationEvidence", responses=problems(401, 404))
    async def list(self, request: Request, contract_id: Id, assessment_id: Id) -> EvidenceList:
        """The evaluation's evidence files the caller may open, by round and indicator."""
        return await evidence.list_evidence(require_user(request), contract_id, assessment_id)

    @post(
        "/",
        operation_id="AddEvaluationEvidence",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def add(
        self, request: Request, contract_id: Id, assessment_id: Id, data: JSONBody[EvidenceIn]
    ) -> EvidenceOut:
        """The assigned agency's evaluator attaches a file (PDF, JPG, PNG, DOCX, XLSX) to the round it is scoring."""
        return await evidence.add_evidence(require_user(request), contract_id, assessment_id, data)

    @delete(
        "/{evidence_id:int}",
        operation_id="RemoveEvaluationEvidence",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def remove(self, request: Request, contract_id: Id, assessment_id: Id, evidence_id: Id) -> EvidenceList:
        """The evaluator removes a file of the round not yet submitted."""
        return await evidence.remove_evidence(require_user(request), contract_id, assessment_id, evidence_id)

    @get(
        "/{evidence_id:int}",
        operation_id="GetEvaluationEvidence",
        responses=problems(401, 403, 404),
        media_type="application/octet-stream",
    )
    async def download(self, request: Request, contract_id: Id, assessment_id: Id, evidence_id: Id) -> Response:
        """A file of evidence, for the bureau, the agency, and the provider once the round has its result."""
        data, name = await evidence.download(require_user(request), contract_id, assessment_id, evidence_id)
        return Response(
            data, media_type="application/octet-stream", headers={"Content-Disposition": content_disposition(name)}
        )


class SurveyController(Controller):
    """Residents' satisfaction (社区评议): codes and results for the parties, answers without login."""

    path = "/"
    tags = [N_("合同")]

    @post(
        "/contracts/{contract_id:int}/survey-codes",
        operation_id="IssueSurveyCodes",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def issue(self, request: Request, contract_id: Id, data: JSONBody[SurveyCodesIn]) -> SurveyCodesOut:
        """The buyer's officer issues one-time codes to print on survey cards."""
        return await survey.issue_codes(require_user(request), contract_id, data)

    @get("/contracts/{contract_id:int}/survey-codes", operation_id="ListSurveyCodes", responses=problems(401, 403, 404))
    async def codes(self, request: Request, contract_id: Id) -> SurveyCodesOut:
        """Every code of the contract's survey and whether it was used."""
        return await survey.list_codes(require_user(request), contract_id)

    @get("/contracts/{contract_id:int}/survey", operation_id="GetSurveyResults", responses=problems(401, 404))
    async def results(self, request: Request, contract_id: Id) -> SurveyResultsOut:
        """The number of answers, the share satisfied and each question's mean; insufficient below the minimum."""
        return await survey.results(require_user(request), contract_id)

    @post(
        "/survey/responses",
        operation_id="SubmitSatisfactionResponse",
        status_code=HTTP_201_CREATED,
        responses=problems(409, 422),
    )
    async def answer(self, request: Request, data: JSONBody[SurveyAnswerIn]) -> SurveyAnsweredOut:
        """A resident's answers with a one-time code; no login. A code answers once."""
        return await survey.submit_response(data, request.client.host if request.client else "")
