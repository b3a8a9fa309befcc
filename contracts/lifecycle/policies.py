"""Who may do what with a contract; every answer carries its reason.

The buyer's officer and the provider's member are relations to one contract,
derived here from the contract row (its ``buyer`` and ``provider``), never asserted
by a caller. The buyer's staff (officers and finance) read their bureau's contracts,
the provider's members their own; administrators read all; the public reads only the
contract notices on the portal.
"""

from __future__ import annotations

from typing import Any

from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def can_create(user: CurrentUser | None, buyer_id: int) -> Decision:
    """A contract is drawn up by an officer of the buyer that made the award."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role == Role.OFFICER and user.organization_id == buyer_id:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有本项目采购人的经办人可以根据中标（成交）结果拟定合同。"))


def reader(user: CurrentUser | None, contract: dict[str, Any]) -> Decision:
    """The buyer's staff, the provider's members and administrators; to anyone else the
    contract does not exist (404, so its existence is not revealed)."""
    if user is None:
        return deny(_("请先登录。"))
    if user.role == Role.ADMIN:
        return allow()
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_STAFF)
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(_("找不到该合同。"))


def buyer_officer(user: CurrentUser, contract: dict[str, Any], doing: str) -> Decision:
    """采购人的经办人 of this contract."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有采购人（{buyer}）的经办人可以{doing}。").format(buyer=contract["buyer_name"], doing=doing))


def party(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A party of the contract: the buyer's officer (甲方) or a member of the provider (乙方)."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(_("只有合同双方（采购人的经办人、服务机构的工作人员）可以签署或修改合同。"))


def buyer_finance(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """采购人的财务人员 of this contract: records the refund of the performance bond."""
    if user.role == Role.FINANCE and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_STAFF)
    return deny(_("只有采购人（{buyer}）的财务人员可以登记退还履约保证金。").format(buyer=contract["buyer_name"]))
