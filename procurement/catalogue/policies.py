"""Who may act on the catalogue: predicates over the data that return a reason."""

from __future__ import annotations

from procurement.accounts.states import OrgKind
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def can_follow(user: CurrentUser | None) -> Decision:
    """A member of a social organization follows service categories for its organization
    (its users are told of new tenders in them)."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role != Role.ORG_MEMBER or user.organization_id is None or user.organization_kind != OrgKind.SOCIAL_ORG:
        return deny(_("只有社会组织的工作人员可以关注服务类别。"))
    return allow()
