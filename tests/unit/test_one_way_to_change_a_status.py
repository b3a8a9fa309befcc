"""Invariant 3, read from the code: a status is written only by
``core.transitions.apply_transition``, and each aggregate's status only by the
sub-domain that owns its table. The checks parse every module of both packages;
each proves it can fail on a violation planted in a temporary file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THE_FUNCTION = ROOT / "procurement" / "core" / "transitions.py"
SQL_STATUS_WRITE = re.compile(r"\bSET\b[^;]*\bstatus\s*=", re.IGNORECASE)


def sources() -> list[Path]:
    files = sorted((ROOT / "procurement").rglob("*.py")) + sorted((ROOT / "contracts").rglob("*.py"))
    return [p for p in files if "piccolo_migrations" not in p.parts and p != THE_FUNCTION]


def status_writes(path: Path) -> list[str]:
    """Every place that writes a status outside the one function: ``Table.status``
    as a key of a dict (Piccolo's ``update({...})``), ``status=`` given to
    ``update(...)``, an assignment to ``.status``, or SQL that sets it (a row read
    into a dict is not the table: changing the dict writes nothing)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Dict) and any(
            isinstance(key, ast.Attribute) and key.attr == "status" for key in node.keys if key is not None
        ):
            found.append(f"{where}: Table.status in a dict of values")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            if any(k.arg == "status" for k in node.keywords):
                found.append(f"{where}: update(status=...)")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(f"{where}: .status = ...")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATUS_WRITE.search(node.value):
            found.append(f"{where}: SQL that sets a status")
    return found


def test_no_module_writes_a_status_but_the_one_function():
    violations = [v for path in sources() for v in status_writes(path)]
    assert violations == [], "status written outside core.transitions.apply_transition:\n" + "\n".join(violations)


VIOLATIONS = {
    "dict": "async def f():\n    await Bid.update({Bid.status: 'opened'}).where(Bid.id == 1)\n",
    "keyword": "async def f():\n    await Bid.update(status='opened')\n",
    "attribute": "def f(row):\n    row.status = 'opened'\n",
    "sql": "Q = \"UPDATE bid SET updated_at = now(), status = 'opened' WHERE id = 1\"\n",
}


@pytest.mark.parametrize("kind", sorted(VIOLATIONS))
def test_the_check_finds_a_planted_status_write(tmp_path, kind):
    planted = tmp_path / "planted.py"
    planted.write_text(VIOLATIONS[kind], encoding="utf-8")
    assert len(status_writes(planted)) == 1


def test_the_check_leaves_reads_and_the_initial_status_alone(tmp_path):
    fine = tmp_path / "fine.py"
    fine.write_text(
        "async def f(row):\n"
        "    await Bid.select().where(Bid.status == 'draft')\n"
        "    await Bid.insert(Bid(status='draft'))\n"
        "    return row['status'], {'status': row['status']}\n",
        encoding="utf-8",
    )
    assert status_writes(fine) == []


# --------------------------------------------------------------------------- one owner per aggregate

# Core's shared tables are written by core and by the sub-domain that runs them.
CORE_TABLE_WRITERS = {
    "AuditEvent": {"core"},
    "InboxItem": {"core", "system"},
    # notify() writes the outbox; system's notifications.py retries a failed send and keeps the preferences.
    "OutboxMessage": {"core", "system"},
    "NotificationOptOut": {"system"},
    "NotificationSetting": {"system"},
    "CalendarEntry": {"system"},
    "CalendarYear": {"system"},
    "SystemValue": {"core"},
    "UserSession": {"accounts"},
    "LoginAttempt": {"accounts"},
}
WRITES = {"update", "insert", "delete"}


def owner_of(path: Path) -> str:
    """The package part that owns a module: ``procurement/bids/x.py`` → ``bids``."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "contracts":
        return "contracts." + parts[1] if len(parts) > 2 else "contracts"
    return parts[1] if len(parts) > 2 else "procurement"


def table_owners() -> dict[str, str]:
    owners = {}
    for path in sources():
        if path.name != "tables.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                owners[node.name] = owner_of(path)
    return owners


def foreign_writes(path: Path, owners: dict[str, str], module_owner: str) -> list[str]:
    """Writes to another sub-domain's tables: ``Table.update/insert/delete(...)`` and
    ``apply_transition(TABLE, Table, ...)`` on a table this module's sub-domain does not own."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITES and isinstance(node.func.value, ast.Name):
            target = node.func.value.id
        elif isinstance(node.func, ast.Name) and node.func.id == "apply_transition" and len(node.args) >= 2:
            model = node.args[1]
            target = model.id if isinstance(model, ast.Name) else None
        if target is None or target not in owners:
            continue
        allowed = CORE_TABLE_WRITERS.get(target, {owners[target]})
        if module_owner not in allowed:
            found.append(f"{path.name}:{node.lineno}: {module_owner} writes {target} (owned by {owners[target]})")
    return found


def test_each_aggregate_is_written_only_by_its_own_sub_domain():
    owners = table_owners()
    assert {"Tender", "Bid", "Award", "Challenge", "Panel", "ScoreSheet"} <= set(owners)
    violations = []
    for path in sources():
        if path.name == "tables.py" or owner_of(path) == "procurement":  # demo loaders and benchmarks seed data
            continue
        violations += foreign_writes(path, owners, owner_of(path))
    assert violations == [], "\n".join(violations)


def test_the_ownership_check_finds_a_planted_foreign_write(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "async def f(tender):\n"
        "    await Tender.update({Tender.updated_at: 1}).where(Tender.id == 1)\n"
        "    await apply_transition(TENDER_TABLE, Tender, 1, 'evaluating', 'award', SYSTEM)\n",
        encoding="utf-8",
    )
    found = foreign_writes(planted, table_owners(), "awards")
    assert len(found) == 2 and all("owned by tenders" in f for f in found)
