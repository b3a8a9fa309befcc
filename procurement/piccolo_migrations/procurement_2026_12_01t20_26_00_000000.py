"""Backfill of ``next_check_at`` (expand, backfill): every row that may still be
waiting on time is checked at the next sweep, which stores its real next check."""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T20:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "check every row that may wait on time at the next sweep"

WAITING = {
    "award": "status = 'active' AND publicity_until IS NOT NULL AND publicity_ended_at IS NULL",
    "challenge": "status = 'filed' AND overdue_notified_at IS NULL",
    "panel": "report_due_on IS NOT NULL OR award_due_on IS NOT NULL",
    "bid_bond": "refund_due_on IS NOT NULL AND refunded_at IS NULL",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        now = datetime.now(UTC)
        for table, waiting in WAITING.items():
            await engine.run_querystring(QueryString(f"UPDATE {table} SET next_check_at = {{}} WHERE {waiting}", now))

    manager.add_raw(run)
    return manager
