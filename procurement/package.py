"""The procurement package, as ``create_app`` and the CLI see it: its routers,
sweeps, event subscriptions, demo loader and templates, listed in one place.

Sub-domains in their layer order: accounts, system, catalogue, tenders, bids,
evaluation, awards, notices (the public portal) and dashboard.
"""

from __future__ import annotations

from procurement.accounts.pages import AdminPages, PublicPages
from procurement.accounts.routes import AuthController, OrganizationController, UserController
from procurement.awards.pages import AwardPages, OrgChallengePages, ResultPages
from procurement.awards.routes import AwardController, BidResultController, ChallengeController, TenderAwardController
from procurement.bids import audit_seal as bid_audit_seal
from procurement.bids import policies as bid_policies
from procurement.bids import reactions as bid_reactions
from procurement.bids.pages import BidBondPages, BidPublicPages, OrgBidPages, ProfileReviewPages
from procurement.bids.routes import (
    BidController,
    BondController,
    EligibilityController,
    OpeningController,
    ReceiptController,
)
from procurement.catalogue.pages import CataloguePages
from procurement.catalogue.routes import CatalogueController
from procurement.core.packages import Package
from procurement.dashboard.pages import DashboardPages
from procurement.demo_awards import load_procurement_demo
from procurement.evaluation import access as evaluation_access
from procurement.evaluation.pages import EvaluationPages, LowPricePages, ReviewPages
from procurement.evaluation.routes import (
    BidEvaluationController,
    EvaluationController,
    ExpertController,
    PanelController,
    PanelMemberController,
    ScoreSheetController,
)
from procurement.jobs import register as register_sweeps
from procurement.notices.pages import NoticePages, PortalPages, TenderPortalPages
from procurement.notices.routes import NoticeController
from procurement.settings import ROOT
from procurement.system import audit_seal
from procurement.system.pages import SystemPages
from procurement.system.routes import AuditController, CalendarController, ClockController, InboxController
from procurement.tenders.pages import BureauTenderPages, OrgTenderPages, TenderFilePages
from procurement.tenders.routes import QuestionController, TenderController


def _subscribe() -> None:
    """Plug-ins between sub-domains: bids answers tenders' events, and evaluation
    tells bids who besides the buyer may read an opened bid (its declared panel)."""
    bid_reactions.subscribe()
    bid_policies.add_opened_reader(evaluation_access.opened_bid_reader)
    audit_seal.add_sealed_rows(bid_audit_seal.sealed_rows)


PACKAGE = Package(
    name="procurement",
    api=[
        AuthController,
        OrganizationController,
        UserController,
        AuditController,
        InboxController,
        CalendarController,
        ClockController,
        TenderController,
        QuestionController,
        CatalogueController,
        NoticeController,
        EligibilityController,
        BidController,
        ReceiptController,
        OpeningController,
        BondController,
        ExpertController,
        PanelController,
        PanelMemberController,
        EvaluationController,
        BidEvaluationController,
        ScoreSheetController,
        TenderAwardController,
        BidResultController,
        AwardController,
        ChallengeController,
    ],
    pages=[
        PortalPages,
        PublicPages,
        DashboardPages,
        AdminPages,
        SystemPages,
        NoticePages,
        TenderPortalPages,
        BureauTenderPages,
        OrgTenderPages,
        TenderFilePages,
        CataloguePages,
        OrgBidPages,
        BidPublicPages,
        BidBondPages,
        ProfileReviewPages,
        ReviewPages,
        EvaluationPages,
        LowPricePages,
        AwardPages,
        ResultPages,
        OrgChallengePages,
    ],
    templates=ROOT / "templates" / "procurement",
    sweeps=register_sweeps,
    subscribe=_subscribe,
    demo=load_procurement_demo,
)
