"""A person's ID number is on an organization's roster once, and a team member has at
most one replacement request waiting (raw unique indexes: a composite unique
constraint breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:40:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "staffing: unique ID number per roster, one pending replacement per member"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        for ddl in (
            "CREATE UNIQUE INDEX IF NOT EXISTS staffing_worker_unique_id ON staffing_worker (organization, id_hash)",
            "CREATE UNIQUE INDEX IF NOT EXISTS staffing_replacement_one_pending"
            " ON staffing_replacement (member) WHERE status = 'pending'",
        ):
            await engine_finder().run_ddl(ddl)

    manager.add_raw(run)
    return manager
