"""An index for an upload's duplicate check (issue 11): a bid's documents by the
hash of their plaintext, so the check is one index probe, the same on both
databases."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bid_document (bid, sha256) index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("CREATE INDEX IF NOT EXISTS bid_document_bid_sha256 ON bid_document (bid, sha256)")

    manager.add_raw(run)
    return manager
