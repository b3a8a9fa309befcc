"""Who may do what with bids and eligibility; every answer carries its reason.

The bid's own organization is a relation derived from the bid row. Who may
read an opened bid besides the buyer's staff is not known here: the panel is
evaluation's business, so evaluation adds its predicate at registration
(``add_opened_reader``); without it only the buyer's staff may read, which
fails closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from procurement.accounts.states import OrgKind, Role
from procurement.core.actors import Relation
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _
from procurement.tenders import policies as tender_policies

OpenedReader = Callable[[CurrentUser, dict[str, Any]], Awaitable[Decision]]
_opened_readers: list[OpenedReader] = []


def social_org_member(user: CurrentUser | None) -> Decision:
    """Bids and 公益创投 applications are made by the users of social organizations."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ORG_MEMBER or user.organization_kind != OrgKind.SOCIAL_ORG:
        return deny(_("只有社会组织用户可以投标或申报。"))
    return allow()


def bid_owner(user: CurrentUser | None, bid: dict[str, Any]) -> Decision:
    """The bid's own organization. Others are told it is not there: they must not
    learn that it exists (invariant 2)."""
    if user is not None and user.role == Role.ORG_MEMBER and user.organization_id == bid["organization"]:
        return allow(Relation.BID_OWNER)
    return deny(_("找不到该投标。"))


def can_read_profile(user: CurrentUser, org_id: int) -> Decision:
    if org_id == user.organization_id or user.role in (Role.OFFICER, Role.FINANCE, Role.ADMIN):
        return allow()
    return deny(_("只能查看本机构的资格资料。"))


def can_confirm_profile(user: CurrentUser) -> Decision:
    """Reviewing profiles (the list, confirming, returning) is the bureau officers' work; administrators may too."""
    if user.role in (Role.OFFICER, Role.ADMIN):
        return allow()
    return deny(_("只有民政局经办人可以确认机构资格资料。"))


def own_profile(user: CurrentUser | None, org_id: int) -> Decision:
    """The organization itself files and changes its profile."""
    if (
        user is not None
        and user.role == Role.ORG_MEMBER
        and user.organization_kind == OrgKind.SOCIAL_ORG
        and user.organization_id == org_id
    ):
        return allow(Relation.OWN_ORGANIZATION)
    return deny(_("只能修改本机构的资格资料。"))


def can_list_bonds(user: CurrentUser) -> Decision:
    if user.role in (Role.OFFICER, Role.FINANCE, Role.ORG_MEMBER, Role.ADMIN):
        return allow()
    return deny(_("只有采购人、投标机构和系统管理员可以查看投标保证金。"))


def can_record_bond(user: CurrentUser, tender: dict[str, Any]) -> Decision:
    """The buyer's officers and finance record payments and refunds of its bonds."""
    return tender_policies.buyer_staff(user, tender)


def add_opened_reader(check: OpenedReader) -> None:
    """Let a higher sub-domain name who else may read opened bids (evaluation: the declared panel)."""
    if check not in _opened_readers:
        _opened_readers.append(check)


async def opened_reader(user: CurrentUser, tender: dict[str, Any]) -> Decision:
    """After the opening: the buyer's staff, or whoever a registered predicate allows
    (a panel member who declared no conflict, invariant 5)."""
    decision = tender_policies.buyer_staff(user, tender)
    if decision:
        return decision
    for check in _opened_readers:
        found = await check(user, tender)
        if found:
            return found
    return deny(_("找不到该投标。"))
