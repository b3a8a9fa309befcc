"""The outbox's indexes that Piccolo cannot declare (issue 15 §3), after the columns exist:
the inbox's dedupe key (SQLite refuses ADD COLUMN … UNIQUE), one opt-out per user, channel
and event (a composite unique breaks on SQLite in Piccolo), and the unread rows of the
navigation's count."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T04:01:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        # Unique keys that Piccolo cannot declare: a column added to an existing table
        # (SQLite refuses ADD COLUMN … UNIQUE) and a composite one.
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS inbox_item_dedupe_key ON inbox_item (dedupe_key)")
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS notification_opt_out_once ON notification_opt_out ("user", channel, event)'
        )
        # The unread count in every page's navigation: only the unread rows, per recipient.
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS inbox_item_unread ON inbox_item (recipient) WHERE read_at IS NULL")

    manager.add_raw(run)
    return manager
