"""Tables of bids: eligibility profiles, sealed bids with documents and submissions, the opening
record and bid bonds.

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
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
from procurement.bids.states import BidStatus, ProfileStatus
from procurement.tenders.tables import Tender, TenderLot


class EligibilityProfile(Table, tablename="eligibility_profile"):
    """What a social organization declares about itself (rules 2–6), confirmed
    by the bureau or returned with a reason (``PROFILE_TABLE``). Lists are JSON:
    annual reports by year, list entries and major violations, each dated. Each
    filing or change adds one to ``version``; a review names the version it read."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, unique=True)
    registration_type = Varchar(length=30, default="social_service")
    registration_date = Date(null=True, default=None)
    charter_scope = Text(default="")
    grade = Varchar(length=4, default="")
    grade_awarded_on = Date(null=True, default=None)
    annual_reports = Text(default="{}")
    list_entries = Text(default="[]")
    violations = Text(default="[]")
    updated_at = Timestamptz()
    confirmed_by = Integer(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    status = Varchar(length=20, choices=ProfileStatus, default=ProfileStatus.PENDING, index=True)
    version = Integer(default=1)
    returned_reason = Text(default="")
    returned_at = Timestamptz(null=True, default=None)
    returned_by = Integer(null=True, default=None)


class TenderKey(Table, tablename="tender_key"):
    """The tender's data key, wrapped with the master key (see core/crypto.py)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, unique=True)
    wrapped = Text()
    created_at = Timestamptz()


class Bid(Table, tablename="bid"):
    """One organization's bid for one lot (unique, raw index in the migration).
    Its content is sealed: only ciphertext is stored until the opening."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(TenderLot, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, choices=BidStatus, default=BidStatus.DRAFT, index=True)
    draft = Text(default="")
    submitted_version = Integer(default=0)
    tender_version = Integer(default=0)
    submitted_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    created_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BidDocument(Table, tablename="bid_document"):
    """A document of a bid: the plaintext's hash and type, the ciphertext's file."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, index=True)
    sha256 = Varchar(length=64)
    blob_sha256 = Varchar(length=64)
    size = BigInt()
    doc_type = Varchar(length=10)
    name_sealed = Text()
    uploaded_by = Integer()
    uploaded_at = Timestamptz()
    removed_at = Timestamptz(null=True, default=None)


class BidSubmission(Table, tablename="bid_submission"):
    """Each submission of a bid is a version; the last one counts."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    sealed = Text()
    content_sha256 = Varchar(length=64)
    receipt_no = Varchar(length=40, unique=True)
    tender_version = Integer()
    submitted_by = Integer()
    submitted_at = Timestamptz()


class OpeningRecord(Table, tablename="opening_record"):
    """开标记录表: written once, at the opening."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, unique=True)
    opened_at = Timestamptz()
    record = Text()
    valid_bids = Integer()
    failed = Boolean(default=False)


class BidBond(Table, tablename="bid_bond"):
    """投标保证金 (rule 29): recorded, marked paid, refunded."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    # The bond's own reference (a 虚拟子账号-style code the bidder quotes when paying):
    # before the opening finance confirms money by it, without learning who bid.
    reference = Varchar(length=20, default="")  # unique: a raw index in the migration
    amount_fen = BigInt()
    paid_at = Timestamptz(null=True, default=None)
    paid_marked_by = Integer(null=True, default=None)
    refund_due_on = Date(null=True, default=None)
    refunded_at = Timestamptz(null=True, default=None)
    overdue_notified_at = Timestamptz(null=True, default=None)
    next_check_at = Timestamptz(null=True, default=None, index=True)
