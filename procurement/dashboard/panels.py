"""An expert's to-do list, seat by seat, in rule 41's order: the 回避声明, the chair's
election, the chair's 符合性审查, the scoring of the responsive bids, the report."""

from __future__ import annotations

import json
from typing import Any

from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.core import clock, prepared
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.dashboard.schemas import TodoEntry, TodoItem
from procurement.dashboard.todo import IN_EVALUATION, item, late
from procurement.evaluation.states import MemberStatus, SheetStatus
from procurement.evaluation.tables import PanelMember, ScoreSheet
from procurement.tenders.schemas import EvaluationMethod


async def _seats(user: CurrentUser) -> list[dict[str, Any]]:
    """The expert's current seats: one per panel (a re-drawn seat replaces the old one),
    on tenders still in evaluation whose report is not yet delivered."""
    rows = await prepared.run(
        lambda user_id: (
            PanelMember.select(
                PanelMember.id,
                PanelMember.panel,
                PanelMember.status,
                PanelMember.is_chair,
                PanelMember.chair_vote,
                PanelMember.panel.tender,
                PanelMember.panel.round,
                PanelMember.panel.scoring_ended_at,
                PanelMember.panel.report_due_on,
                PanelMember.panel.report_delivered_at,
                PanelMember.panel._.tender._.title,
                PanelMember.panel._.tender._.status,
                PanelMember.panel._.tender._.evaluation_scheme,
            )
            .where(PanelMember.user == user_id)
            .order_by(PanelMember.id, ascending=False)
        ),
        user.id,
    )
    current, seen = [], set()
    for seat in rows:
        if seat["panel"] in seen:
            continue
        seen.add(seat["panel"])
        if seat["panel.tender.status"] in IN_EVALUATION and seat["panel.report_delivered_at"] is None:
            current.append(seat)
    return current


async def expert(user: CurrentUser) -> list[TodoItem | None]:
    """Rule 41's order on a panel: declare (回避声明), elect the chair, the chair records the
    符合性审查, every member scores the responsive bids, the chair delivers the report."""
    seats = await _seats(user)
    declared = [s for s in seats if s["status"] == MemberStatus.DECLARED_NO_CONFLICT]
    chaired: set[int] = set()
    bids: dict[int, dict[str, set[int]]] = {}
    done: dict[int, set[int]] = {}
    if declared:
        panels = [s["panel"] for s in declared]
        chaired = {
            r["panel"]
            for r in await PanelMember.select(PanelMember.panel).where(
                PanelMember.panel.is_in(panels) & (PanelMember.is_chair == True)
            )
        }
        for b in await Bid.select(Bid.id, Bid.tender, Bid.status).where(
            Bid.tender.is_in([s["panel.tender"] for s in declared])
            & Bid.status.is_in([BidStatus.QUALIFIED, BidStatus.RESPONSIVE])
        ):
            bids.setdefault(b["tender"], {}).setdefault(b["status"], set()).add(b["id"])
        rounds = {s["id"]: s["panel.round"] for s in declared}
        for sheet in await ScoreSheet.select(ScoreSheet.member, ScoreSheet.bid, ScoreSheet.round).where(
            ScoreSheet.member.is_in(list(rounds)) & (ScoreSheet.status == SheetStatus.SUBMITTED)
        ):
            if sheet["round"] == rounds[sheet["member"]]:
                done.setdefault(sheet["member"], set()).add(sheet["bid"])

    def entry(seat: dict[str, Any], note: str, badge: str, anchor: str = "", **kw: Any) -> TodoEntry:
        return TodoEntry(
            title=seat["panel.tender.title"],
            link=f"/review/panels/{seat['panel']}{anchor}",
            note=note,
            badge=badge,
            **kw,
        )

    declare = [
        entry(s, _("请先作回避声明；声明前看不到任何投标文件"), _("待声明"))
        for s in seats
        if s["status"] == MemberStatus.DRAWN
    ]
    elect = [
        entry(s, _("请推选一名评审专家担任组长"), _("推选组长"))
        for s in declared
        if s["panel"] not in chaired and s["chair_vote"] is None
    ]
    comply = [
        entry(
            s,
            _("{n} 份投标待记录符合性审查结论").format(n=len(waiting)),
            _("组长"),
            "#bids",
        )
        for s in declared
        if s["is_chair"] and (waiting := bids.get(s["panel.tender"], {}).get(BidStatus.QUALIFIED, set()))
    ]
    score = []
    for s in declared:
        scheme = json.loads(s["panel.tender.evaluation_scheme"] or "{}")
        if s["panel.scoring_ended_at"] is not None or scheme.get("method") == EvaluationMethod.LOWEST_PRICE:
            continue  # nothing left to score, or the lowest-price method needs no sheets
        responsive = bids.get(s["panel.tender"], {}).get(BidStatus.RESPONSIVE, set())
        left = len(responsive - done.get(s["id"], set()))
        if left:
            score.append(
                entry(
                    s,
                    _("还有 {left} 份投标待评分（共 {total} 份）").format(left=left, total=len(responsive)),
                    _("评分中"),
                    "#bids",
                )
            )
    today = clock.today_local()
    report = [
        entry(
            s,
            _("全部评分已提交，请预览评审报告草稿，核对后提交"),
            _("组长"),
            when_label=_("报告应送达"),
            on=s["panel.report_due_on"],
            urgent=late(s["panel.report_due_on"], today),
        )
        for s in declared
        if s["is_chair"] and s["panel.scoring_ended_at"] is not None
    ]
    mine = _("我的评审")
    return [
        item(
            "declarations",
            _("待作回避声明的评审"),
            declare,
            empty=_("没有待作的回避声明。"),
            hint=_("与投标人有利害关系的，应当回避（《政府采购法实施条例》第九条）。") if declare else "",
            link="/review",
            link_label=mine,
        ),
        item(
            "chair",
            _("待推选组长的评标委员会"),
            elect,
            empty=_("没有待推选组长的评标委员会。"),
            hint=_(
                "评标委员会成员应当推选组长，采购人代表不得担任组长（《政府采购货物和服务招标投标管理办法》第四十五条）。"
            )
            if elect
            else "",
            link="/review",
            link_label=mine,
        ),
        item(
            "compliance",
            _("待记录的符合性审查"),
            comply,
            empty=_("没有待记录的符合性审查。"),
            hint=_(
                "评标委员会对通过资格审查的投标进行符合性审查，未通过的不参加评分（《政府采购货物和服务招标投标管理办法》第五十条）。"
            )
            if comply
            else "",
            link="/review",
            link_label=mine,
        ),
        item("scoring", _("待评分的投标"), score, empty=_("没有待评分的投标。"), link="/review", link_label=mine),
        item(
            "report", _("待提交的评审报告"), report, empty=_("没有待提交的评审报告。"), link="/review", link_label=mine
        ),
    ]
