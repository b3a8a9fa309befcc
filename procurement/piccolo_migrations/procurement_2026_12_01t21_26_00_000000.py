"""Bid bonds: every bond gets its reference (existing rows: BZJ + their id), a
reference is unique, and an organization has one bond per tender (raw unique
indexes: a composite unique constraint breaks on SQLite in Piccolo). Duplicate
unpaid bonds of one organization for one tender (concurrent submissions of
several lots could create them) are dropped in favour of a paid or the oldest
one; two paid ones (money received twice) stop the migration for a person to
settle, since neither may be deleted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bid bond references and one bond per organization per tender"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        padded = "printf('%012d', id)" if engine.engine_type == "sqlite" else "lpad(CAST(id AS TEXT), 12, '0')"
        await engine.run_ddl(f"UPDATE bid_bond SET reference = 'BZJ' || {padded} WHERE reference = ''")
        # An unpaid duplicate goes when its group has a paid bond or an older one.
        await engine.run_ddl(
            "DELETE FROM bid_bond WHERE paid_at IS NULL AND EXISTS (SELECT 1 FROM bid_bond o "
            "WHERE o.tender = bid_bond.tender AND o.organization = bid_bond.organization AND o.id <> bid_bond.id "
            "AND (o.paid_at IS NOT NULL OR o.id < bid_bond.id))"
        )
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS bid_bond_reference ON bid_bond (reference)")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS bid_bond_tender_organization ON bid_bond (tender, organization)"
        )

    manager.add_raw(run)
    return manager
