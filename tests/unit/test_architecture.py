"""The import directions of design.md hold: core imports no sub-domain,
procurement never imports contracts (except app.py and cli.py, which wire
both), states.py imports nothing of the project but core.fsm, and routes stay
free of queries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBDOMAINS = {"accounts", "system", "tenders", "bids", "evaluation", "awards"}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def python_files(*parts: str) -> list[Path]:
    return sorted((ROOT.joinpath(*parts)).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("procurement", "core"), ids=lambda p: p.name)
def test_core_imports_no_subdomain(path):
    bad = {m for m in imports_of(path) if m.split(".")[:2][-1] in SUBDOMAINS and m.startswith("procurement.")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", python_files("procurement"), ids=lambda p: str(p.relative_to(ROOT)))
def test_procurement_never_imports_contracts(path):
    if path.name in ("app.py", "cli.py"):
        return
    assert not {m for m in imports_of(path) if m == "contracts" or m.startswith("contracts.")}


@pytest.mark.parametrize("path", sorted(ROOT.glob("*/**/states.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_states_modules_import_only_the_fsm(path):
    project = {m for m in imports_of(path) if m.split(".")[0] in ("procurement", "contracts")}
    assert project <= {"procurement.core.fsm"}, project


@pytest.mark.parametrize(
    "path",
    sorted(ROOT.glob("*/**/routes.py")) + sorted(ROOT.glob("*/**/pages.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_routes_do_not_touch_tables(path):
    assert not {m for m in imports_of(path) if m.endswith(".tables")}, "routes call services, not tables"
    assert ".status =" not in path.read_text(encoding="utf-8")
