"""Who may do what with a contract's installment payments; every answer carries its reason.

The relations come from the contract row (its ``buyer`` and ``provider``), never from
the caller: the provider's members request a payment (拨付申请), the buyer's officers
approve it, the buyer's finance staff check and release it. Reading follows the
contract (``contracts.lifecycle.services.readable``: anyone else gets 404).
"""

from __future__ import annotations

from typing import Any

from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def requester(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A member of the contract's provider (乙方) asks for a due installment."""
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(_("只有服务机构（{provider}）的工作人员可以申请拨付。").format(provider=contract["provider_name"]))


def approver(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """An officer of the contract's buyer (甲方) approves a requested payment."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有采购人（{buyer}）的经办人可以审核拨付申请。").format(buyer=contract["buyer_name"]))


def finance(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A finance member of the contract's buyer checks and releases an approved payment."""
    if user.role == Role.FINANCE and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_STAFF)
    return deny(_("只有采购人（{buyer}）的财务人员可以拨付款项。").format(buyer=contract["buyer_name"]))


def ledger_summary_reader(user: CurrentUser) -> Decision:
    """The bureau's ledger views (per organization, per year and category, the share of
    social organizations): the officers and finance staff of a buying bureau, over their
    own bureau's contracts; administrators over every bureau's."""
    if user.role == Role.ADMIN:
        return allow()
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id is not None:
        return allow(Relation.BUYER_STAFF)
    return deny(_("只有采购人的经办人和财务人员可以查看付款台账汇总。"))


def ledger_reader(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """The buyer's staff and administrators export a contract's payment ledger."""
    if user.role == Role.ADMIN:
        return allow()
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_STAFF)
    return deny(_("只有采购人的工作人员可以导出付款台账。"))
