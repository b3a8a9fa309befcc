"""Tables of delivery tracking (issue 12 §6): a contract's report schedule, one row per
due report (existing from the start, with its fixed due date) and every submission
of a report with its review, so a returned report's history is kept.

Only tables here. Times are UTC (Timestamptz); the actual values, the attachments
and hand-set dates are JSON text validated by the schemas and rules. The unique
indexes on (contract, seq) and (report, round) are raw SQL in the migration.
"""

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from contracts.delivery.rules import DEFAULT_GRACE_DAYS, ScheduleKind
from contracts.delivery.states import ReportStatus
from contracts.lifecycle.tables import Contract


class ReportSchedule(Table, tablename="contract_report_schedule"):
    """How often a contract's provider reports (one per contract)."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, unique=True)
    kind = Varchar(length=20, choices=ScheduleKind, default=ScheduleKind.MONTHLY)
    grace_days = Integer(default=DEFAULT_GRACE_DAYS)  # due this many days after a period ends
    dates = Text(default="[]")  # the due dates set by hand (kind custom), ISO strings
    term_start = Date()  # the term the schedule was cut from
    term_end = Date()
    created_by = Integer(null=True, default=None)  # None: the default made by the system
    created_at = Timestamptz()


class ProgressReport(Table, tablename="contract_report"):
    """One due report (进度报告) of a contract: its period and fixed due date; the
    overdue flag is set once by the sweep (``overdue_at``)."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    period_start = Date()
    period_end = Date()
    due_on = Date()
    status = Varchar(length=20, choices=ReportStatus, default=ReportStatus.DUE, index=True)
    rounds = Integer(default=0)  # submissions so far
    first_submitted_at = Timestamptz(null=True, default=None)
    overdue_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)  # the "report due" reminder, sent once
    accepted_at = Timestamptz(null=True, default=None)
    next_check_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportSubmission(Table, tablename="contract_report_submission"):
    """One submission of a report and its review: the actual value of each indicator
    (JSON ``{name: "123.5"}``), the narrative, the attachments (JSON list of
    ``{sha256, name, type, size}``), and the officer's outcome and comments."""

    id: Serial

    report = ForeignKey(ProgressReport, null=False, on_delete=OnDelete.restrict, index=True)
    round = Integer()
    actuals = Text(default="{}")
    narrative = Text(default="")
    attachments = Text(default="[]")
    submitted_by = Integer()
    submitted_at = Timestamptz()
    outcome = Varchar(length=10, default="")  # "", accept, return
    comments = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
