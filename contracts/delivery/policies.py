"""Who may do what with a contract's reports; every answer carries its reason.

The relations come from the contract row (its ``buyer`` and ``provider``), never from
the caller: the provider's members submit, the buyer's officers set the schedule and
review. Reading follows the contract (``contracts.lifecycle.services.readable``: the
buyer's staff, the provider's members and administrators; anyone else gets 404).
"""

from __future__ import annotations

from typing import Any

from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def submitter(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A member of the contract's provider (乙方) submits its progress reports."""
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(_("只有服务机构（{provider}）的工作人员可以提交进度报告。").format(provider=contract["provider_name"]))


def reviewer(user: CurrentUser, contract: dict[str, Any], doing: str) -> Decision:
    """An officer of the contract's buyer (甲方) reviews reports and sets the schedule."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有采购人（{buyer}）的经办人可以{doing}。").format(buyer=contract["buyer_name"], doing=doing))
