"""A contract's changes are numbered once per contract (第 N 号) and each party signs a
change once (raw unique indexes: a composite unique constraint breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:05:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "contracts: unique change number per contract, one signature per change and party"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        for ddl in (
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_change_unique ON contract_change (contract, seq)",
            "CREATE UNIQUE INDEX IF NOT EXISTS contract_change_signature_unique"
            " ON contract_change_signature (change, party)",
        ):
            await engine_finder().run_ddl(ddl)

    manager.add_raw(run)
    return manager
