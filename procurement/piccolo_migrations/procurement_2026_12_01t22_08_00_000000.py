"""calendar_year: a year an administrator recorded as "official schedule not published
yet, count weekends only", with who and when; written by hand (others change tables
concurrently, so no --auto run). The columns match ``procurement.core.tables.CalendarYear``."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class User(Table, tablename="app_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-01T22:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar_year: years recorded as counting weekends only"


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
    ("year", Integer, _params(default=0, unique=True)),
    ("note", Text, _params(default="")),
    (
        "recorded_by",
        ForeignKey,
        _params(references=User, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None),
    ),
    ("recorded_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    manager.add_table(class_name="CalendarYear", tablename="calendar_year", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="CalendarYear",
            tablename="calendar_year",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
