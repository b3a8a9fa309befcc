"""Tables of social-worker teams (issue 13; rules 38–40, invariant 9): each
organization's roster, the members of each contract's team over time, and the
requests to replace a member.

Only tables here. The 居民身份证 number is never stored in plain text: ``id_cipher``
holds it encrypted (AES-256-GCM, a key derived from the installation's secret),
``id_hash`` a keyed hash (HMAC-SHA256) to find the same person again, and
``id_masked`` the form everyone may see (3301**********1234). A team member is never
deleted: removal sets ``removed_at``, so who was on the team when is kept. The unique
index on (organization, id_hash) is raw SQL in the migration.
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from contracts.lifecycle.tables import Contract
from contracts.staffing.states import CertLevel, Employment, ReplacementStatus, TeamRole


class SocialWorker(Table, tablename="staffing_worker"):
    """One social worker (社工) on an organization's roster."""

    id: Serial

    organization: ForeignKey = ForeignKey(
        LazyTableReference(table_class_name="Organization", app_name="procurement"),
        null=False,
        on_delete=OnDelete.restrict,
        index=True,
    )
    name = Varchar(length=50)
    phone = Varchar(length=40, default="")
    employment = Varchar(length=10, choices=Employment, default=Employment.EMPLOYED)
    employed_from = Date(null=True, default=None)
    employed_until = Date(null=True, default=None)
    id_cipher = Text()
    id_hash = Varchar(length=64, index=True)
    id_masked = Varchar(length=18)
    level = Varchar(length=20, choices=CertLevel, default=CertLevel.NONE)
    certificate_no = Varchar(length=40, default="")
    certificate_year = Integer(null=True, default=None)
    registration_expires = Date(null=True, default=None)
    expiry_reminded_at = Timestamptz(null=True, default=None)  # told once before it expires (issue 15 §1)
    next_check_at = Timestamptz(null=True, default=None, index=True)
    supervisor_qualified = Boolean(default=False)
    created_by = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TeamMember(Table, tablename="staffing_team_member"):
    """A worker on a contract's team in one role, with a share of their time over a
    period; removed members stay (``removed_at``) as the team's history."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    worker = ForeignKey(SocialWorker, null=False, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, choices=TeamRole)
    allocation = Integer()  # percent of full time
    period_start = Date()
    period_end = Date()
    added_by = Integer()
    added_at = Timestamptz()
    removed_by = Integer(null=True, default=None)
    removed_at = Timestamptz(null=True, default=None, index=True)
    removed_reason = Text(default="")
    replacement = Integer(null=True, default=None)  # the approved request that ended or began the membership


class ReplacementRequest(Table, tablename="staffing_replacement"):
    """The provider's request to replace a member with a candidate (rule 40), and the
    buyer's decision: approved for an equal or higher level or a justified exception."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    member = ForeignKey(TeamMember, null=False, on_delete=OnDelete.restrict)
    candidate = ForeignKey(SocialWorker, null=False, on_delete=OnDelete.restrict)
    reason = Text()
    status = Varchar(length=20, choices=ReplacementStatus, default=ReplacementStatus.PENDING, index=True)
    exception = Text(default="")  # the officer's justification for a lower level
    decision_note = Text(default="")
    new_member = Integer(null=True, default=None)
    requested_by = Integer()
    requested_at = Timestamptz()
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
