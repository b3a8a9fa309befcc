"""Tables of third-party evaluation (issue 14 §1–§3).

Only tables here. The indicator tree is JSON text checked by ``rules.tree_problems``;
a system is never edited in place: a change is a new version (unique per name and
version, raw SQL in the migration). A contract's copy of the tree (``ContractIndicators``,
one per contract) is written once, when its first evaluation is assigned, so a later
version of the system never changes it. Each scoring round of an evaluation is kept
(``AssessmentRound``): a re-evaluation after 整改 adds a round, the first stays.
Times are UTC (Timestamptz).
"""

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from contracts.assessments.states import AssessmentStatus, Stage
from contracts.lifecycle.tables import Contract


class IndicatorSystem(Table, tablename="assessment_indicator_system"):
    """One version of an indicator system (评估指标体系)."""

    id: Serial

    name = Varchar(length=100)
    version = Integer(default=1)
    description = Text(default="")
    tree = Text()  # {"dimensions": [{key, name, weight, indicators: [{key, name, weight, guidance}]}]}
    created_by = Integer(null=True, default=None)  # None: seeded by the system
    created_at = Timestamptz()


class ContractIndicators(Table, tablename="assessment_contract_indicators"):
    """The contract's own copy of the indicator tree it is evaluated against."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, unique=True)
    system = ForeignKey(IndicatorSystem, null=False, on_delete=OnDelete.restrict)
    system_name = Varchar(length=100)
    system_version = Integer()
    tree = Text()
    copied_at = Timestamptz()


class Assessment(Table, tablename="assessment"):
    """One evaluation of a contract at a stage by an assigned agency, with the
    independence check that allowed it and the latest result."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    stage = Varchar(length=10, choices=Stage)
    agency: ForeignKey = ForeignKey(
        LazyTableReference(table_class_name="Organization", app_name="procurement"),
        null=False,
        on_delete=OnDelete.restrict,
        index=True,
    )
    agency_name = Varchar(length=200)
    status = Varchar(length=20, choices=AssessmentStatus, default=AssessmentStatus.ASSIGNED, index=True)
    due_on = Date()
    independence = Text(default="[]")  # what was checked, as shown to the officer (JSON list of text)
    self_scores = Text(default="{}")  # {indicator key: "85.0"}
    self_notes = Text(default="{}")
    self_summary = Text(default="")
    self_submitted_at = Timestamptz(null=True, default=None)
    rounds = Integer(default=0)
    score_tenths = Integer(null=True, default=None)  # the latest round's weighted total × 10
    grade = Varchar(length=10, default="")
    finished_at = Timestamptz(null=True, default=None)
    rectification_due_on = Date(null=True, default=None)
    rectification_report = Text(default="")
    rectification_reported_at = Timestamptz(null=True, default=None)
    due_reminded_at = Timestamptz(null=True, default=None)  # the reminder before its due day, once (issue 15 §1)
    # When the overdue-rectification sweep looks at it: the end of the rectification
    # deadline (Beijing); flagged once in ``rectification_overdue_at`` (contracts.assessments.due).
    next_check_at = Timestamptz(null=True, default=None, index=True)
    rectification_overdue_at = Timestamptz(null=True, default=None)
    assigned_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AssessmentRound(Table, tablename="assessment_round"):
    """One scoring by the agency: every indicator's score and evidence note, the total,
    the grade and why (rule 33 overrides); unique per assessment and round."""

    id: Serial

    assessment = ForeignKey(Assessment, null=False, on_delete=OnDelete.restrict, index=True)
    round = Integer()
    scores = Text()
    notes = Text()
    opinion = Text(default="")
    score_tenths = Integer()
    grade = Varchar(length=10)
    grade_reasons = Text(default="[]")
    evaluated_by = Integer()
    evaluated_at = Timestamptz()


class SurveyCode(Table, tablename="assessment_survey_code"):
    """A one-time code of a contract's residents' satisfaction survey (社区评议), printed by
    the bureau for door-to-door or community-meeting use; ``used_at`` is set once, by the
    conditional update that accepts the one answer it allows."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=16, unique=True)
    issued_by = Integer()
    issued_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SurveyResponse(Table, tablename="assessment_survey_response"):
    """One resident's answers (1–5 per question), anonymous: kept with its code only."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    code = ForeignKey(SurveyCode, null=False, on_delete=OnDelete.restrict, unique=True)
    answers = Text()  # {question key: 1..5}
    comment = Text(default="")
    submitted_at = Timestamptz()


class AssessmentEvidence(Table, tablename="assessment_evidence"):
    """A file of evidence (佐证材料: a PDF, a photo, a DOCX or an XLSX) the agency's evaluator
    attaches to the round it is scoring, for one indicator or (``indicator_key`` empty) the
    round as a whole; stored by its SHA-256 through ``procurement.core.storage``. Once the
    round is submitted (``round`` ≤ the assessment's ``rounds``) it is part of the result."""

    id: Serial

    assessment = ForeignKey(Assessment, null=False, on_delete=OnDelete.restrict, index=True)
    round = Integer()
    indicator_key = Varchar(length=40, default="")
    sha256 = Varchar(length=64)
    name = Varchar(length=200)
    type = Varchar(length=10)
    size = Integer()
    uploaded_by = Integer()
    uploaded_at = Timestamptz()
