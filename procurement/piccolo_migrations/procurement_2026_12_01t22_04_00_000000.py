"""Carry existing evaluations over to the law's order of review (rule 41): bids
that passed the former combined review (qualified) of a tender whose panel is
already scoring them become responsive, with that review as their 符合性审查,
so their evaluation goes on unchanged; existing chairs count as appointed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:04:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "existing panels: qualified bids become responsive; chairs count as appointed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def carry_over():
        engine = engine_finder()
        await engine.run_ddl(
            "UPDATE bid SET status = 'responsive' WHERE status = 'qualified' AND tender IN (SELECT tender FROM panel)"
        )
        await engine.run_ddl(
            "UPDATE bid_review SET responsive = TRUE, responsive_reason = reason, "
            "responsive_by = reviewed_by, responsive_at = reviewed_at "
            "WHERE passed = TRUE AND tender IN (SELECT tender FROM panel)"
        )
        await engine.run_ddl(
            "UPDATE panel SET chair_chosen_how = 'appointed' WHERE id IN "
            "(SELECT panel FROM panel_member WHERE is_chair = TRUE)"
        )

    manager.add_raw(carry_over)
    return manager
