"""A contract's reports are unique per contract and sequence, a report's submissions per
report and round (a composite unique constraint breaks on SQLite in Piccolo, so these
are raw unique indexes, after the tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:03:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "contracts: unique report sequence and submission round"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        for ddl in (
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_report_unique ON contract_report (contract, seq)",
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_report_submission_unique"
            " ON contract_report_submission (report, round)",
        ):
            await engine_finder().run_ddl(ddl)

    manager.add_raw(run)
    return manager
