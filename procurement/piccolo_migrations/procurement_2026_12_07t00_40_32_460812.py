from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T00:40:32:460812"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="procurement", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Award",
        tablename="award",
        column_name="refusal_kind",
        db_column_name="refusal_kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Award",
        tablename="award",
        column_name="replaces",
        db_column_name="replaces",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Award",
        tablename="award",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "AwardStatus",
                {"ACTIVE": "active", "REVOKED": "revoked", "REFUSED": "refused"},
            )
        },
        old_params={
            "choices": Enum(
                "AwardStatus", {"ACTIVE": "active", "REVOKED": "revoked"}
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
