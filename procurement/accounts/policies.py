"""Who may do what with accounts; every answer carries its reason."""

from __future__ import annotations

from procurement.accounts.states import Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def can_manage_accounts(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ADMIN:
        return deny(_("只有系统管理员可以管理用户和机构。"))
    return allow()


def can_review_registrations(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role not in (Role.OFFICER, Role.ADMIN):
        return deny(_("只有民政局经办人或系统管理员可以审核社会组织注册。"))
    return allow()


def can_list_organizations(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role not in (Role.OFFICER, Role.FINANCE, Role.ADMIN):
        return deny(_("只有民政局工作人员和系统管理员可以查看机构名录。"))
    return allow()


def can_read_audit(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ADMIN:
        return deny(_("只有系统管理员可以查看审计日志。"))
    return allow()


def can_manage_system(user: CurrentUser | None) -> Decision:
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ADMIN:
        return deny(_("只有系统管理员可以修改系统设置。"))
    return allow()
