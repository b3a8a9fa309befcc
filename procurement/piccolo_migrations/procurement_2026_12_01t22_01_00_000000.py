"""tender_document_receipt: when an organization first obtained a tender's documents
(the start of its 质疑 period against them), written by hand (others change tables
concurrently, so no --auto run). The columns match
``procurement.tenders.tables.TenderDocumentReceipt``; one row per tender and
organization is the raw unique index of the next migration (raw SQL runs before the
tables are added, and a composite unique constraint breaks on SQLite in Piccolo)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Organization(Table, tablename="organization", schema=None):
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


ID = "2026-12-01T22:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tender_document_receipt: who obtained a tender's documents, first time"


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


def _fk(references, on_delete, **overrides):
    return _params(
        references=references, on_delete=on_delete, on_update=OnUpdate.cascade, target_column=None, **overrides
    )


COLUMNS = [
    ("tender", ForeignKey, _fk(Tender, OnDelete.cascade, index=True)),
    ("organization", ForeignKey, _fk(Organization, OnDelete.restrict)),
    ("obtained_at", Timestamptz, _params(default=TimestamptzNow())),
    ("obtained_by", Integer, _params(default=0)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    manager.add_table(
        class_name="TenderDocumentReceipt", tablename="tender_document_receipt", schema=None, columns=None
    )
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="TenderDocumentReceipt",
            tablename="tender_document_receipt",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
