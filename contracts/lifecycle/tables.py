"""Tables of a contract's life: the contract, its frozen versions, its signatures
and its installments (issue 12 §1, §3).

Only tables here. Money is integer fen; times are UTC (Timestamptz); structured
terms (indicators, teams) are JSON text validated by the schemas. The references to
procurement's rows (tender, lot, award, bid, organizations) are foreign keys named
lazily through the app registry: contracts imports no procurement table and reads
those rows only through procurement's services. Composite unique indexes are raw
SQL in the migration (Piccolo's composite ``Unique`` breaks on SQLite).
"""

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from contracts.lifecycle.states import ContractKind, ContractStatus, Party


def _procurement(name: str) -> LazyTableReference:
    return LazyTableReference(table_class_name=name, app_name="procurement")


class Contract(Table, tablename="contract"):
    """One per active award (a winning lot; each funded project of a 公益创投 call).
    The terms are editable in draft; once a party signs, the text of that version is
    frozen in ``ContractVersion`` and a correction is a new version."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender: ForeignKey = ForeignKey(_procurement("Tender"), null=False, on_delete=OnDelete.restrict, index=True)
    lot: ForeignKey = ForeignKey(_procurement("TenderLot"), null=False, on_delete=OnDelete.restrict)
    award: ForeignKey = ForeignKey(_procurement("Award"), null=False, on_delete=OnDelete.restrict, unique=True)
    bid: ForeignKey = ForeignKey(_procurement("Bid"), null=False, on_delete=OnDelete.restrict)
    buyer: ForeignKey = ForeignKey(_procurement("Organization"), null=False, on_delete=OnDelete.restrict, index=True)
    provider: ForeignKey = ForeignKey(_procurement("Organization"), null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=ContractKind, default=ContractKind.SERVICE)
    number = Varchar(length=60, unique=True)
    title = Varchar(length=300)
    service_content = Text(default="")
    delivery_place = Varchar(length=200, default="")  # the 社区 served
    awarded_fen = BigInt()
    amount_fen = BigInt()
    funded_fen = BigInt(default=0)  # 公益创投: 资助金额 (equals the amount)
    matching_fen = BigInt(default=0)  # 公益创投: 配套资金 the organization adds
    term_start = Date(null=True, default=None)
    term_end = Date(null=True, default=None)
    term_justification = Text(default="")  # the tender's, for a term over one year (rule 30)
    indicators = Text(default="[]")
    team_requirements = Text(default="{}")
    promised_team = Text(default="[]")  # the winning bid's team, as submitted
    performance_bond_fen = BigInt(default=0)
    bond_refund_due_on = Date(null=True, default=None)  # set when the contract completes or ends (rule 29)
    bond_refunded_at = Timestamptz(null=True, default=None)
    bond_refund_voucher = Varchar(length=50, default="")
    bond_refund_overdue_at = Timestamptz(null=True, default=None)  # flagged once by the sweep (issue 15 §1)
    buyer_name = Varchar(length=200)
    provider_name = Varchar(length=200)
    provider_credit_code = Varchar(length=18, default="")
    provider_address = Varchar(length=200, default="")
    provider_legal_rep = Varchar(length=50, default="")
    provider_bank_name = Varchar(length=100, default="")
    provider_bank_account = Varchar(length=40, default="")
    provider_confirmed_at = Timestamptz(null=True, default=None)
    provider_confirmed_by = Integer(null=True, default=None)
    version = Integer(default=1)
    status = Varchar(length=30, choices=ContractStatus, default=ContractStatus.DRAFT, index=True)
    letter_issued_on = Date()
    signing_deadline = Date()
    signing_overdue_at = Timestamptz(null=True, default=None)
    signing_reminded_at = Timestamptz(null=True, default=None)
    signed_at = Timestamptz(null=True, default=None)
    signed_offline = Boolean(default=False)
    offline_scan_sha256 = Varchar(length=64, default="")
    offline_scan_name = Varchar(length=200, default="")
    notice_due_on = Date(null=True, default=None)
    notice_id = Integer(null=True, default=None)
    notice_published_at = Timestamptz(null=True, default=None)
    filing_due_on = Date(null=True, default=None)
    filed_at = Timestamptz(null=True, default=None)
    filing_reference = Varchar(length=100, default="")
    filing_overdue_at = Timestamptz(null=True, default=None)
    suspended_at = Timestamptz(null=True, default=None)
    suspension_ground = Varchar(length=20, default="")
    suspension_reason = Text(default="")
    terminated_at = Timestamptz(null=True, default=None)
    termination_ground = Varchar(length=20, default="")
    termination_reason = Text(default="")
    settlement_fen = BigInt(null=True, default=None)
    termination_notice_id = Integer(null=True, default=None)
    next_check_at = Timestamptz(null=True, default=None, index=True)
    created_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ContractVersion(Table, tablename="contract_version"):
    """The frozen text of one version (rule 28): a JSON snapshot of every term and its
    SHA-256, written when the first party signs it. Unique per contract and version."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    snapshot = Text()
    sha256 = Varchar(length=64)
    frozen_at = Timestamptz()
    frozen_by = Integer(null=True, default=None)


class ContractSignature(Table, tablename="contract_signature"):
    """One party's signature of one version; unique per contract, version and party.
    An offline signing is recorded by the buyer's officer with the scan's hash."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    party = Varchar(length=10, choices=Party)
    user_id = Integer()
    sha256 = Varchar(length=64)  # of the version's text signed
    offline = Boolean(default=False)
    signed_at = Timestamptz()


class Installment(Table, tablename="contract_installment"):
    """One installment of the payment schedule (rule 35): its share, its amount in fen
    and its gate. The amounts of a contract add up exactly to its amount."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    label = Varchar(length=50, default="")
    percent = Integer()
    amount_fen = BigInt()
    gate = Varchar(length=20)
    min_grade = Varchar(length=20, null=True, default=None)
    due_date = Date(null=True, default=None)
