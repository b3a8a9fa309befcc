"""The contracts package as ``create_app`` and the CLI see it. Its sub-domains
(lifecycle, delivery, staffing, assessments, payments) add their routers,
sweeps and demo here as they arrive."""

from __future__ import annotations

from contracts.changes.routes import ContractChangeController
from contracts.delivery.pages import DeliveryPages
from contracts.delivery.routes import ReportController
from contracts.documents.pages import ContractDocumentPublicPages, ContractTemplatePages
from contracts.jobs import register as register_sweeps
from contracts.lifecycle import reactions
from contracts.lifecycle.document_routes import ContractDocumentController
from contracts.lifecycle.pages import ContractPages
from contracts.lifecycle.routes import ContractController
from contracts.staffing import demo as staffing_demo
from contracts.staffing.pages import StaffingPages
from contracts.staffing.routes import SocialWorkerController, TeamController
from procurement.core.packages import Package
from procurement.settings import ROOT

PACKAGE = Package(
    name="contracts",
    api=[
        ContractController,
        ContractDocumentController,
        ContractChangeController,
        ReportController,
        SocialWorkerController,
        TeamController,
    ],
    pages=[ContractDocumentPublicPages, ContractTemplatePages, ContractPages, DeliveryPages, StaffingPages],
    templates=ROOT / "templates" / "contracts",
    sweeps=register_sweeps,
    subscribe=reactions.subscribe,
    demo=staffing_demo.load_demo,
)
