"""The law's order of review after the opening (rule 41), and the
abnormally-low-price gate (rules 18, 23).

1. 资格审查 by the buyer (87号令第四十四条): right after the opening and before
   any panel exists, the buyer's officer records each opened bid as qualified or
   not, with a reason. When fewer than the minimum qualify (3; 2 for 磋商 of
   services, rule 11) there is no evaluation: the tender fails (rule 18).
2. 符合性审查 by the panel (87号令第五十条): the panel decides whether each
   qualified bid responds to the substantive requirements; its chair records
   the conclusion, with a reason for each bid that does not. Those are not
   scored; too few left → 废标.
3. Once a lot's review is complete, responsive bids more than the configured
   margin below the average price are flagged: the bidder explains in writing
   and the chair decides; a refused explanation makes the bid invalid (rule 23).
"""

from __future__ import annotations

from typing import Any

from procurement.bids import policies as bid_policies
from procurement.bids import rules as bid_rules
from procurement.bids import services as bids
from procurement.bids.states import BID_TABLE, BidStatus
from procurement.bids.tables import Bid
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.evaluation import access, policies, scoring
from procurement.evaluation.schemas import BidReviewOut
from procurement.evaluation.tables import BidReview
from procurement.settings import get_settings
from procurement.tenders import policies as tender_policies
from procurement.tenders import services as tenders
from procurement.tenders.states import TenderStatus

IN_REVIEW = [
    BidStatus.OPENED,
    BidStatus.QUALIFIED,
    BidStatus.DISQUALIFIED,
    BidStatus.RESPONSIVE,
    BidStatus.NONRESPONSIVE,
]
STILL_IN = [BidStatus.OPENED, BidStatus.QUALIFIED, BidStatus.RESPONSIVE]
UNDER_REVIEW = (BidStatus.OPENED, BidStatus.QUALIFIED)  # a result is still to come
OUT = (BidStatus.DISQUALIFIED, BidStatus.NONRESPONSIVE)


async def _bid(bid_id: int) -> dict[str, Any]:
    row = (
        await Bid.select(*Bid.all_columns(exclude=[Bid.draft]), Bid.organization.name, Bid.lot.name)
        .where(Bid.id == bid_id)
        .first()
    )
    if row is None or row["status"] not in IN_REVIEW:
        raise NotFound(_("找不到该投标，或该投标未参加开标。"))
    return row


async def _review_row(bid: dict[str, Any]) -> dict[str, Any]:
    row = await BidReview.select().where(BidReview.bid == bid["id"]).first()
    if row is None:
        await BidReview.insert(BidReview(bid=bid["id"], tender=bid["tender"]))
        row = await BidReview.select().where(BidReview.bid == bid["id"]).first()
        assert row is not None  # just inserted
    return row


async def low_price_flags(tender_id: int) -> set[int]:
    """Rule 23: responsive bids priced more than the margin below their lot's average.
    Judged once a lot has no bid left awaiting its 资格 or 符合性 review. Not for 公益创投 requests
    or a price fixed by the buyer: there is no price competition there."""
    tender = await access.tender(tender_id)
    if access.is_venture(tender) or access.scheme_of(tender).price_fixed:
        return set()  # a grant request, or a price the buyer fixed, is not a competing price
    prices = await access.opened_prices(tender_id)
    bids = await Bid.select(Bid.id, Bid.lot, Bid.status).where((Bid.tender == tender_id) & Bid.status.is_in(STILL_IN))
    margin = get_settings().abnormal_low_margin_percent
    flagged: set[int] = set()
    for lot in {b["lot"] for b in bids}:
        in_lot = [b for b in bids if b["lot"] == lot]
        if any(b["status"] in UNDER_REVIEW for b in in_lot):
            continue  # review not finished: the average is not known yet
        flagged |= scoring.abnormally_low({b["id"]: prices.get(b["id"], 0) for b in in_lot}, margin)
    return flagged


def low_price_status(flagged: bool, review: dict[str, Any] | None) -> str:
    if not flagged:
        return "none"
    if review is None or not review["explanation"]:
        return "awaiting_explanation"
    if review["explanation_accepted"] is None:
        return "awaiting_decision"
    return "accepted" if review["explanation_accepted"] else "rejected"


async def list_reviews(user: CurrentUser, tender_id: int) -> list[BidReviewOut]:
    """Every opened bid with its review result: the buyer's staff and declared panel members."""
    tender = await access.tender(tender_id)
    if not policies.progress_reader(user, tender):
        panel = await access.panel(tender_id)
        await access.declared_member(user, panel["id"])
    return await reviews(tender_id)


async def reviews(tender_id: int, *, flags: set[int] | None = None) -> list[BidReviewOut]:
    """Every opened bid with its review row (no access check: callers check)."""
    prices = await access.opened_prices(tender_id)
    bids = (
        await Bid.select(Bid.id, Bid.organization, Bid.organization.name, Bid.lot, Bid.lot.name, Bid.status)
        .where((Bid.tender == tender_id) & Bid.status.is_in(IN_REVIEW))
        .order_by(Bid.id)
    )
    rows = {r["bid"]: r for r in await BidReview.select().where(BidReview.tender == tender_id)}
    if flags is None:
        flags = await low_price_flags(tender_id)
    out = []
    for b in bids:
        r = rows.get(b["id"])
        out.append(
            BidReviewOut(
                bid_id=b["id"],
                organization_id=b["organization"],
                organization_name=b["organization.name"],
                lot_id=b["lot"],
                lot_name=b["lot.name"],
                amount_fen=prices.get(b["id"], 0),
                amount=format_yuan(prices.get(b["id"], 0)),
                status=b["status"],
                status_label=BID_TABLE.staff_label(b["status"]),
                passed=r["passed"] if r else None,
                reason=r["reason"] if r else "",
                responsive=r["responsive"] if r else None,
                responsive_reason=r["responsive_reason"] if r else "",
                low_price_flagged=b["id"] in flags,
                explanation=r["explanation"] if r else "",
                explanation_accepted=r["explanation_accepted"] if r else None,
                explanation_decision=r["explanation_decision"] if r else "",
            )
        )
    return out


async def own_review(user: CurrentUser, bid_id: int) -> BidReviewOut | None:
    """A bidder's own review row: its result and whether its price is flagged (rule 23).
    None while the bid has not been opened for review."""
    bid = await Bid.select(Bid.id, Bid.tender, Bid.organization, Bid.status).where(Bid.id == bid_id).first()
    if bid is None or user.organization_id != bid["organization"]:
        raise NotFound(_("找不到该投标。"))
    if bid["status"] not in IN_REVIEW:
        return None
    return next((r for r in await reviews(bid["tender"]) if r.bid_id == bid_id), None)


async def _fail_if_too_few(tender: dict[str, Any], trigger: Actor, stage: str) -> bool:
    """Rule 18: fewer than the minimum bids left in every lot → 废标. The law fails
    the tender, so the system does, naming whose decision left too few."""
    minimum = bid_rules.minimum_bids(tender["method"])
    lots = await access.lots(tender["id"])
    still = await Bid.select(Bid.lot).where((Bid.tender == tender["id"]) & Bid.status.is_in(STILL_IN))
    counts = {lot_id: 0 for lot_id in lots}
    for b in still:
        counts[b["lot"]] += 1
    if all(n < minimum for n in counts.values()):
        left = sum(counts.values())
        await tenders.fail_tender(
            tender,
            _(
                "经{stage}，有效投标（申报）仅剩 {left} 家，不足 {minimum} 家，依法予以废标（《政府采购法》第三十六条）。"
            ).format(stage=stage, left=left, minimum=minimum),
            SYSTEM,
            audit_extra={"valid_bids": left, "minimum": minimum, "triggered_by": trigger.label},
        )
        return True
    return False


async def _notify_flagged(tender: dict[str, Any], lot_id: int) -> None:
    """When a lot's review completes, ask each flagged bidder for a written explanation (rule 23)."""
    in_lot = await Bid.select(Bid.id, Bid.organization, Bid.status).where(
        (Bid.tender == tender["id"]) & (Bid.lot == lot_id) & Bid.status.is_in(STILL_IN)
    )
    if any(b["status"] in UNDER_REVIEW for b in in_lot):
        return
    flags = await low_price_flags(tender["id"])
    for b in in_lot:
        if b["id"] in flags:
            await notify(
                "bid.low_price_explanation",
                await access.members_of(b["organization"]),
                {
                    "title": tender["title"],
                    "margin": get_settings().abnormal_low_margin_percent,
                    "link": f"/bids/{b['id']}/explanation",
                },
            )


async def qualify_bid(user: CurrentUser, bid_id: int, passed: bool, reason: str) -> list[BidReviewOut]:
    """Record one opened bid's 资格审查 (the buyer's officer, after the opening and
    before the panel: rule 41). A failed bid is out; too few left → 废标 (rule 18).
    When the last bid is reviewed, each bidder is told its own result."""
    reason = reason.strip()
    if not passed and len(reason) < 2:
        raise ValidationFailed(
            field_errors={"reason": _("资格审查不通过时必须写明理由（例如缺少的资格证明文件或不符合的资格条件）。")}
        )
    async with db.transaction():
        bid = await _bid(bid_id)
        tender = await access.tender(bid["tender"], lock=True)
        actor = tender_policies.buyer_officer(user, tender, _("记录资格审查结果")).acting(user)
        access.require_status(
            tender,
            TenderStatus.OPENED,
            doing=_(
                "记录资格审查结果（资格审查由采购人在开标后、评标委员会评审前进行，"
                "《政府采购货物和服务招标投标管理办法》第四十四条）"
            ),
        )
        bid = await _bid(bid_id)  # fresh under the lock
        text = reason or _("符合招标文件规定的资格条件。")
        await bids.record_qualification(bid, passed, actor, reason=text)
        await _review_row(bid)
        await BidReview.update(
            {
                BidReview.passed: passed,
                BidReview.reason: text,
                BidReview.reviewed_by: user.id,
                BidReview.reviewed_at: clock.now(),
            }
        ).where(BidReview.bid == bid_id)
        failed = not passed and await _fail_if_too_few(tender, actor, _("资格审查"))
        if not await Bid.exists().where((Bid.tender == tender["id"]) & (Bid.status == BidStatus.OPENED)):
            await _tell_qualification_results(tender, failed)
    return await reviews(bid["tender"])


async def qualification_complete(tender_id: int) -> bool:
    """Every opened bid has its 资格审查 result (the panel may be drawn: rule 41)."""
    return not await Bid.exists().where((Bid.tender == tender_id) & (Bid.status == BidStatus.OPENED))


async def _tell_qualification_results(tender: dict[str, Any], failed: bool) -> None:
    """Each bidder learns its own 资格审查 result, with the reason when it failed."""
    rows = await Bid.select(Bid.id, Bid.organization, Bid.status).where(
        (Bid.tender == tender["id"]) & Bid.status.is_in([BidStatus.QUALIFIED, BidStatus.DISQUALIFIED])
    )
    reasons = {r["bid"]: r["reason"] for r in await BidReview.select().where(BidReview.tender == tender["id"])}
    for b in rows:
        passed = b["status"] == BidStatus.QUALIFIED
        if passed:
            result, then = _("通过。"), _("将进入评标委员会的符合性审查和评审。")
        else:
            result = _("未通过。理由：{reason}。").format(reason=reasons.get(b["id"], "").rstrip("。"))
            then = _("您的投标无效，不进入评审。")
        await notify(
            "bid.qualification_result",
            await access.members_of(b["organization"]),
            {
                "title": tender["title"],
                "result": result,
                "next": _("本项目因有效投标不足已废标，投标保证金将在 5 个工作日内退还。") if failed else then,
                "link": f"/org/bids/{b['id']}",
            },
        )


async def record_compliance(user: CurrentUser, bid_id: int, responsive: bool, reason: str) -> list[BidReviewOut]:
    """Record the panel's 符合性审查 conclusion on one qualified bid (rule 41): the
    chair records it, with a reason when the bid does not respond to a substantive
    requirement. A failed bid is not scored; too few left → 废标 (rule 18)."""
    reason = reason.strip()
    if not responsive and len(reason) < 2:
        raise ValidationFailed(
            field_errors={
                "reason": _("符合性审查不通过时必须写明未响应的实质性要求（例如服务期限、服务内容或付款方式）。")
            }
        )
    async with db.transaction():
        bid = await _bid(bid_id)
        tender = await access.tender(bid["tender"], lock=True)
        panel = await access.panel(bid["tender"])
        seat = await access.chair(user, panel["id"])
        actor = policies.chair(user, seat).acting(user)
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("记录符合性审查结果"))
        if panel["report_delivered_at"] is not None:
            raise Conflict(_("评审报告已提交，不能再修改符合性审查结果。"))
        bid = await _bid(bid_id)  # fresh under the lock
        if bid["status"] != BidStatus.QUALIFIED:
            raise Conflict(
                _("只有通过资格审查、尚未作符合性审查的投标可以记录符合性审查结果；该投标当前为「{label}」。").format(
                    label=BID_TABLE.staff_label(bid["status"])
                )
            )
        text = reason or _("实质性响应招标文件的要求。")
        await bids.record_compliance(bid, responsive, actor, reason=text)
        await _review_row(bid)
        await BidReview.update(
            {
                BidReview.responsive: responsive,
                BidReview.responsive_reason: text,
                BidReview.responsive_by: user.id,
                BidReview.responsive_at: clock.now(),
            }
        ).where(BidReview.bid == bid_id)
        failed = not responsive and await _fail_if_too_few(tender, actor, _("符合性审查"))
        if not failed:
            await _notify_flagged(tender, bid["lot"])
    return await reviews(bid["tender"])


async def explain_low_price(user: CurrentUser, bid_id: int, explanation: str) -> list[BidReviewOut]:
    """The bidder's written explanation of a flagged price (rule 23); it may be
    revised until the panel decides."""
    async with db.transaction():
        bid = await _bid(bid_id)
        if not bid_policies.bid_owner(user, bid):
            raise PermissionDenied(_("只有投标机构本身可以就自己的报价作书面说明。"))
        tender = await access.tender(bid["tender"], lock=True)
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("提交报价说明"))
        if bid_id not in await low_price_flags(bid["tender"]):
            raise Conflict(_("您的报价未被提示为异常低价，无需说明。"))
        review = await _review_row(bid)
        if review["explanation_accepted"] is not None:
            raise Conflict(_("评标委员会已就您的说明作出决定，不能再修改。"))
        await BidReview.update(
            {BidReview.explanation: explanation, BidReview.explained_by: user.id, BidReview.explained_at: clock.now()}
        ).where(BidReview.bid == bid_id)
        await audit.record(
            "bid.low_price_explained", "bid", bid_id, actor=actor_of(user), after={"explanation": explanation}
        )
    return [r for r in await reviews(bid["tender"]) if r.bid_id == bid_id]


async def decide_low_price(user: CurrentUser, bid_id: int, accepted: bool, note: str) -> list[BidReviewOut]:
    """The panel chair accepts the explanation, or the bid is invalid (rule 23)."""
    async with db.transaction():
        bid = await _bid(bid_id)
        tender = await access.tender(bid["tender"], lock=True)
        panel = await access.panel(bid["tender"])
        seat = await access.chair(user, panel["id"])
        actor = policies.chair(user, seat).acting(user)
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("认定异常低价"))
        if bid_id not in await low_price_flags(bid["tender"]):
            raise Conflict(_("该投标未被提示为异常低价。"))
        review = await _review_row(bid)
        if not review["explanation"]:
            raise Conflict(
                _(
                    "投标人尚未提交书面说明；收到说明前评标委员会不能认可该投标（《政府采购货物和服务招标投标管理办法》第六十条）。"
                )
            )
        if review["explanation_accepted"] is not None:
            raise Conflict(_("评标委员会已经作出决定。"))
        now = clock.now()
        await BidReview.update(
            {
                BidReview.explanation_accepted: accepted,
                BidReview.explanation_decision: note,
                BidReview.explanation_decided_by: user.id,
                BidReview.explanation_decided_at: now,
            }
        ).where((BidReview.bid == bid_id) & BidReview.explanation_accepted.is_null())
        await audit.record(
            "bid.low_price_decided", "bid", bid_id, actor=actor, after={"accepted": accepted, "note": note}
        )
        if not accepted:
            await bids.reject_low_price(bid, actor, note=note)
            await BidReview.update(
                {
                    BidReview.passed: False,
                    BidReview.reason: _(
                        "异常低价未获评标委员会认可：{note}（《政府采购货物和服务招标投标管理办法》第六十条）"
                    ).format(note=note),
                }
            ).where(BidReview.bid == bid_id)
            await _fail_if_too_few(tender, actor, _("评标委员会认定异常低价"))
    return await reviews(bid["tender"])


async def declare_failure(user: CurrentUser, tender_id: int, reason: str) -> None:
    """废标 declared by the buyer during the evaluation (rule 18): every bid above the
    budget, a violation that affects fairness, or no 公益创投 project reaching the pass line."""
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        actor = tender_policies.buyer_officer(user, tender, _("宣布废标")).acting(user)
        access.require_status(tender, TenderStatus.OPENED, TenderStatus.EVALUATING, doing=_("宣布废标"))
        await tenders.fail_tender(tender, reason, actor)
