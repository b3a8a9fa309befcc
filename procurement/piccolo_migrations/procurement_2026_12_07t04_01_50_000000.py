"""One follow per (organization, category) (issue 15 §3): a raw unique index, since
Piccolo's composite unique constraint breaks on SQLite."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T04:01:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue_category_follow (organization, category) unique"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS catalogue_category_follow_org_category "
            "ON catalogue_category_follow (organization, category)"
        )

    manager.add_raw(run)
    return manager
