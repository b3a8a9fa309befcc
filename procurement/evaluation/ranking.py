"""Aggregation, ranking and the evaluation report's delivery (rules 22–26).

A bid's total is the mean of the members' scores per criterion plus the
computed price score; ties go by rule 24. Disagreement is shown per
criterion as a spread with 畸高畸低 members flagged, objective criteria
scored differently are flagged, and abnormally low prices wait for the
bidder's explanation and the panel's decision. The chair delivers the
report only when nothing is left open; the buyer then has 5 working days.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, PermissionDenied
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.evaluation import access, policies, review, scoring, sheets, timing
from procurement.evaluation.schemas import LotRankingOut, RankedBidOut, RankingOut, SpreadOut
from procurement.evaluation.states import SheetStatus
from procurement.evaluation.tables import BidReview, Panel, PanelMember, ScoreCorrection, ScoreSheet
from procurement.settings import get_settings
from procurement.tenders.schemas import EVALUATION_METHOD_LABELS, EvaluationMethod
from procurement.tenders.states import METHOD_LABELS, TENDER_TABLE, Method, TenderStatus

AWARD_WORKING_DAYS = 5  # rule 26: the buyer decides within 5 working days of the report


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


async def compute(tender: dict[str, Any], panel: dict[str, Any]) -> RankingOut:
    """The ranking as it stands (provisional until every sheet is in)."""
    scheme = access.scheme_of(tender)
    settings = get_settings()
    venture = access.is_venture(tender)
    prices = await access.opened_prices(tender["id"])
    lots = await access.lots(tender["id"])
    members = {m["id"]: m for m in await access.seated_members(panel["id"])}
    bids = (
        await Bid.select(Bid.id, Bid.lot, Bid.organization, Bid.organization.name, Bid.status)
        .where((Bid.tender == tender["id"]) & Bid.status.is_in(review.IN_REVIEW))
        .order_by(Bid.id)
    )
    sheet_rows = [
        r
        for r in await ScoreSheet.select().where(
            ScoreSheet.bid.is_in([b["id"] for b in bids] or [0])
            & (ScoreSheet.round == panel["round"])
            & (ScoreSheet.status == SheetStatus.SUBMITTED)
        )
        if r["member"] in members
    ]
    rule_sheets = [sheets.as_rule_sheet(r) for r in sheet_rows]
    means = scoring.criterion_means(scheme.criteria, rule_sheets)
    inconsistent = scoring.objective_inconsistencies(scheme.criteria, rule_sheets)
    spreads = scoring.spreads(scheme.criteria, rule_sheets, settings.score_outlier_percent)
    flags = await review.low_price_flags(tender["id"])
    reviews = {r["bid"]: r for r in await BidReview.select().where(BidReview.tender == tender["id"])}
    all_reviews = {r.bid_id: r for r in await review.reviews(tender["id"], flags=flags)}
    names = {m["id"]: m["user.display_name"] or _("采购人代表") for m in members.values()}
    criteria_names = {c.key: c.name for c in scheme.criteria}
    blockers: list[str] = []
    lot_out = []
    for lot in lots.values():
        in_lot = [b for b in bids if b["lot"] == lot["id"]]
        qualified = [b for b in in_lot if b["status"] == BidStatus.RESPONSIVE]  # scored (rule 41)
        base = scoring.base_price(prices[b["id"]] for b in qualified) if qualified and scheme.price_scored else None
        entries, rows = [], {}
        for b in qualified:
            bid_sheets = [r for r in sheet_rows if r["bid"] == b["id"]]
            bid_means = means.get(b["id"], {})
            price_points = scoring.price_score(base, prices[b["id"]], scheme.price_weight) if base is not None else None
            total = None
            if scheme.method == scoring.COMPREHENSIVE:
                total = scoring.bid_total(bid_means, price_points) if (bid_sheets or not scheme.uses_sheets) else None
            status = review.low_price_status(b["id"] in flags, reviews.get(b["id"]))
            recommended = None
            if venture:
                recommended = scoring.venture_recommendation(
                    [r["recommended_fen"] for r in bid_sheets if r["recommended_fen"] is not None], prices[b["id"]]
                )
            rows[b["id"]] = dict(
                bid_id=b["id"],
                organization_id=b["organization"],
                organization_name=b["organization.name"],
                amount_fen=prices[b["id"]],
                amount=format_yuan(prices[b["id"]]),
                criterion_means={k: f"{v:.2f}" for k, v in bid_means.items()},
                price_score=_fmt(price_points),
                total=_fmt(total),
                rank=None,
                joint=False,
                low_price_flagged=b["id"] in flags,
                low_price_status=status,
                inconsistent=[key for bid_id, key, _unused in inconsistent if bid_id == b["id"]],
                spreads=[
                    SpreadOut(
                        criterion_key=s.key,
                        criterion_name=criteria_names.get(s.key, s.key),
                        minimum=f"{s.minimum}",
                        maximum=f"{s.maximum}",
                        mean=f"{s.mean:.2f}",
                        spread=f"{s.spread}",
                        outliers=[names.get(m, str(m)) for m in s.outliers],
                    )
                    for s in spreads
                    if s.bid_id == b["id"]
                ],
                sheets_submitted=len(bid_sheets),
                passes=scoring.venture_passes(total, settings.venture_pass_score)
                if venture and total is not None
                else None,
                recommended_fen=recommended,
                recommended=format_yuan(recommended) if recommended is not None else None,
            )
            entries.append(scoring.RankEntry(bid_id=b["id"], total=total, price_fen=prices[b["id"]]))
            if status in ("awaiting_explanation", "awaiting_decision"):
                blockers.append(
                    _("{name}的报价明显偏低，").format(name=b["organization.name"])
                    + (_("尚待投标人书面说明") if status == "awaiting_explanation" else _("尚待评标委员会认定"))
                    + _("（《政府采购货物和服务招标投标管理办法》第六十条）。")
                )
            for key in rows[b["id"]]["inconsistent"]:
                blockers.append(
                    _(
                        "{name}的客观评审因素「{get}」各成员评分不一致，须由相关成员更正（《政府采购货物和服务招标投标管理办法》第六十四条）。"
                    ).format(name=b["organization.name"], get=criteria_names.get(key, key))
                )
        rankable = [e for e in entries if e.total is not None or scheme.method == scoring.LOWEST_PRICE]
        for ranked in scoring.rank(rankable, scheme.method):
            rows[ranked.bid_id]["rank"] = ranked.rank
            rows[ranked.bid_id]["joint"] = ranked.joint
        ordered = sorted(rows.values(), key=lambda r: (r["rank"] is None, r["rank"] or 0, r["bid_id"]))
        pending = [b for b in in_lot if b["status"] in review.UNDER_REVIEW]
        if pending:
            blockers.append(
                _("第{number}包还有 {n_pending} 份投标未完成符合性审查（由评标委员会组长记录）。").format(
                    number=lot["number"], n_pending=len(pending)
                )
            )
        lot_out.append(
            LotRankingOut(
                lot_id=lot["id"],
                lot_number=lot["number"],
                lot_name=lot["name"],
                budget_fen=lot["budget_fen"],
                base_price_fen=base,
                base_price=format_yuan(base) if base is not None else None,
                bids=[RankedBidOut(**r) for r in ordered],
                disqualified=[all_reviews[b["id"]] for b in in_lot if b["status"] in review.OUT],
            )
        )
    progress = await sheets.progress(panel, tender["id"])
    complete = await sheets.scoring_complete(panel, tender)
    for p in progress:
        if p.status == "drawn":
            blockers.append(_("{member_name}尚未作回避声明。").format(member_name=p.member_name))
        elif p.status == "declared_no_conflict" and scheme.uses_sheets and p.submitted < p.total:
            blockers.append(
                _("{member_name}已提交 {submitted}/{total} 份评分表。").format(
                    member_name=p.member_name, submitted=p.submitted, total=p.total
                )
            )
    if not any(lot.bids for lot in lot_out):
        blockers.append(_("还没有通过符合性审查、可以评分的投标。"))
    today = clock.today_local()
    overdue = (
        panel["report_delivered_at"] is None and panel["report_due_on"] is not None and today > panel["report_due_on"]
    )
    return RankingOut(
        tender_id=tender["id"],
        tender_title=tender["title"],
        reference_no=tender["reference_no"],
        method=tender["method"],
        method_label=METHOD_LABELS[Method(tender["method"])],
        evaluation_method_label=EVALUATION_METHOD_LABELS[EvaluationMethod(scheme.method)],
        status=tender["status"],
        status_label=TENDER_TABLE.staff_label(tender["status"]),
        panel_id=panel["id"],
        round=panel["round"],
        criteria=sheets.criteria_out(scheme),
        price_weight=scheme.price_weight,
        price_scored=scheme.price_scored,
        venture_pass_score=settings.venture_pass_score if venture else None,
        lots=lot_out,
        members=progress,
        complete=complete,
        blockers=blockers,
        scoring_ended_at=panel["scoring_ended_at"],
        report_due_on=panel["report_due_on"],
        report_delivered_at=panel["report_delivered_at"],
        report_overdue=overdue,
        award_due_on=panel["award_due_on"],
    )


async def _may_see(user: CurrentUser, tender: dict[str, Any], panel: dict[str, Any]) -> None:
    """Buyer staff and administrators always; a member once all their own sheets are in
    (confidentiality: nobody sees others' scores before submitting their own)."""
    if policies.progress_reader(user, tender):
        return
    member = await access.declared_member(user, panel["id"])
    if panel["report_delivered_at"] is not None or not access.scheme_of(tender).uses_sheets:
        return
    bids = await sheets.qualified_bids(tender["id"])
    mine = await ScoreSheet.count().where(
        (ScoreSheet.member == member["id"])
        & ScoreSheet.bid.is_in(bids or [0])
        & (ScoreSheet.round == panel["round"])
        & (ScoreSheet.status == SheetStatus.SUBMITTED)
    )
    if mine < len(bids):
        raise PermissionDenied(
            _("请先提交您对全部 {n_bids} 份投标的评分（已提交 {mine} 份），之后才能查看汇总和排名。").format(
                n_bids=len(bids), mine=mine
            )
        )


async def get_ranking(user: CurrentUser, tender_id: int) -> RankingOut:
    tender = await access.tender(tender_id)
    panel = await access.panel(tender_id)
    await _may_see(user, tender, panel)
    return await compute(tender, panel)


async def deliver_report(user: CurrentUser, tender_id: int) -> RankingOut:
    """The chair delivers the 评审报告 to the buyer (rule 26): every member declared and
    scored, every review and flag resolved. The buyer then has 5 working days."""
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        panel = await access.panel(tender_id)
        actor = policies.chair(user, await access.chair(user, panel["id"])).acting(user)
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("提交评审报告"))
        if panel["report_delivered_at"] is not None:
            raise Conflict(_("评审报告已经提交。"))
        ranking = await compute(tender, panel)
        if ranking.blockers or not ranking.complete:
            raise Conflict(
                _("评审尚未完成，不能提交评审报告：") + "；".join(ranking.blockers or [_("评分未全部提交。")]),
                extra={"blockers": ranking.blockers},
            )
        if not panel["report_previewed_hash"] or panel["report_previewed_hash"] != await report_fingerprint(panel):
            raise Conflict(
                _(
                    "请先预览评审报告草稿（PDF）并核对内容后再提交；预览后评分、审查结果或委员会成员又有变动的，须重新预览。"
                )
            )
        now = clock.now()
        due = get_default_calendar().add_working_days(clock.to_local(now).date(), AWARD_WORKING_DAYS)
        changed = (
            await Panel.update(
                {
                    Panel.report_delivered_at: now,
                    Panel.report_delivered_by: user.id,
                    Panel.award_due_on: due,
                    Panel.scoring_ended_at: panel["scoring_ended_at"] or now,
                }
            )
            .where((Panel.id == panel["id"]) & Panel.report_delivered_at.is_null())
            .returning(Panel.id)
        )
        if not changed:
            raise Conflict(_("评审报告已经提交。"))
        await timing.schedule(panel["id"])
        await audit.record(
            "evaluation.report_delivered",
            "panel",
            panel["id"],
            actor=actor,
            after={
                "tender_id": tender_id,
                "round": panel["round"],
                "award_due_on": due.isoformat(),
                "ranking": {str(lot.lot_id): [[b.bid_id, b.rank, b.total] for b in lot.bids] for lot in ranking.lots},
            },
        )
        officers = await access.officers_of(tender["buyer"])
        await notify(
            "evaluation.report_delivered",
            officers,
            {"title": tender["title"], "due": f"{due:%Y-%m-%d}", "link": f"/tenders/{tender_id}/evaluation"},
        )
    return await get_ranking(user, tender_id)


async def report_fingerprint(panel: dict[str, Any]) -> str:
    """A digest of everything the report is made from: the round's submitted sheets,
    their corrections, the reviews and the seats. The chair's preview records it;
    delivery requires it unchanged, so what was delivered is what was read."""
    sheet_rows = (
        await ScoreSheet.select(
            ScoreSheet.id, ScoreSheet.member, ScoreSheet.bid, ScoreSheet.scores, ScoreSheet.comments, ScoreSheet.status
        )
        .where((ScoreSheet.round == panel["round"]) & ScoreSheet.member.is_in(await _seat_ids(panel)))
        .order_by(ScoreSheet.id)
    )
    corrections = (
        await ScoreCorrection.select(ScoreCorrection.id, ScoreCorrection.sheet, ScoreCorrection.new_points)
        .where(ScoreCorrection.sheet.is_in([r["id"] for r in sheet_rows] or [0]))
        .order_by(ScoreCorrection.id)
    )
    reviews = (
        await BidReview.select(
            BidReview.bid,
            BidReview.passed,
            BidReview.responsive,
            BidReview.explanation,
            BidReview.explanation_accepted,
        )
        .where(BidReview.tender == panel["tender"])
        .order_by(BidReview.bid)
    )
    seats = (
        await PanelMember.select(PanelMember.id, PanelMember.status, PanelMember.is_chair)
        .where(PanelMember.panel == panel["id"])
        .order_by(PanelMember.id)
    )
    material = json.dumps([sheet_rows, corrections, reviews, seats], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


async def _seat_ids(panel: dict[str, Any]) -> list[int]:
    return [m["id"] for m in await PanelMember.select(PanelMember.id).where(PanelMember.panel == panel["id"])] or [0]


async def preview_current(tender_id: int) -> bool:
    """Whether the chair's last preview of the draft report shows the evaluation as it stands."""
    panel = await access.panel(tender_id)
    return bool(panel["report_previewed_hash"]) and panel["report_previewed_hash"] == await report_fingerprint(panel)


async def record_preview(panel: dict[str, Any], fingerprint: str) -> None:
    """The chair opened the draft report: remember what it was made from."""
    await Panel.update({Panel.report_previewed_hash: fingerprint}).where(
        (Panel.id == panel["id"]) & Panel.report_delivered_at.is_null()
    )


async def flag_overdue_report(panel_id: int) -> bool:
    """Rule 26: tell the buyer once when the report is past its 2-working-day
    deadline (the panel's ``next_check_at``). True if it told them now."""
    async with db.transaction():
        await db.lock(Panel, Panel.id == panel_id)
        r = (
            await Panel.select(*Panel.all_columns(), Panel.tender.title, Panel.tender.buyer)
            .where(Panel.id == panel_id)
            .first()
        )
        if (
            r is None
            or r["report_delivered_at"] is not None
            or r["report_due_on"] is None
            or r["overdue_notified_at"] is not None
            or clock.today_local() <= r["report_due_on"]
        ):
            return False
        await Panel.update({Panel.overdue_notified_at: clock.now()}).where(Panel.id == panel_id)
        officers = await access.officers_of(r["tender.buyer"])
        await notify(
            "evaluation.report_overdue",
            officers,
            {
                "title": r["tender.title"],
                "due": f"{r['report_due_on']:%Y-%m-%d}",
                "ended": f"{clock.to_local(r['scoring_ended_at']):%Y-%m-%d %H:%M}",
                "link": f"/tenders/{r['tender']}/evaluation",
            },
        )
        await audit.record(
            "evaluation.report_overdue", "panel", panel_id, actor=SYSTEM, after={"due": r["report_due_on"].isoformat()}
        )
    return True


async def _report_step(panel_id: int) -> Due:
    return Due(await flag_overdue_report(panel_id), await timing.compute(panel_id))


REPORTS_DUE = DueSweep("evaluation.report_overdue", Panel, _report_step)


async def flag_overdue_reports() -> int:
    """Sweep: tell the buyer once when a report is past its 2-working-day deadline (rule 26)."""
    return await run_due(REPORTS_DUE)
