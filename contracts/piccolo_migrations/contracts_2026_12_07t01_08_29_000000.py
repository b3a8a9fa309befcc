"""An indicator system's versions are numbered once per name; a contract has one
mid-term and one final evaluation (spot checks as many as needed); each scoring round
of an evaluation is numbered once (raw unique indexes: a composite unique constraint
breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T01:08:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "contracts: unique indicator system version, one mid-term and final evaluation, unique round"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def run():
        for ddl in (
            "CREATE UNIQUE INDEX IF NOT EXISTS assessment_indicator_system_unique"
            " ON assessment_indicator_system (name, version)",
            "CREATE UNIQUE INDEX IF NOT EXISTS assessment_stage_unique"
            " ON assessment (contract, stage) WHERE stage <> 'spot'",
            "CREATE UNIQUE INDEX IF NOT EXISTS assessment_round_unique ON assessment_round (assessment, round)",
        ):
            await engine_finder().run_ddl(ddl)

    manager.add_raw(run)
    return manager
