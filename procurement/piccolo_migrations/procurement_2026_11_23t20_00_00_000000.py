"""One bid per organization per lot (a composite unique constraint breaks on
SQLite in Piccolo, so it is a raw unique index)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique bid per organization and lot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS bid_lot_organization ON bid (lot, organization)")

    manager.add_raw(run)
    return manager
