"""The workspace's version (issue 11, the dashboard) for the contracts' tables that the
officer's and the organization's dashboards read: the same ``dashboard_version`` row and,
on PostgreSQL, the same function as procurement's migration ``2026-12-07T12:45``, which
runs before this one (the contracts app depends on procurement's)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dashboard_version: changed with every change to a contracts table the dashboards read"

KEY = "dashboard_version"
TABLES = (
    "assessment",
    "contract",
    "contract_installment_payment",
    "contract_report",
    "contract_signature",
    "staffing_replacement",
    "staffing_team_member",
    "staffing_worker",
)

SQLITE_BUMP = (
    f"INSERT INTO system_value (key, value) VALUES ('{KEY}', lower(hex(randomblob(8)))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS {KEY}_{table}_{short} AFTER {operation} ON {table} BEGIN {SQLITE_BUMP}; END"
    for table in TABLES
    for short, operation in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
]

POSTGRES = [
    *[f"DROP TRIGGER IF EXISTS {KEY}_{table} ON {table}" for table in TABLES],
    *[
        f"CREATE CONSTRAINT TRIGGER {KEY}_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {KEY}_bump()"
        for table in TABLES
    ],
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
