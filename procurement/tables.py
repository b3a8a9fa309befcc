"""Tables of the procurement package: core machinery and accounts.

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from procurement.accounts.states import OrgKind, OrgStatus, Role
from procurement.evaluation.states import MemberKind, MemberStatus


class Organization(Table, tablename="organization"):
    name = Varchar(length=200, unique=True)
    short_name = Varchar(length=100, default="")
    kind = Varchar(length=20, choices=OrgKind, index=True)
    status = Varchar(length=20, choices=OrgStatus, default=OrgStatus.PENDING, index=True)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    # 统一社会信用代码 (rule 5); NULLs are distinct, so only real codes must be unique.
    credit_code = Varchar(length=18, null=True, default=None, unique=True)
    legal_representative = Varchar(length=50, default="")
    contact_name = Varchar(length=50, default="")
    contact_phone = Varchar(length=30, default="")
    address = Varchar(length=200, default="")
    description = Text(default="")
    rejection_reason = Text(default="")
    created_at = Timestamptz()
    approved_at = Timestamptz(null=True, default=None)


class User(Table, tablename="app_user"):
    username = Varchar(length=50, unique=True)
    display_name = Varchar(length=50)
    password_hash = Varchar(length=200)
    role = Varchar(length=30, choices=Role, index=True)
    organization = ForeignKey(Organization, null=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=30, default="")
    email = Varchar(length=120, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """Server-side sessions, so logout revokes and several processes agree."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    revoked_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=200, default="")


class LoginAttempt(Table, tablename="login_attempt"):
    username = Varchar(length=50, index=True)
    ip = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
    succeeded = Boolean(default=False)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only, hash-chained (invariant 4). Rows are never updated."""

    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=100, default="")
    action = Varchar(length=60, index=True)
    entity_type = Varchar(length=40, index=True)
    entity_id = Varchar(length=40, default="")
    before = Text(default="")
    after = Text(default="")
    ip = Varchar(length=64, default="")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class InboxItem(Table, tablename="inbox_item"):
    recipient = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    event = Varchar(length=60)
    title = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=300, default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


class CalendarEntry(Table, tablename="calendar_entry"):
    """Holidays and 调休 working days entered by an administrator."""

    day = Date(unique=True)
    is_working_day = Boolean()
    name = Varchar(length=50, default="")
    created_at = Timestamptz()


class SystemValue(Table, tablename="system_value"):
    """Small process-shared values (the time-travel clock offset)."""

    key = Varchar(length=60, unique=True)
    value = Text(default="")


# --------------------------------------------------------------------------- catalogue and tenders


class CatalogueItem(Table, tablename="catalogue_item"):
    """An item of the 政府购买服务指导性目录 (rule 7): what may be bought."""

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    category = Varchar(length=20, index=True)
    description = Text(default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Tender(Table, tablename="tender"):
    """A purchase (招标/采购项目) or a 公益创投 call. Structured parts (eligibility,
    team, scheme, payment schedule, venture terms) are JSON validated by
    ``tenders.schemas``; money is integer fen."""

    reference_no = Varchar(length=40, unique=True)
    title = Varchar(length=200)
    method = Varchar(length=30, index=True)
    buyer = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    catalogue_item = ForeignKey(CatalogueItem, null=False, on_delete=OnDelete.restrict)
    category = Varchar(length=20, index=True)
    description = Text(default="")
    status = Varchar(length=20, default="draft", index=True)
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

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    name = Varchar(length=200)
    budget_fen = BigInt()
    max_price_fen = BigInt(null=True, default=None)
    description = Text(default="")


class TenderVersion(Table, tablename="tender_version"):
    """Every published version of a tender; amendments add one each (rule 16)."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    snapshot = Text()
    change_summary = Text(default="")
    created_by = Integer()
    created_at = Timestamptz()


class Notice(Table, tablename="notice"):
    """A public notice on the portal. Columns the filters use are copied from
    the tender so that listing 100,000 notices needs no join."""

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

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    asked_by = Integer()
    question = Text()
    asked_at = Timestamptz()
    answer = Text(default="")
    outcome = Varchar(length=20, default="")
    answered_by = Integer(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)


# --------------------------------------------------------------------------- eligibility and bids


class EligibilityProfile(Table, tablename="eligibility_profile"):
    """What a social organization declares about itself (rules 2–6), confirmed
    by the bureau. Lists are JSON: annual reports by year, list entries and
    major violations, each dated."""

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


class TenderKey(Table, tablename="tender_key"):
    """The tender's data key, wrapped with the master key (see core/crypto.py)."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, unique=True)
    wrapped = Text()
    created_at = Timestamptz()


class Bid(Table, tablename="bid"):
    """One organization's bid for one lot (unique, raw index in the migration).
    Its content is sealed: only ciphertext is stored until the opening."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(TenderLot, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="draft", index=True)
    draft = Text(default="")
    submitted_version = Integer(default=0)
    tender_version = Integer(default=0)
    needs_confirmation = Boolean(default=False)
    submitted_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    created_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BidDocument(Table, tablename="bid_document"):
    """A document of a bid: the plaintext's hash and type, the ciphertext's file."""

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

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, unique=True)
    opened_at = Timestamptz()
    record = Text()
    valid_bids = Integer()
    failed = Boolean(default=False)


class BidBond(Table, tablename="bid_bond"):
    """投标保证金 (rule 29): recorded, marked paid, refunded."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    amount_fen = BigInt()
    paid_at = Timestamptz(null=True, default=None)
    paid_marked_by = Integer(null=True, default=None)
    refund_due_on = Date(null=True, default=None)
    refunded_at = Timestamptz(null=True, default=None)


# --------------------------------------------------------------------------- evaluation: expert pool and panels


class ExpertProfile(Table, tablename="expert_profile"):
    """An expert's entry in the pool. Lists are JSON: fields of expertise
    (tender categories), employment history and declared relations (rule 20)."""

    user = ForeignKey(User, null=False, on_delete=OnDelete.restrict, unique=True)
    expertise = Text(default="[]")
    employer_name = Varchar(length=200, default="")
    employer_organization = ForeignKey(Organization, null=True, on_delete=OnDelete.restrict)
    employment_history = Text(default="[]")
    declared_relations = Text(default="[]")
    available = Boolean(default=True)
    updated_at = Timestamptz()


class Panel(Table, tablename="panel"):
    """评标委员会 of a tender: the seed and sorted candidates let anyone re-run the draw."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, unique=True)
    seed = Varchar(length=64)
    candidates = Text(default="[]")
    created_by = Integer()
    created_at = Timestamptz()
    round = Integer(default=1)
    scoring_ended_at = Timestamptz(null=True, default=None)
    report_due_on = Date(null=True, default=None)
    report_delivered_at = Timestamptz(null=True, default=None)
    report_delivered_by = Integer(null=True, default=None)
    award_due_on = Date(null=True, default=None)
    overdue_notified_at = Timestamptz(null=True, default=None)


class PanelMember(Table, tablename="panel_member"):
    """One seat: a drawn expert or the buyer's representative (no user account needed)."""

    panel = ForeignKey(Panel, null=False, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20, choices=MemberKind)
    status = Varchar(length=30, choices=MemberStatus, default=MemberStatus.DRAWN, index=True)
    is_chair = Boolean(default=False)
    declared_at = Timestamptz(null=True, default=None)
    removed_reason = Text(default="")


class BidReview(Table, tablename="bid_review"):
    """资格性 / 符合性审查 of one opened bid, and the abnormally-low-price gate (rule 23)."""

    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, unique=True)
    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    passed = Boolean(null=True, default=None)
    reason = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    explanation = Text(default="")
    explained_by = Integer(null=True, default=None)
    explained_at = Timestamptz(null=True, default=None)
    explanation_accepted = Boolean(null=True, default=None)
    explanation_decision = Text(default="")
    explanation_decided_by = Integer(null=True, default=None)
    explanation_decided_at = Timestamptz(null=True, default=None)


class ScoreSheet(Table, tablename="score_sheet"):
    """One member's scores for one bid in one evaluation round (unique, raw index).
    Scores and comments are JSON (criterion key → "7.5" / text); submitted sheets are locked."""

    member = ForeignKey(PanelMember, null=False, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, index=True)
    round = Integer(default=1)
    status = Varchar(length=20, default="draft", index=True)
    scores = Text(default="{}")
    comments = Text(default="{}")
    recommended_fen = BigInt(null=True, default=None)
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ScoreCorrection(Table, tablename="score_correction"):
    """A change to a submitted score (rule 25, invariant 6): old, new, who and why."""

    sheet = ForeignKey(ScoreSheet, null=False, on_delete=OnDelete.restrict, index=True)
    criterion_key = Varchar(length=30)
    old_points = Varchar(length=12)
    new_points = Varchar(length=12)
    reason = Varchar(length=30)
    explanation = Text(default="")
    corrected_by = Integer()
    corrected_at = Timestamptz()


class Award(Table, tablename="award"):
    """The buyer's choice for a lot (rule 26), or the deemed choice for 磋商.
    A revoked award stays, with why. A lot has one active award (a 公益创投 call
    funds several projects); the tender's status change makes the choice once."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(TenderLot, null=False, on_delete=OnDelete.restrict)
    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    amount_fen = BigInt()
    rank = Integer()
    total = Varchar(length=12, default="")
    reason = Text(default="")
    status = Varchar(length=20, default="active", index=True)
    deemed = Boolean(default=False)
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz()
    letter_no = Varchar(length=40, unique=True)
    notice = ForeignKey(Notice, null=True, on_delete=OnDelete.restrict)
    challenge_until = Date(null=True, default=None)
    publicity_until = Date(null=True, default=None)
    publicity_ended_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Text(default="")


class Challenge(Table, tablename="challenge"):
    """质疑 (rule 27) and, if it goes on, the 投诉 to the finance department."""

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    filed_by = Integer()
    grounds = Text()
    documents = Text(default="[]")
    affects_result = Boolean(default=True)
    filed_at = Timestamptz()
    answer_due_on = Date()
    status = Varchar(length=20, default="filed", index=True)
    answer = Text(default="")
    outcome = Varchar(length=20, default="")
    answered_by = Integer(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    overdue_notified_at = Timestamptz(null=True, default=None)
    complaint_due_on = Date(null=True, default=None)
    complaint_authority = Varchar(length=200, default="")
    complaint_filed_at = Timestamptz(null=True, default=None)
    complaint_decision_due_on = Date(null=True, default=None)
    complaint_decision = Text(default="")
    complaint_decided_at = Timestamptz(null=True, default=None)
