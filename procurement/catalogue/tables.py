"""The 政府购买服务指导性目录 (rule 7).

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from procurement.accounts.tables import Organization


class CatalogueItem(Table, tablename="catalogue_item"):
    """An item of the 政府购买服务指导性目录 (rule 7): what may be bought."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    category = Varchar(length=20, index=True)
    description = Text(default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class CategoryFollow(Table, tablename="catalogue_category_follow"):
    """A social organization follows a service category of the catalogue: its users are
    told of every new tender published in it. One row per (organization, category), a
    unique index in the migration."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade, index=True)
    category = Varchar(length=20, index=True)
    followed_by = Integer()
    created_at = Timestamptz()
