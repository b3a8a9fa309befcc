"""Who may do what with a tender; every answer carries its reason.

The buyer's staff and the buyer's officer are relations to one tender, derived
here from the tender's buyer and nowhere else: bids, evaluation and awards ask
these predicates instead of comparing organization ids themselves.
"""

from __future__ import annotations

from typing import Any

from procurement.accounts.states import OrgKind, Role
from procurement.core.actors import Relation
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _
from procurement.tenders.states import TenderStatus


def _buyer_name(tender: dict[str, Any]) -> str:
    return tender.get("buyer.name") or _("本项目采购单位")


def can_create_tender(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.OFFICER or user.organization_kind != OrgKind.BUREAU:
        return deny(_("只有民政部门（民政局、街道）的经办人可以创建采购项目。"))
    return allow()


def buyer_staff(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    """采购人的工作人员: an officer or finance member of the tender's buyer."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == tender["buyer"]:
        return allow(Relation.BUYER_STAFF)
    return deny(_("只有采购人（{buyer_name}）的工作人员可以查看。").format(buyer_name=_buyer_name(tender)))


def buyer_officer(user: CurrentUser | None, tender: dict[str, Any], doing: str | None = None) -> Decision:
    """采购人的经办人: the officers of the tender's buyer act for it."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role == Role.OFFICER and user.organization_id == tender["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(
        _("只有采购人（{buyer_name}）的经办人可以{doing}。").format(
            buyer_name=_buyer_name(tender), doing=doing or _("修改或发布此项目")
        )
    )


def staff_view(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    """The buyer's staff and administrators see a tender as staff (names, internal labels)."""
    if user is not None and user.role == Role.ADMIN:
        return allow()
    return buyer_staff(user, tender)


def can_edit_tender(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    return buyer_officer(user, tender)


def can_view_tender(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    """Drafts are seen only by the buyer's own staff and administrators; never on the portal."""
    if tender["status"] != TenderStatus.DRAFT:
        return allow()
    if staff_view(user, tender):
        return allow()
    return deny(_("找不到该项目。"))


def can_ask_question(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录后再提问。"))
    if user.role != Role.ORG_MEMBER or user.organization_kind != OrgKind.SOCIAL_ORG:
        return deny(_("只有已通过审核的社会组织可以提出澄清问题。"))
    return allow()
