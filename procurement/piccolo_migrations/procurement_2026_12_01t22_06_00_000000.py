"""Eligibility profiles get a review status (待确认 / 已确认 / 已退回), the reason when returned
and a version that a review names. Written by hand (others change tables concurrently, so no
--auto run); the columns match ``procurement.bids.tables.EligibilityProfile``. The existing rows
get their status in the next migration (raw steps run before added columns in one migration)."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "eligibility profile review status, returned reason and version"


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
    (
        "status",
        Varchar,
        _params(
            length=20,
            default="pending",
            index=True,
            choices=Enum("ProfileStatus", {"PENDING": "pending", "CONFIRMED": "confirmed", "RETURNED": "returned"}),
        ),
    ),
    ("version", Integer, _params(default=1)),
    ("returned_reason", Text, _params(default="")),
    ("returned_at", Timestamptz, _params(default=None, null=True)),
    ("returned_by", Integer, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="EligibilityProfile",
            tablename="eligibility_profile",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    return manager
