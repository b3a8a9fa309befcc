"""The workspace's version (issue 11, the dashboard): a ``system_value`` row named
``dashboard_version`` that changes in the same transaction as any change to a table
the officer's or the organization's dashboard reads, so that every app process can
tell with one cheap read whether a dashboard it kept is still current
(``procurement.dashboard.kept``). Coarse on purpose: a change to any row of these
tables, whoever it concerns, makes every kept dashboard stale.

Built as ``portal_version`` is (migration ``2026-12-06T21:45``): a random value, an
upsert; on SQLite a trigger per table and operation, on PostgreSQL a deferred
constraint trigger with a transaction-local flag (one write per transaction, the row
locked only at commit). This migration covers procurement's tables; the contracts
package adds its own tables in its migration of the same name, with the same function.
The tables listed here are checked against what the dashboards read
(``tests/integration/test_dashboard_kept.py``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dashboard_version: changed with every change to a table the dashboards read"

KEY = "dashboard_version"
TABLES = (
    "award",
    "bid",
    "bid_bond",
    "challenge",
    "eligibility_profile",
    "inbox_item",
    "organization",
    "panel",
    "tender",
    "tender_lot",
    "tender_question",
)

SQLITE_BUMP = (
    f"INSERT INTO system_value (key, value) VALUES ('{KEY}', lower(hex(randomblob(8)))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS {KEY}_{table}_{short} AFTER {operation} ON {table} BEGIN {SQLITE_BUMP}; END"
    for table in TABLES
    for short, operation in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
] + [
    f"INSERT INTO system_value (key, value) VALUES ('{KEY}', lower(hex(randomblob(8)))) ON CONFLICT (key) DO NOTHING"
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION {KEY}_bump() RETURNS trigger AS $$
BEGIN
    IF current_setting('procurement.{KEY}_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('procurement.{KEY}_bumped', 'yes', true);
    INSERT INTO system_value (key, value) VALUES ('{KEY}', md5(random()::text || clock_timestamp()::text))
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    *[f"DROP TRIGGER IF EXISTS {KEY}_{table} ON {table}" for table in TABLES],
    *[
        f"CREATE CONSTRAINT TRIGGER {KEY}_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {KEY}_bump()"
        for table in TABLES
    ],
    f"INSERT INTO system_value (key, value) VALUES ('{KEY}', md5(random()::text)) ON CONFLICT (key) DO NOTHING",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
