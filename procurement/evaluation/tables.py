"""Tables of the evaluation: the expert pool, panels and their seats, reviews, score sheets and
corrections.

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

from procurement.accounts.tables import Organization, User
from procurement.bids.tables import Bid
from procurement.evaluation.states import MemberKind, MemberStatus, SheetStatus
from procurement.tenders.tables import Tender


class ExpertProfile(Table, tablename="expert_profile"):
    """An expert's entry in the pool. Lists are JSON: fields of expertise
    (tender categories), employment history and declared relations (rule 20)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

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

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

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
    next_check_at = Timestamptz(null=True, default=None, index=True)
    chair_chosen_how = Varchar(length=20, default="")  # "elected" by the members, or "appointed" by the buyer
    chair_chosen_at = Timestamptz(null=True, default=None)
    report_previewed_hash = Varchar(length=64, default="")  # what the chair's last draft preview was made from


class PanelMember(Table, tablename="panel_member"):
    """One seat: a drawn expert or the buyer's representative (no user account needed)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    panel = ForeignKey(Panel, null=False, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20, choices=MemberKind)
    status = Varchar(length=30, choices=MemberStatus, default=MemberStatus.DRAWN, index=True)
    is_chair = Boolean(default=False)
    chair_vote = Integer(null=True, default=None)  # the seat this member proposes as chair (推选组长)
    declared_at = Timestamptz(null=True, default=None)
    removed_reason = Text(default="")


class BidReview(Table, tablename="bid_review"):
    """资格审查 by the buyer and 符合性审查 by the panel of one opened bid (rule 41), and
    the abnormally-low-price gate (rule 23)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, unique=True)
    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    passed = Boolean(null=True, default=None)
    reason = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    responsive = Boolean(null=True, default=None)
    responsive_reason = Text(default="")
    responsive_by = Integer(null=True, default=None)
    responsive_at = Timestamptz(null=True, default=None)
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

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    member = ForeignKey(PanelMember, null=False, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict, index=True)
    round = Integer(default=1)
    status = Varchar(length=20, choices=SheetStatus, default=SheetStatus.DRAFT, index=True)
    scores = Text(default="{}")
    comments = Text(default="{}")
    recommended_fen = BigInt(null=True, default=None)
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ScoreCorrection(Table, tablename="score_correction"):
    """A change to a submitted score (rule 25, invariant 6): old, new, who and why."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    sheet = ForeignKey(ScoreSheet, null=False, on_delete=OnDelete.restrict, index=True)
    criterion_key = Varchar(length=30)
    old_points = Varchar(length=12)
    new_points = Varchar(length=12)
    reason = Varchar(length=30)
    explanation = Text(default="")
    corrected_by = Integer()
    corrected_at = Timestamptz()
