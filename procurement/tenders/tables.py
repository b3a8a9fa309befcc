"""Tables of tenders: the tender with its lots and versions, clarification questions, the
public notices the tender publishes (every notice is about a tender; tenders writes them),
and who obtained the tender documents when.

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    BigInt,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from procurement.accounts.tables import Organization
from procurement.catalogue.tables import CatalogueItem
from procurement.tenders.states import TenderStatus


class Tender(Table, tablename="tender"):
    """A purchase (招标/采购项目) or a 公益创投 call. Structured parts (eligibility,
    team, scheme, payment schedule, venture terms) are JSON validated by
    ``tenders.schemas``; money is integer fen."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    reference_no = Varchar(length=40, unique=True)
    title = Varchar(length=200)
    method = Varchar(length=30, index=True)
    buyer = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    catalogue_item = ForeignKey(CatalogueItem, null=False, on_delete=OnDelete.restrict)
    category = Varchar(length=20, index=True)
    description = Text(default="")
    status = Varchar(length=20, choices=TenderStatus, default=TenderStatus.DRAFT, index=True)
    version = Integer(default=1)
    total_budget_fen = BigInt(default=0)
    bid_bond_fen = BigInt(default=0)
    contract_term_months = Integer(default=12)
    term_justification = Text(default="")
    method_justification = Text(default="")
    single_source_provider = ForeignKey(Organization, null=True, on_delete=OnDelete.restrict)
    invited_org_ids = Text(default="[]")
    eligibility = Text(default="{}")
    team_requirements = Text(default="{}")
    evaluation_scheme = Text(default="{}")
    payment_schedule = Text(default="[]")
    venture_terms = Text(default="{}")
    # The notice's contact block (87号令 art. 13): copied from the buyer's record, editable per tender.
    buyer_address = Varchar(length=200, default="")
    buyer_contact = Varchar(length=50, default="")
    buyer_phone = Varchar(length=30, default="")
    documents_method = Text(default="")  # 获取招标文件的地点和方式 (blank: this platform, online)
    opening_place = Varchar(length=200, default="")  # 开标地点 (blank: online, on this platform)
    documents_until = Timestamptz(null=True, default=None)
    clarification_deadline = Timestamptz(null=True, default=None)
    bid_deadline = Timestamptz(null=True, default=None)
    opening_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    next_check_at = Timestamptz(null=True, default=None, index=True)
    created_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TenderLot(Table, tablename="tender_lot"):
    """A lot (包) with its own budget and optional maximum price (rule 17)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    name = Varchar(length=200)
    budget_fen = BigInt()
    max_price_fen = BigInt(null=True, default=None)
    description = Text(default="")


class TenderVersion(Table, tablename="tender_version"):
    """Every published version of a tender; amendments add one each (rule 16)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    snapshot = Text()
    change_summary = Text(default="")
    created_by = Integer()
    created_at = Timestamptz()


class Notice(Table, tablename="notice"):
    """A public notice on the portal. Columns the filters use are copied from
    the tender so that listing 100,000 notices needs no join."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    notice_type = Varchar(length=20, index=True)
    tender = ForeignKey(Tender, null=True, on_delete=OnDelete.restrict, index=True)
    tender_version = Integer(default=1)
    buyer = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    buyer_name = Varchar(length=200)
    method = Varchar(length=30, index=True)
    category = Varchar(length=20, index=True)
    title = Varchar(length=300)
    content = Text()
    published_at = Timestamptz(index=True)


class TenderQuestion(Table, tablename="tender_question"):
    """A clarification question (答疑): asked privately, answered publicly."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    asked_by = Integer()
    question = Text()
    asked_at = Timestamptz()
    answer = Text(default="")
    outcome = Varchar(length=20, default="")
    answered_by = Integer(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    # The 澄清公告 that published the answer on the portal.
    clarification_notice = ForeignKey(Notice, null=True, default=None, on_delete=OnDelete.restrict)


class TenderDocumentReceipt(Table, tablename="tender_document_receipt"):
    """When an organization first obtained the tender documents (获取招标文件): a member
    downloaded the generated 招标文件 PDF or an attached file. One row per tender and
    organization (a raw unique index in the migration); the 质疑 period against the
    documents runs from this day (rule 27, 《政府采购法实施条例》第五十三条).

    Like a bid's existence, who obtained the documents is not shown to anyone but the
    organization itself (a potential bidder's name and the count stay private)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    obtained_at = Timestamptz()
    obtained_by = Integer()


class TenderFile(Table, tablename="tender_file"):
    """The full tender documents (招标文件, PDF or DOCX) the officer attaches beside the
    generated summary. Public like the notice: stored as they are (core.storage, by the
    SHA-256 of their bytes), never encrypted."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    sha256 = Varchar(length=64)
    size = BigInt()
    doc_type = Varchar(length=10)
    uploaded_by = Integer()
    uploaded_at = Timestamptz()
