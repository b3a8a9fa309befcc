"""Who may do what with rosters and teams; every answer carries its reason.

A roster belongs to its organization: its members keep it, the bureau's staff and
administrators read it. The full 居民身份证 number is shown only to the
organization's own members and the bureau's officers (个人信息保护法, minimum
necessary); everyone else sees it masked. A contract's team is kept by the
provider's members; the buyer's officer decides replacements (rule 40). Relations
come from the rows, never from the caller.
"""

from __future__ import annotations

from typing import Any

from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _

BUREAU_STAFF = (Role.OFFICER, Role.FINANCE, Role.ADMIN)


def roster_keeper(user: CurrentUser, organization_id: int) -> Decision:
    """A member of the organization registers and updates its social workers."""
    if user.role == Role.ORG_MEMBER and user.organization_id == organization_id:
        return allow(Relation.OWN_ORGANIZATION)
    return deny(_("只有本机构的工作人员可以登记和修改本机构的社工信息。"))


def roster_reader(user: CurrentUser, organization_id: int) -> Decision:
    """The organization's own members, and the bureau's staff and administrators."""
    if user.role == Role.ORG_MEMBER and user.organization_id == organization_id:
        return allow(Relation.OWN_ORGANIZATION)
    if user.role in BUREAU_STAFF:
        return allow()
    return deny(_("找不到该机构的社工名册。"))


def sees_id_number(user: CurrentUser, organization_id: int) -> bool:
    """The full ID number: the organization's own members and the bureau's officers only."""
    if user.role == Role.ORG_MEMBER and user.organization_id == organization_id:
        return True
    return user.role == Role.OFFICER


def sees_all_workload(user: CurrentUser) -> bool:
    return user.role in BUREAU_STAFF


def team_keeper(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A member of the contract's provider (乙方) assigns and removes members and asks
    for replacements."""
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(_("只有服务机构（{provider}）的工作人员可以调整项目团队。").format(provider=contract["provider_name"]))


def replacement_decider(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """An officer of the contract's buyer (甲方) approves or refuses a replacement."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有采购人（{buyer}）的经办人可以审批团队成员的更换。").format(buyer=contract["buyer_name"]))
