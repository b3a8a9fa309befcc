"""The import contracts of pyproject.toml hold (``lint-imports`` runs them in
scripts/test too), and the allow-list contract type matches modules as its
patterns say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.architecture import _match

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("module", "pattern", "matches"),
    [
        ("procurement.bids.states", "procurement.*.states", True),
        ("procurement.core.fsm", "procurement.*.states", False),
        ("procurement.bids.states.extra", "procurement.*.states", False),
        ("procurement.core", "procurement.core.**", True),
        ("procurement.core.scheduler", "procurement.core.**", True),
        ("procurement.corex", "procurement.core.**", False),
        ("procurement.awards.services", "procurement.*.services", True),
        ("procurement.awards.tables", "procurement.*.services", False),
    ],
)
def test_an_allow_list_pattern_matches_one_name_per_star(module, pattern, matches):
    assert _match(module, pattern) is matches


def test_every_import_contract_is_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is installed with the test extras"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
