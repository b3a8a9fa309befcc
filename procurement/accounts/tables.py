"""Tables of accounts: organizations and their users.

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from procurement.accounts.states import OrgKind, OrgStatus, Role


class Organization(Table, tablename="organization"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    name = Varchar(length=200, unique=True)
    short_name = Varchar(length=100, default="")
    kind = Varchar(length=20, choices=OrgKind, index=True)
    status = Varchar(length=20, choices=OrgStatus, default=OrgStatus.PENDING, index=True)
    parent: ForeignKey["Organization"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    # 统一社会信用代码 (rule 5); NULLs are distinct, so only real codes must be unique.
    credit_code = Varchar(length=18, null=True, default=None, unique=True)
    legal_representative = Varchar(length=50, default="")
    contact_name = Varchar(length=50, default="")
    contact_phone = Varchar(length=30, default="")
    address = Varchar(length=200, default="")
    description = Text(default="")
    rejection_reason = Text(default="")
    created_at = Timestamptz()
    approved_at = Timestamptz(null=True, default=None)


class User(Table, tablename="app_user"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    username = Varchar(length=50, unique=True)
    display_name = Varchar(length=50)
    password_hash = Varchar(length=200)
    role = Varchar(length=30, choices=Role, index=True)
    organization = ForeignKey(Organization, null=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=30, default="")
    email = Varchar(length=120, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
