"""The law's order of review (rule 41) and the panel's chair (87号令第四十五条),
written by hand (others change tables concurrently, so no --auto run):
bid_review gains the panel's 符合性审查 (responsive, its reason, who, when);
panel records how its chair was chosen and the chair's last draft-report
preview; panel_member holds each member's proposal for chair; bid.status gains
responsive and nonresponsive. The next migration carries existing data over
(raw SQL runs before a migration's columns are added)."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:03:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "符合性审查 by the panel, chair election, report preview"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)
    columns = [
        ("BidReview", "bid_review", "responsive", Boolean, _params(default=None, null=True)),
        ("BidReview", "bid_review", "responsive_reason", Text, _params(default="")),
        ("BidReview", "bid_review", "responsive_by", Integer, _params(default=None, null=True)),
        ("BidReview", "bid_review", "responsive_at", Timestamptz, _params(default=None, null=True)),
        ("Panel", "panel", "chair_chosen_how", Varchar, _params(length=20, default="")),
        ("Panel", "panel", "chair_chosen_at", Timestamptz, _params(default=None, null=True)),
        ("Panel", "panel", "report_previewed_hash", Varchar, _params(length=64, default="")),
        ("PanelMember", "panel_member", "chair_vote", Integer, _params(default=None, null=True)),
    ]
    for class_name, tablename, column, column_class, params in columns:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
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
                    "RESPONSIVE": "responsive",
                    "NONRESPONSIVE": "nonresponsive",
                },
            )
        },
        old_params={
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
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
