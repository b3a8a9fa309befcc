"""The panel's chair (组长): elected by the members, or appointed by the buyer.

87号令第四十五条 has the panel's members choose their chair (评标委员会成员应当
推选组长) and forbids the buyer's representative to chair (rule 19). Each
member who has declared no conflict proposes one declared expert; the first
seat proposed by more than half of the seated members becomes chair. When the
members cannot agree, the buyer's officer may appoint one of the declared
experts. A chair who leaves the panel (回避, 谢绝, removal) leaves the place
open: the proposals for that seat lapse and the members elect again.

Until a chair exists, the chair's acts (recording the 符合性审查, deciding on an
abnormally low price, delivering the report) are refused with that reason.
"""

from __future__ import annotations

from typing import Any

from procurement.core import audit, clock, db
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.notify import notify
from procurement.evaluation import access, policies, rules
from procurement.evaluation.states import SEATED, MemberStatus
from procurement.evaluation.tables import Panel, PanelMember
from procurement.tenders import policies as tender_policies
from procurement.tenders.states import TenderStatus

ELECTED = "elected"
APPOINTED = "appointed"
HOW_LABELS = Labels({ELECTED: N_("成员推选"), APPOINTED: N_("采购人指定")})


def votes_needed(seated: int) -> int:
    """More than half of the seated members."""
    return seated // 2 + 1


def tally(members: list[dict[str, Any]]) -> dict[int, int]:
    """Seat id → proposals from seated members who have declared no conflict."""
    counts: dict[int, int] = {}
    for m in members:
        if m["status"] == MemberStatus.DECLARED_NO_CONFLICT and m["chair_vote"] is not None:
            counts[m["chair_vote"]] = counts.get(m["chair_vote"], 0) + 1
    return counts


def _candidate(members: list[dict[str, Any]], member_id: int) -> dict[str, Any]:
    seat = next((m for m in members if m["id"] == member_id), None)
    if seat is None:
        raise ValidationFailed(field_errors={"member_id": _("该人员不是本评标委员会的成员。")})
    if not rules.may_chair(seat["kind"]):
        raise ValidationFailed(
            field_errors={
                "member_id": _("采购人代表不得担任评标委员会组长（《政府采购货物和服务招标投标管理办法》第四十五条）。")
            }
        )
    if seat["status"] != MemberStatus.DECLARED_NO_CONFLICT:
        raise ValidationFailed(field_errors={"member_id": _("只能推选已作回避声明、仍在委员会中的评审专家担任组长。")})
    return seat


async def _open_panel(panel_id: int) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The panel (locked), its tender and its seats; refused once a chair exists or the evaluation ended."""
    await db.lock(Panel, Panel.id == panel_id)
    panel = await Panel.select().where(Panel.id == panel_id).first()
    if panel is None:
        raise NotFound(_("找不到该评标委员会。"))
    tender = await access.tender(panel["tender"])
    access.require_status(tender, TenderStatus.EVALUATING, doing=_("确定评标委员会组长"))
    members = await PanelMember.select().where(PanelMember.panel == panel_id).order_by(PanelMember.id)
    if any(m["is_chair"] and m["status"] in SEATED for m in members):
        raise Conflict(_("本评标委员会已有组长。"))
    return panel, tender, members


async def _install(
    panel: dict[str, Any], tender: dict[str, Any], seat: dict[str, Any], how: str, actor: Actor, after: dict
) -> None:
    await PanelMember.update({PanelMember.is_chair: True}).where(PanelMember.id == seat["id"])
    await Panel.update({Panel.chair_chosen_how: how, Panel.chair_chosen_at: clock.now()}).where(Panel.id == panel["id"])
    await audit.record(
        "panel.chair_chosen", "panel", panel["id"], actor=actor, after={"member_id": seat["id"], "how": how, **after}
    )
    names = await access.seated_members(panel["id"])
    chair_name = next((m["user.display_name"] for m in names if m["id"] == seat["id"]), "")
    recipients = [m["user"] for m in names if m["user"] is not None] + await access.officers_of(tender["buyer"])
    await notify(
        "panel.chair_elected",
        recipients,
        {
            "title": tender["title"],
            "chair": chair_name,
            "how": HOW_LABELS[how],
            "link": f"/review/panels/{panel['id']}",
        },
    )


async def propose(user: CurrentUser, panel_id: int, member_id: int) -> bool:
    """A declared member proposes a declared expert as chair (推选组长); a proposal may be
    changed until a chair exists. Returns whether the proposal made a chair."""
    async with db.transaction():
        panel, tender, members = await _open_panel(panel_id)
        mine = next(
            (m for m in reversed(members) if m["user"] == user.id),
            None,
        )
        actor = policies.declared_member(user, mine).acting(user)
        assert mine is not None  # declared_member refuses without a seat
        seat = _candidate(members, member_id)
        await PanelMember.update({PanelMember.chair_vote: seat["id"]}).where(PanelMember.id == mine["id"])
        await audit.record("panel.chair_proposed", "panel", panel_id, actor=actor, after={"member_id": seat["id"]})
        members = [{**m, "chair_vote": seat["id"]} if m["id"] == mine["id"] else m for m in members]
        return await _elect_if_agreed(panel, tender, members, actor)


async def _elect_if_agreed(
    panel: dict[str, Any], tender: dict[str, Any], members: list[dict[str, Any]], actor: Actor
) -> bool:
    seated = [m for m in members if m["status"] in SEATED]
    counts = tally(seated)
    needed = votes_needed(len(seated))
    winner = next((seat_id for seat_id, n in counts.items() if n >= needed), None)
    if winner is None:
        return False
    seat = next(m for m in seated if m["id"] == winner)
    await _install(panel, tender, seat, ELECTED, actor, {"votes": counts[winner], "seated": len(seated)})
    return True


async def appoint(user: CurrentUser, tender_id: int, member_id: int) -> None:
    """The buyer's officer appoints a declared expert when the members have not agreed."""
    async with db.transaction():
        row = await Panel.select(Panel.id).where(Panel.tender == tender_id).first()
        if row is None:
            raise NotFound(_("本项目尚未抽取评标委员会。"))
        panel, tender, members = await _open_panel(row["id"])
        actor = tender_policies.buyer_officer(user, tender, _("指定评标委员会组长")).acting(user)
        seat = _candidate(members, member_id)
        await _install(panel, tender, seat, APPOINTED, actor, {})


async def seat_left(panel_id: int, seat: dict[str, Any]) -> None:
    """A seat left the panel: its proposal and the proposals for it lapse; a chair's place is open."""
    await PanelMember.update({PanelMember.chair_vote: None}).where(
        (PanelMember.panel == panel_id) & ((PanelMember.chair_vote == seat["id"]) | (PanelMember.id == seat["id"]))
    )
    if seat["is_chair"]:
        await Panel.update({Panel.chair_chosen_how: "", Panel.chair_chosen_at: None}).where(Panel.id == panel_id)
