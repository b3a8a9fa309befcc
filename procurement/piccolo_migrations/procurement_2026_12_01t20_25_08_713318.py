from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:25:08:713318"
VERSION = "1.38.0"
DESCRIPTION = "next_check_at on awards, challenges, panels and bid bonds (with a backfill); choices on status columns; bid.needs_confirmation is derived from versions"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="procurement", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Bid",
        tablename="bid",
        column_name="needs_confirmation",
        db_column_name="needs_confirmation",
        schema=None,
    )

    manager.add_column(
        table_class_name="BidBond",
        tablename="bid_bond",
        column_name="next_check_at",
        db_column_name="next_check_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="BidBond",
        tablename="bid_bond",
        column_name="overdue_notified_at",
        db_column_name="overdue_notified_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
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

    manager.add_column(
        table_class_name="Panel",
        tablename="panel",
        column_name="next_check_at",
        db_column_name="next_check_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
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
        column_name="next_check_at",
        db_column_name="next_check_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Challenge",
        tablename="challenge",
        column_name="next_check_at",
        db_column_name="next_check_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Tender",
        tablename="tender",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "TenderStatus",
                {
                    "DRAFT": "draft",
                    "PUBLISHED": "published",
                    "CLOSED": "closed",
                    "OPENED": "opened",
                    "EVALUATING": "evaluating",
                    "AWARDED": "awarded",
                    "FAILED": "failed",
                    "CANCELLED": "cancelled",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Bid",
        tablename="bid",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "BidStatus",
                {
                    "DRAFT": "draft",
                    "SUBMITTED": "submitted",
                    "WITHDRAWN": "withdrawn",
                    "OPENED": "opened",
                    "QUALIFIED": "qualified",
                    "DISQUALIFIED": "disqualified",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ScoreSheet",
        tablename="score_sheet",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "SheetStatus",
                {
                    "DRAFT": "draft",
                    "SUBMITTED": "submitted",
                    "SUPERSEDED": "superseded",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Award",
        tablename="award",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "AwardStatus", {"ACTIVE": "active", "REVOKED": "revoked"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Challenge",
        tablename="challenge",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ChallengeStatus",
                {
                    "FILED": "filed",
                    "REJECTED": "rejected",
                    "UPHELD": "upheld",
                    "COMPLAINED": "complained",
                    "COMPLAINT_DECIDED": "complaint_decided",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
