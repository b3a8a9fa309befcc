"""Who may do what with awards, challenges and complaints; every answer has its reason.

The buyer's officer decides (``tenders.policies``); the organization that filed
a challenge is its *challenger*, a relation read from the challenge row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procurement.accounts.states import Role
from procurement.core.actors import Relation
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _
from procurement.tenders import policies as tender_policies


def award_reader(user: CurrentUser, tender: dict[str, Any]) -> Decision:
    """Every award of a tender, revoked ones included: the buyer's staff and administrators."""
    if tender_policies.staff_view(user, tender):
        return allow()
    return deny(_("只有采购人和系统管理员可以查看定标记录。"))


def letter_reader(user: CurrentUser, tender: dict[str, Any], award: dict[str, Any]) -> Decision:
    """中标通知书: the winner, the buyer's staff and administrators."""
    if user.role != Role.EXPERT and (
        tender_policies.staff_view(user, tender) or (user.organization_id == award["organization"])
    ):
        return allow()
    return deny(_("中标通知书只向中标人和采购人提供。"))


def bidder(user: CurrentUser, took_part: bool) -> Decision:
    """质疑 of the process or the result is filed by an organization that submitted a bid
    for the tender (94号令第十一条)."""
    if user.role != Role.ORG_MEMBER or user.organization_id is None or not took_part:
        return deny(_("只有参加本项目的投标人可以对采购过程和采购结果提出质疑（《政府采购质疑和投诉办法》第十一条）。"))
    return allow(Relation.BIDDER)


def document_holder(user: CurrentUser, obtained_on: date | None) -> Decision:
    """质疑 of the documents is filed by an organization that obtained them (a member
    downloaded them while signed in), bidder or not (94号令第十一条)."""
    if user.role != Role.ORG_MEMBER or user.organization_id is None or obtained_on is None:
        return deny(
            _(
                "只有已获取本项目采购文件的供应商可以对采购文件提出质疑（《政府采购质疑和投诉办法》第十一条）；请先登录并下载采购文件。"
            )
        )
    return allow()


def challenger(user: CurrentUser, challenge: dict[str, Any]) -> Decision:
    """The organization that filed the challenge follows it up (投诉)."""
    if user.role == Role.ORG_MEMBER and user.organization_id == challenge["organization"]:
        return allow(Relation.CHALLENGER)
    return deny(_("只有提出质疑的投标人可以登记投诉。"))


def challenge_reader(user: CurrentUser, tender: dict[str, Any]) -> Decision:
    """The buyer's staff see every challenge of the tender; an organization sees its own."""
    if tender_policies.staff_view(user, tender):
        return allow(Relation.BUYER_STAFF)
    if user.organization_id is None:
        return deny(_("只有采购人和提出质疑的投标人可以查看质疑。"))
    return allow()


def winner_replacer(user: CurrentUser, tender: dict[str, Any], *, contract_signed: bool) -> Decision:
    """The buyer's officer records that the winner refused or failed to sign and awards the
    lot to the next-ranked bidder (rule 28; 条例第四十九条), only while the award's contract
    is not signed by both (a draft, awaiting a signature, or none yet)."""
    officer = tender_policies.buyer_officer(user, tender, _("登记中标人拒签并改授予下一名"))
    if officer and contract_signed:
        return deny(signed_contract_reason())
    return officer


def signed_contract_reason() -> str:
    return _(
        "该中标结果的合同已由双方签订，不能再以中标人拒签为由改授予下一名；合同的中止或解除请在合同页办理（《政府采购法》第五十条）。"
    )
