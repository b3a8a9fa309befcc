"""Every audit action the contracts package writes reads in Chinese on the audit page:
the ``<table>.<action>`` rows of its transition tables and every action it records by
name (``audit.record("…")``, found by reading its code, so a new one cannot slip by)."""

from __future__ import annotations

import ast
from pathlib import Path

from contracts.changes.states import CHANGE_TABLE
from contracts.delivery.states import REPORT_TABLE
from contracts.lifecycle.states import CONTRACT_TABLE
from contracts.payments.states import PAYMENT_TABLE
from procurement.system.audit_labels import ACTION_LABELS, ENTITY_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2] / "contracts"


def recorded_actions() -> set[str]:
    """The first argument of every ``audit.record(...)`` call in contracts/, as written."""
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path}: an audit action should be a literal name, so that it can be given a label"
                )
                found.add(first.value)
    return found


def transition_actions() -> set[str]:
    return {
        f"{table.name}.{action}"
        for table in (CONTRACT_TABLE, CHANGE_TABLE, REPORT_TABLE, PAYMENT_TABLE)
        for action in table.actions
    }


def test_the_scan_finds_the_actions_contracts_records_by_name():
    names = recorded_actions()
    assert {"contract.created", "contract.notice_published", "progress_report.overdue"} <= names


def test_every_contract_audit_action_has_a_chinese_label():
    missing = sorted(a for a in recorded_actions() | transition_actions() if a not in ACTION_LABELS)
    assert missing == []
    assert action_label("contract.countersign") == "合同双方签署生效"


def test_the_contract_entity_types_have_labels():
    for entity in ("contract", "contract_change", "contract_report", "contract_installment_payment"):
        assert entity in ENTITY_LABELS, entity
