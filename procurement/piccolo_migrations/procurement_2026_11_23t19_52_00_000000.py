"""Indexes for the public notice list at 100,000+ notices: keyset order and
substring search (SQLite FTS5 trigram table kept in step by triggers; PostgreSQL
pg_trgm GIN index on title || content)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T19:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice keyset and trigram search indexes"

SQLITE = [
    "CREATE INDEX IF NOT EXISTS notice_keyset ON notice (published_at DESC, id DESC)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS notice_search USING fts5("
    "title, content, content='notice', content_rowid='id', tokenize='trigram')",
    "INSERT INTO notice_search(notice_search) VALUES ('rebuild')",
    "CREATE TRIGGER IF NOT EXISTS notice_search_ai AFTER INSERT ON notice BEGIN "
    "INSERT INTO notice_search(rowid, title, content) VALUES (new.id, new.title, new.content); END",
    "CREATE TRIGGER IF NOT EXISTS notice_search_ad AFTER DELETE ON notice BEGIN "
    "INSERT INTO notice_search(notice_search, rowid, title, content) VALUES ('delete', old.id, old.title, old.content); END",
    "CREATE TRIGGER IF NOT EXISTS notice_search_au AFTER UPDATE ON notice BEGIN "
    "INSERT INTO notice_search(notice_search, rowid, title, content) VALUES ('delete', old.id, old.title, old.content); "
    "INSERT INTO notice_search(rowid, title, content) VALUES (new.id, new.title, new.content); END",
]

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS notice_keyset ON notice (published_at DESC, id DESC)",
    # pg_trgm is a trusted extension (PostgreSQL 13+): a user with CREATE on the database may add it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS notice_search_trgm ON notice USING gin ((title || ' ' || content) gin_trgm_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
