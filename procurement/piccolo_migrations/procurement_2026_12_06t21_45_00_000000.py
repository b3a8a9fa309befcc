"""The public portal's version (issue 11): a ``system_value`` row named
``portal_version`` that changes in the same transaction as any change to a
notice, a tender or a tender's attached file, so that every app process can tell
with one cheap read whether what it cached from the portal is still current
(``procurement.core.portal_cache``).

The value is random, not a counter: a row deleted and recreated (tests wipe
every table) can never come back to a value a process has cached under. It is
written with an upsert, so a missing row comes back at the next change.

SQLite: a trigger per table and operation. PostgreSQL: a deferred constraint
trigger, so the row is locked only at commit, after every other lock the
transaction takes (no deadlock with row locks taken earlier, and writers queue
on it only while committing), and a transaction-local flag writes it once per
transaction however many rows change."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "portal_version: changed with every notice, tender and tender file change"

TABLES = ("notice", "tender", "tender_file")

SQLITE_BUMP = (
    "INSERT INTO system_value (key, value) VALUES ('portal_version', lower(hex(randomblob(8)))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS portal_version_{table}_{short} AFTER {operation} ON {table} "
    f"BEGIN {SQLITE_BUMP}; END"
    for table in TABLES
    for short, operation in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
] + [
    "INSERT INTO system_value (key, value) VALUES ('portal_version', lower(hex(randomblob(8)))) "
    "ON CONFLICT (key) DO NOTHING"
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION portal_version_bump() RETURNS trigger AS $$
BEGIN
    IF current_setting('procurement.portal_version_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('procurement.portal_version_bumped', 'yes', true);
    INSERT INTO system_value (key, value) VALUES ('portal_version', md5(random()::text || clock_timestamp()::text))
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    *[
        f"DROP TRIGGER IF EXISTS portal_version_{table} ON {table}"
        for table in TABLES
    ],
    *[
        f"CREATE CONSTRAINT TRIGGER portal_version_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal_version_bump()"
        for table in TABLES
    ],
    "INSERT INTO system_value (key, value) VALUES ('portal_version', md5(random()::text)) "
    "ON CONFLICT (key) DO NOTHING",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
