"""Who may act in an evaluation; every answer carries its reason.

A seat on a panel is the data the relations come from: the person seated on
it is the *member* (invariant 5 lets them see bid content only once they have
declared no conflict), and the seat marked as chair gives the *chair*. The
buyer's officer is a relation to the tender (``tenders.policies``).
"""

from __future__ import annotations

from typing import Any

from procurement.accounts.states import OrgKind, Role
from procurement.core.actors import Relation
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _
from procurement.evaluation.states import SEATED, MemberStatus
from procurement.tenders import policies as tender_policies


def expert(user: CurrentUser) -> Decision:
    if user.role != Role.EXPERT:
        return deny(_("只有评审专家本人可以查看和维护专家资料。"))
    return allow()


def pool_reader(user: CurrentUser) -> Decision:
    """The expert pool is read by the bureau's officers and administrators."""
    if user.role == Role.ADMIN or (user.role == Role.OFFICER and user.organization_kind == OrgKind.BUREAU):
        return allow()
    return deny(_("只有民政部门经办人或系统管理员可以查看评审专家库。"))


def seat_holder(user: CurrentUser | None, seat: dict[str, Any] | None) -> Decision:
    """The person on this seat (whatever its status): they declare, decline, score."""
    if user is None or seat is None or seat["user"] != user.id:
        return deny(_("您不是该评标委员会的成员。"))
    return allow(Relation.MEMBER)


def declared_member(user: CurrentUser | None, seat: dict[str, Any] | None) -> Decision:
    """Invariant 5: a member who has not declared no conflict sees nothing and cannot score."""
    holder = seat_holder(user, seat)
    if not holder:
        return holder
    assert seat is not None
    if seat["status"] == MemberStatus.DRAWN:
        return deny(
            _("请先作回避声明：声明与投标人无利害关系后，才能查看投标文件和评分（《政府采购法实施条例》第九条）。")
        )
    if seat["status"] not in SEATED:
        return deny(_("您已不在该评标委员会（已回避或谢绝），不能查看投标文件或评分。"))
    return holder


def chair(user: CurrentUser | None, seat: dict[str, Any] | None) -> Decision:
    """The chair (a declared expert, never the buyer's representative, rule 19)."""
    member = declared_member(user, seat)
    if not member:
        return member
    assert seat is not None
    if not seat["is_chair"]:
        return deny(_("只有评标委员会组长可以执行此操作。"))
    return allow(Relation.PANEL_CHAIR)


def progress_reader(user: CurrentUser | None, tender: dict[str, Any]) -> Decision:
    """The buyer's staff and administrators follow the evaluation without a seat."""
    return tender_policies.staff_view(user, tender)
