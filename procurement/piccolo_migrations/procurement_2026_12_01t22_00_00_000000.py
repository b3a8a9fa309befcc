"""audit_anchor: the signed heads of the audit chain (core.audit.anchor), written by hand
(others change tables concurrently, so no --auto run). The columns match
``procurement.core.tables.AuditAnchor`` exactly, so a later --auto run finds nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_anchor: signed, published heads of the audit chain"


def _params(**overrides):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    ("seq", Integer, _params(default=0, unique=True)),
    ("at", Timestamptz, _params(default=TimestamptzNow())),
    ("row_id", Integer, _params(default=0)),
    ("row_hash", Varchar, _params(length=64, default="")),
    ("prev_digest", Varchar, _params(length=64, default="")),
    ("key_id", Varchar, _params(length=16, default="")),
    ("signature", Varchar, _params(length=128, default="")),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    manager.add_table(class_name="AuditAnchor", tablename="audit_anchor", schema=None, columns=None)

    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="AuditAnchor",
            tablename="audit_anchor",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    return manager
