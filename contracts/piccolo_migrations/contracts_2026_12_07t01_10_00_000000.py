"""An installment of a contract has one payment row (raw unique index: a composite
unique constraint breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contracts: one payment per contract installment"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_installment_payment_unique"
            " ON contract_installment_payment (contract, seq)"
        )

    manager.add_raw(run)
    return manager
