"""Schemathesis over every API operation against a running server: no 5xx,
and every response matches its documented schema."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.schemathesis


def _run(live_server, *extra: str) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/schema/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "15",
            "--seed",
            "20261123",
            "--request-timeout",
            "20",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tempfile.gettempdir(),  # its cache stays out of the repo
    )


def _assert_ran_everything(result: subprocess.CompletedProcess, at_least: int) -> None:
    failures = result.stdout.split("FAILURES", 1)[-1].split("SUMMARY", 1)[0] if "FAILURES" in result.stdout else ""
    assert result.returncode == 0, failures[:8000] + result.stdout[-3000:] + result.stderr[-2000:]
    tested = re.search(r"Tested: (\d+)", result.stdout)
    cases = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert tested and int(tested.group(1)) >= at_least, result.stdout[-3000:]
    assert cases and int(cases.group(1)) > 100 and cases.group(1) == cases.group(2), result.stdout[-3000:]


def test_every_operation_as_an_anonymous_caller(live_server):
    _assert_ran_everything(_run(live_server), at_least=22)


def test_every_operation_as_an_administrator(live_server):
    token = live_server.login_token("admin")
    # Logout would end the session the rest of the run uses; it is covered by the anonymous run.
    result = _run(live_server, "-H", f"Authorization: Bearer {token}", "--exclude-operation-id", "Logout")
    _assert_ran_everything(result, at_least=21)
