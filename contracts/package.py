"""The contracts package as ``create_app`` and the CLI see it. Its sub-domains
(lifecycle, delivery, staffing, assessments, payments) add their routers,
sweeps and demo here as they arrive."""

from __future__ import annotations

from contracts import dashboard, dashboard_assessments, dashboard_performance
from contracts.assessments import eligibility as assessment_eligibility
from contracts.assessments.indicator_pages import IndicatorSystemPages
from contracts.assessments.indicator_routes import IndicatorSystemFileController
from contracts.assessments.pages import AssessmentPages, CoveragePages, SurveyPages
from contracts.assessments.routes import (
    AssessmentController,
    EvidenceController,
    IndicatorSystemController,
    SurveyController,
)
from contracts.changes.routes import ContractChangeController
from contracts.delivery import reactions as delivery_reactions
from contracts.delivery.pages import DeliveryPages
from contracts.delivery.routes import ReportController
from contracts.demo import load_demo_contracts
from contracts.documents.pages import ContractDocumentPublicPages, ContractTemplatePages, TenderContractTemplatePages
from contracts.jobs import register as register_sweeps
from contracts.lifecycle import reactions
from contracts.lifecycle.document_routes import ContractDocumentController
from contracts.lifecycle.pages import ContractPages
from contracts.lifecycle.routes import ContractController
from contracts.payments import reactions as payment_reactions
from contracts.payments.ledger_pages import LedgerPages
from contracts.payments.pages import PaymentPages
from contracts.payments.routes import LedgerSummaryController, PaymentController
from contracts.staffing import demo as staffing_demo
from contracts.staffing.pages import StaffingPages
from contracts.staffing.routes import SocialWorkerController, TeamController
from procurement.core.packages import Package
from procurement.settings import ROOT


def _subscribe() -> None:
    reactions.subscribe()
    delivery_reactions.subscribe()
    payment_reactions.subscribe()
    assessment_eligibility.subscribe()
    dashboard.register()
    dashboard_performance.register()
    dashboard_assessments.register()


async def _demo(force: bool = False) -> bool:
    """The demo contracts first, then the rosters and the teams on them."""
    made = await load_demo_contracts(force=force)
    return await staffing_demo.load_demo(force=force) or made


PACKAGE = Package(
    name="contracts",
    api=[
        ContractController,
        ContractDocumentController,
        ContractChangeController,
        ReportController,
        SocialWorkerController,
        TeamController,
        AssessmentController,
        EvidenceController,
        IndicatorSystemController,
        IndicatorSystemFileController,
        SurveyController,
        PaymentController,
        LedgerSummaryController,
    ],
    pages=[
        ContractDocumentPublicPages,
        ContractTemplatePages,
        TenderContractTemplatePages,
        ContractPages,
        DeliveryPages,
        StaffingPages,
        SurveyPages,
        AssessmentPages,
        IndicatorSystemPages,
        CoveragePages,
        PaymentPages,
        LedgerPages,
    ],
    templates=ROOT / "templates" / "contracts",
    sweeps=register_sweeps,
    subscribe=_subscribe,
    demo=_demo,
)
