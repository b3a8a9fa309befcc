"""The contracts package as ``create_app`` and the CLI see it. Its sub-domains
(lifecycle, delivery, staffing, assessments, payments) add their routers,
sweeps and demo here as they arrive."""

from __future__ import annotations

from contracts import dashboard
from contracts.changes.routes import ContractChangeController
from contracts.delivery.pages import DeliveryPages
from contracts.delivery.routes import ReportController
from contracts.demo import load_demo_contracts
from contracts.documents.pages import ContractDocumentPublicPages, ContractTemplatePages
from contracts.jobs import register as register_sweeps
from contracts.lifecycle import reactions
from contracts.lifecycle.document_routes import ContractDocumentController
from contracts.lifecycle.pages import ContractPages
from contracts.lifecycle.routes import ContractController
from contracts.payments import reactions as payment_reactions
from contracts.payments.pages import PaymentPages
from contracts.payments.routes import PaymentController
from procurement.core.packages import Package
from procurement.settings import ROOT


def _subscribe() -> None:
    reactions.subscribe()
    payment_reactions.subscribe()
    dashboard.register()


PACKAGE = Package(
    name="contracts",
    api=[ContractController, ContractDocumentController, ContractChangeController, ReportController, PaymentController],
    pages=[ContractDocumentPublicPages, ContractTemplatePages, ContractPages, DeliveryPages, PaymentPages],
    templates=ROOT / "templates" / "contracts",
    sweeps=register_sweeps,
    subscribe=_subscribe,
    demo=load_demo_contracts,
)
