"""One document receipt per tender and organization (a raw unique index: a composite
unique constraint breaks on SQLite in Piccolo). Its own migration because raw SQL runs
before the tables of the same migration are added."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one tender_document_receipt per tender and organization"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS tender_document_receipt_tender_organization "
            "ON tender_document_receipt (tender, organization)"
        )

    manager.add_raw(run)
    return manager
