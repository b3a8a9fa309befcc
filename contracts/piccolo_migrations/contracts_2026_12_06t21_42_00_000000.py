"""A contract's versions, signatures and installments are unique per contract and
version / version and party / sequence (a composite unique constraint breaks on
SQLite in Piccolo, so these are raw unique indexes, after the tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:42:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contracts: unique version, signature per party, installment sequence"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        for ddl in (
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_version_unique ON contract_version (contract, version)",
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_signature_unique"
            " ON contract_signature (contract, version, party)",
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_installment_unique ON contract_installment (contract, seq)",
        ):
            await engine_finder().run_ddl(ddl)

    manager.add_raw(run)
    return manager
