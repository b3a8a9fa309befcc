"""The 政府购买服务指导性目录 (rule 7).

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    Boolean,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class CatalogueItem(Table, tablename="catalogue_item"):
    """An item of the 政府购买服务指导性目录 (rule 7): what may be bought."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    category = Varchar(length=20, index=True)
    description = Text(default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
