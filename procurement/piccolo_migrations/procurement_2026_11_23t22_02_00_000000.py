"""One score sheet per member, bid and round; at most one active award per bid
(raw indexes: a composite unique constraint breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T22:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique score sheet per member, bid and round; one active award per bid"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS score_sheet_member_bid_round ON score_sheet (member, bid, round)")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS award_active_bid ON award (bid) WHERE status = 'active'")

    manager.add_raw(run)
    return manager
