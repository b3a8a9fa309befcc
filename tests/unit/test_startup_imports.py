"""What `procurement serve` loads before its first answer (issue 11, cold start ≤ 2 s).

The libraries behind one kind of request only (PDF, XLSX, QR codes, e-mail, sealing,
signatures, the scheduler) load on first use, inside the function that needs them, and
Piccolo's migration machinery (which brings in black) never loads in an app process. A
module-level import of any of them, or a table reference resolved at import, puts its
cost on every start: this test names which one. A fresh interpreter builds the app, as
`procurement serve` does; nothing is timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Module prefixes the app must not have loaded once create_app() returned.
LAZY = (
    "apscheduler",  # the scheduler, started in the lifespan when enabled (build_scheduler)
    "aiosmtplib",  # sending e-mail (core/email.py)
    "black",  # through piccolo.conf.apps: a LazyTableReference resolved at import time
    "cryptography",  # sealing, anchors' signatures, the audit cursor, ID numbers
    "openpyxl",  # reading uploaded XLSX files
    "piccolo.apps.migrations",
    "piccolo.conf.apps",
    "pyhanko",  # signing and checking PDFs
    "pypdf",
    "segno",  # QR codes on the survey sheet
    "tenacity",  # the outbox's retry back-off
    "weasyprint",  # PDF rendering
    "xlsxwriter",  # XLSX downloads
)

SCRIPT = """
import json, sys
from procurement.app import create_app
create_app()
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_app_loads_no_request_only_library(tmp_path):
    env = {**os.environ, "PROCUREMENT_VAR_DIR": str(tmp_path), "PROCUREMENT_SCHEDULER_ENABLED": "false"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "procurement.app" in loaded and "contracts.package" in loaded  # the app really was built
    early = sorted({prefix for name in loaded for prefix in LAZY if name == prefix or name.startswith(prefix + ".")})
    assert early == [], f"loaded at start-up, should load on first use: {early}"
