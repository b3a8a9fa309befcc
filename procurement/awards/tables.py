"""Tables of awards: the award of a lot and the 质疑 (challenges) against a result.

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
from procurement.awards.states import AwardStatus, ChallengeKind, ChallengeStatus
from procurement.bids.tables import Bid
from procurement.tenders.tables import Notice, Tender, TenderLot


class Award(Table, tablename="award"):
    """The buyer's choice for a lot (rule 26), or the deemed choice for 磋商.
    A revoked award stays, with why. A lot has one active award (a 公益创投 call
    funds several projects); the tender's status change makes the choice once."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(TenderLot, null=False, on_delete=OnDelete.restrict)
    bid = ForeignKey(Bid, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict)
    amount_fen = BigInt()
    rank = Integer()
    total = Varchar(length=12, default="")
    reason = Text(default="")
    status = Varchar(length=20, choices=AwardStatus, default=AwardStatus.ACTIVE, index=True)
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
    refusal_kind = Varchar(length=20, default="")  # RefusalKind of a refused award, else ""
    replaces = Integer(null=True, default=None)  # the refused award of the lot this one replaces
    next_check_at = Timestamptz(null=True, default=None, index=True)


class Challenge(Table, tablename="challenge"):
    """质疑 (rule 27) and, if it goes on, the 投诉 to the finance department.

    ``kind`` is what it is about (the documents, a step of the process, the result);
    ``step`` names the step (开标, 资格审查, 评标) or, for the documents, the amendment
    whose changes it challenges (``amendment-N``); ``period_until`` is the last day of
    the period it was filed in."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    tender = ForeignKey(Tender, null=False, on_delete=OnDelete.restrict, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=ChallengeKind, default=ChallengeKind.RESULT)
    step = Varchar(length=30, default="")
    period_until = Date(null=True, default=None)
    filed_by = Integer()
    grounds = Text()
    documents = Text(default="[]")
    affects_result = Boolean(default=True)
    filed_at = Timestamptz()
    answer_due_on = Date()
    status = Varchar(length=20, choices=ChallengeStatus, default=ChallengeStatus.FILED, index=True)
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
    next_check_at = Timestamptz(null=True, default=None, index=True)
