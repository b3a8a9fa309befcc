"""The tender notice's contact block and opening place (87号令 art. 13), the full
tender documents attached to a tender (tender_file), and the 澄清公告 that published a
question's answer (tender_question.clarification_notice); written by hand (others change
tables concurrently, so no --auto run). The columns match
``procurement.tenders.tables.Tender``, ``TenderFile`` and ``TenderQuestion``."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Tender(Table, tablename="tender", schema=None):
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


class Notice(Table, tablename="notice", schema=None):
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


ID = "2026-12-01T22:09:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tender contact block and opening place; tender_file; tender_question.clarification_notice"


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


TENDER_COLUMNS = [
    ("buyer_address", Varchar, _params(length=200, default="")),
    ("buyer_contact", Varchar, _params(length=50, default="")),
    ("buyer_phone", Varchar, _params(length=30, default="")),
    ("documents_method", Text, _params(default="")),
    ("opening_place", Varchar, _params(length=200, default="")),
]

FILE_COLUMNS = [
    (
        "tender",
        ForeignKey,
        _params(
            references=Tender, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None, index=True
        ),
    ),
    ("name", Varchar, _params(length=200, default="")),
    ("sha256", Varchar, _params(length=64, default="")),
    ("size", BigInt, _params(default=0)),
    ("doc_type", Varchar, _params(length=10, default="")),
    ("uploaded_by", Integer, _params(default=0)),
    ("uploaded_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    for name, column_class, params in TENDER_COLUMNS:
        manager.add_column(
            table_class_name="Tender",
            tablename="tender",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    manager.add_column(
        table_class_name="TenderQuestion",
        tablename="tender_question",
        column_name="clarification_notice",
        db_column_name="clarification_notice",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_params(
            references=Notice,
            on_delete=OnDelete.restrict,
            on_update=OnUpdate.cascade,
            target_column=None,
            null=True,
            default=None,
        ),
        schema=None,
    )

    manager.add_table(class_name="TenderFile", tablename="tender_file", schema=None, columns=None)
    for name, column_class, params in FILE_COLUMNS:
        manager.add_column(
            table_class_name="TenderFile",
            tablename="tender_file",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
