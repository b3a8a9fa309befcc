"""Who may do what with a tender; every answer carries its reason."""

from __future__ import annotations

from typing import Any

from procurement.accounts.states import OrgKind, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.tenders.states import TenderStatus


def can_create_tender(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny("请先登录。")
    if user.role != Role.OFFICER or user.organization_kind != OrgKind.BUREAU:
        return deny("只有民政部门（民政局、街道）的经办人可以创建采购项目。")
    return allow()


def is_buyer_staff(user: CurrentUser | None, tender: dict[str, Any]) -> bool:
    return user is not None and user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == tender["buyer"]


def can_edit_tender(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    if user is None:
        return deny("请先登录。")
    if user.role != Role.OFFICER or user.organization_id != tender["buyer"]:
        return deny(f"只有采购人（{tender.get('buyer.name') or '本项目采购单位'}）的经办人可以修改或发布此项目。")
    return allow()


def can_view_tender(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    """Drafts are seen only by the buyer's own staff and administrators; never on the portal."""
    if tender["status"] != TenderStatus.DRAFT:
        return allow()
    if is_buyer_staff(user, tender) or (user is not None and user.role == Role.ADMIN):
        return allow()
    return deny("找不到该项目。")


def can_ask_question(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny("请先登录后再提问。")
    if user.role != Role.ORG_MEMBER or user.organization_kind != OrgKind.SOCIAL_ORG:
        return deny("只有已通过审核的社会组织可以提出澄清问题。")
    return allow()
