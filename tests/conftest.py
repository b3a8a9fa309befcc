"""Test-wide set-up: every test run gets its own var/ directory, so nothing a
test does touches the developer's database or files."""

from __future__ import annotations

import os
import tempfile

_VAR = tempfile.mkdtemp(prefix="procurement-test-var-")
os.environ["PROCUREMENT_VAR_DIR"] = _VAR
os.environ.setdefault("PROCUREMENT_SECRET_KEY", "test-secret-key-not-for-production")
os.environ["PROCUREMENT_SCHEDULER_ENABLED"] = "false"
os.environ.setdefault("PROCUREMENT_LOG_LEVEL", "WARNING")
# Cheap password hashes: the suite hashes hundreds of demo passwords.
os.environ.setdefault("PROCUREMENT_ARGON2_TIME_COST", "1")
os.environ.setdefault("PROCUREMENT_ARGON2_MEMORY_KIB", "1024")
