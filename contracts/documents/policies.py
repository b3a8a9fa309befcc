"""Who may choose a tender's contract template; every answer carries its reason."""

from __future__ import annotations

from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def template_chooser(user: CurrentUser | None, buyer_id: int) -> Decision:
    """The contract template of a tender is chosen by an officer of its buyer (the bureau
    or street office that buys the service); administrators keep the templates but do not
    choose one for a bureau's tender."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role == Role.OFFICER and user.organization_id == buyer_id:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有本项目采购人的经办人可以选择合同模板。"))
