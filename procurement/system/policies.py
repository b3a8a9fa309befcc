"""Who may act on the system's own records; every answer carries its reason."""

from __future__ import annotations

from procurement.accounts.states import Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def can_manage_outbox(user: CurrentUser | None) -> Decision:
    """The failed sends of every user are the administrators' to see and send again."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ADMIN:
        return deny(_("只有系统管理员可以查看和重新发送失败的通知邮件。"))
    return allow()
