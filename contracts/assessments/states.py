"""An evaluation's status machine (issue 14 §3; invariant 3).

已指派，待自评 (assigned: the buyer's officer named an agency for a stage) → 待评估
(the provider submitted its self-assessment) → 已完成 (the agency scored every
indicator; the grade is set). When the grade calls for rectification (整改, rule 32, a
setting) the system moves it on at once to 整改中 with a deadline; the provider reports
the rectification (待复评) and the agency evaluates again (已完成, a new round).
"""

from __future__ import annotations

from enum import StrEnum

from procurement.core.fsm import N_, Labels, Relation, StateInfo, Transition, TransitionTable

# Relations derived from the contract and the assessment rows by contracts.assessments.policies.
OFFICER = Relation.BUYER_OFFICER  # an officer of the contract's buyer
PROVIDER = Relation.PROVIDER  # a member of the contract's provider
AGENCY = "assessing_agency"  # an evaluator of the agency assigned to this evaluation


class AssessmentStatus(StrEnum):
    ASSIGNED = "assigned"
    SELF_ASSESSED = "self_assessed"
    FINISHED = "finished"
    RECTIFYING = "rectifying"
    REEVALUATING = "reevaluating"


class Stage(StrEnum):
    MIDTERM = "midterm"
    FINAL = "final"
    SPOT = "spot"


class Grade(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"
    FAIL = "fail"


S = AssessmentStatus

ASSESSMENT_TABLE = TransitionTable(
    "assessment",
    states={
        S.ASSIGNED: StateInfo(N_("已指派，待服务机构自评"), N_("待自评")),
        S.SELF_ASSESSED: StateInfo(N_("已自评，待评估机构评估"), N_("评估中")),
        S.FINISHED: StateInfo(N_("评估完成"), N_("已完成")),
        S.RECTIFYING: StateInfo(N_("整改中"), N_("整改中")),
        S.REEVALUATING: StateInfo(N_("整改已报，待复评"), N_("复评中")),
    },
    transitions=[
        Transition(S.ASSIGNED, "self_assess", S.SELF_ASSESSED, frozenset({PROVIDER}), N_("提交自评"), N_("自评")),
        Transition(S.SELF_ASSESSED, "evaluate", S.FINISHED, frozenset({AGENCY}), N_("提交评估结果"), N_("评估")),
        Transition(S.FINISHED, "require_rectification", S.RECTIFYING, frozenset(), N_("要求整改"), N_("整改")),
        Transition(
            S.RECTIFYING, "report_rectification", S.REEVALUATING, frozenset({PROVIDER}), N_("报送整改情况"), N_("整改")
        ),
        Transition(S.REEVALUATING, "reevaluate", S.FINISHED, frozenset({AGENCY}), N_("提交复评结果"), N_("复评")),
    ],
    role_labels={OFFICER: N_("采购人的经办人"), PROVIDER: N_("服务机构的工作人员"), AGENCY: N_("受托评估机构的评估员")},
)

STAGE_LABELS: Labels[str] = Labels(
    {Stage.MIDTERM: N_("中期评估"), Stage.FINAL: N_("末期评估"), Stage.SPOT: N_("专项抽查")}
)
