"""Every audit action of third-party evaluation reads in Chinese on the audit page: the
steps of its transition table and the actions it records by name."""

from __future__ import annotations

from contracts.assessments.states import ASSESSMENT_TABLE
from procurement.system.audit_labels import ACTION_LABELS, ENTITY_LABELS, action_label
from tests.unit.test_contract_audit_labels import recorded_actions


def test_every_step_of_an_evaluation_has_a_chinese_audit_label():
    steps = {f"{ASSESSMENT_TABLE.name}.{action}" for action in ASSESSMENT_TABLE.actions}
    named = {a for a in recorded_actions() if a.startswith("assessment.")}
    assert {"assessment.assigned", "assessment.indicator_system_created"} <= named
    assert sorted(a for a in steps | named if a not in ACTION_LABELS) == []
    assert action_label("assessment.require_rectification") == "评估后要求整改"


def test_the_evaluation_entity_types_have_labels():
    for entity in ("assessment", "assessment_indicator_system"):
        assert entity in ENTITY_LABELS, entity
