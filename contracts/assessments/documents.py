"""The evaluation report as a PDF (评估报告, issue 14 §3): the context for
``templates/contracts/assessments/report_pdf.html``, rendered by ``core.pdf`` off the
event loop with the CJK font embedded."""

from __future__ import annotations

from contracts.assessments.schemas import AssessmentReportOut
from procurement.core import clock, pdf

TEMPLATE = "contracts/assessments/report_pdf.html"


def report_context(report: AssessmentReportOut) -> dict[str, object]:
    return {
        "r": report,
        "issuer": report.agency_name,
        "doc_number": f"{report.contract_number}-{report.assessment_id}-{report.round}",
        "issued_on": f"{clock.to_local(report.evaluated_at):%Y-%m-%d}",
        "evaluated_at": f"{clock.to_local(report.evaluated_at):%Y-%m-%d %H:%M}",
        "rectification_due": f"{report.rectification_due_on:%Y-%m-%d}" if report.rectification_due_on else "",
    }


async def report_pdf(report: AssessmentReportOut) -> bytes:
    """The PDF of a report the caller may read (the service checked it)."""
    return await pdf.render_pdf(TEMPLATE, report_context(report))
