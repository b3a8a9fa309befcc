"""定标 and its consequences (rules 13, 26, 27, 29).

The buyer chooses in rank order within 5 working days of the report; any
other choice needs a recorded reason. For 磋商 the top-ranked bid is deemed
chosen once that time passes (a sweep, and at read time). The award writes
the result notice (or the 公益创投立项公示 with its 5-working-day 公示),
schedules the losers' bid-bond refunds, and tells every bidder their own
scores and rank. Signing waits while a challenge that could change the
result is open, and while a 公示 runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from piccolo.columns.combination import Combinable

from procurement.awards import policies
from procurement.awards import rules as challenge_rules
from procurement.awards.schemas import AwardChoiceIn, AwardNoticeOut, AwardOut, MyResultOut
from procurement.awards.states import AWARD_TABLE, CHALLENGE_KIND_LABELS, AwardStatus, ChallengeStatus
from procurement.awards.tables import Award, Challenge
from procurement.bids import bonds
from procurement.bids import rules as bid_rules
from procurement.bids.tables import Bid
from procurement.core import audit, clock, db, events
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.transitions import apply_transition
from procurement.evaluation import access, ranking, timing
from procurement.evaluation import services as evaluation
from procurement.evaluation.schemas import RankedBidOut, RankingOut
from procurement.evaluation.tables import Panel
from procurement.settings import get_settings
from procurement.tenders import policies as tender_policies
from procurement.tenders import services as tenders
from procurement.tenders.states import METHOD_LABELS, Method, NoticeType, TenderStatus
from procurement.tenders.tables import Notice, Tender


def _award_out(row: dict[str, Any]) -> AwardOut:
    return AwardOut(
        id=row["id"],
        tender_id=row["tender"],
        lot_id=row["lot"],
        lot_name=row["lot.name"],
        bid_id=row["bid"],
        organization_id=row["organization"],
        organization_name=row["organization.name"],
        amount_fen=row["amount_fen"],
        amount=format_yuan(row["amount_fen"]),
        rank=row["rank"],
        total=row["total"],
        reason=row["reason"],
        status=row["status"],
        deemed=row["deemed"],
        decided_at=row["decided_at"],
        letter_no=row["letter_no"],
        challenge_until=row["challenge_until"],
        publicity_until=row["publicity_until"],
        revoked_reason=row["revoked_reason"],
        refusal_kind=row["refusal_kind"],
        replaces=row["replaces"],
    )


async def _awards(tender_id: int, *, active_only: bool = True) -> list[dict[str, Any]]:
    condition: Combinable = Award.tender == tender_id
    if active_only:
        condition &= Award.status == AwardStatus.ACTIVE
    return (
        await Award.select(*Award.all_columns(), Award.lot.name, Award.organization.name)
        .where(condition)
        .order_by(Award.lot, Award.rank, Award.id)
    )


def _check_choices(tender: dict[str, Any], board: RankingOut, choices: list[AwardChoiceIn]) -> dict[str, str]:
    """Rule 26 (and rule 13 for 公益创投): what is wrong with the buyer's choices."""
    errors: dict[str, str] = {}
    venture = access.is_venture(tender)
    lots = {lot.lot_id: lot for lot in board.lots}
    chosen: dict[int, list[tuple[AwardChoiceIn, RankedBidOut]]] = {}
    for n, choice in enumerate(choices):
        lot = lots.get(choice.lot_id)
        if lot is None:
            errors[f"choices.{n}.lot_id"] = _("该包不属于本项目。")
            continue
        entry = next((b for b in lot.bids if b.bid_id == choice.bid_id), None)
        if entry is None or entry.rank is None:
            errors[f"choices.{n}.bid_id"] = _("只能从本包通过审查并参加排名的投标中确定。")
            continue
        if any(c.bid_id == choice.bid_id for c, _unused in chosen.get(lot.lot_id, [])):
            errors[f"choices.{n}.bid_id"] = _("同一投标只能选择一次。")
            continue
        if venture:
            if not entry.passes:
                errors[f"choices.{n}.bid_id"] = _(
                    "{organization_name}得分 {total}，未达到立项分数线 {venture_pass_score} 分，不能立项。"
                ).format(
                    organization_name=entry.organization_name,
                    total=entry.total,
                    venture_pass_score=board.venture_pass_score,
                )
            amount = choice.amount_fen if choice.amount_fen is not None else entry.recommended_fen
            if amount is None or amount <= 0 or amount > (entry.recommended_fen or 0):
                errors[f"choices.{n}.amount_fen"] = _(
                    "资助金额不得超过评标委员会建议额 {format_yuan}（建议额不超过申请额）。"
                ).format(format_yuan=format_yuan(entry.recommended_fen or 0))
        elif choice.amount_fen is not None and choice.amount_fen != entry.amount_fen:
            errors[f"choices.{n}.amount_fen"] = _("中标金额即其投标报价 {amount}，不能另行设定。").format(
                amount=entry.amount
            )
        chosen.setdefault(lot.lot_id, []).append((choice, entry))
    minimum = bid_rules.minimum_bids(tender["method"])
    for lot in board.lots:
        ranked = [b for b in lot.bids if b.rank is not None]
        picks = chosen.get(lot.lot_id, [])
        if len(ranked) < minimum:
            if picks:
                errors[f"lot.{lot.lot_id}"] = _(
                    "第{lot_number}包有效投标仅 {n_ranked} 家，不足 {minimum} 家，该包废标，不能定标（《政府采购法》第三十六条）。"
                ).format(lot_number=lot.lot_number, n_ranked=len(ranked), minimum=minimum)
            continue
        if not picks and venture and not any(b.passes for b in ranked):
            continue  # nothing reached the pass line: no project of this lot is funded
        if not picks:
            errors[f"lot.{lot.lot_id}"] = _("请为第{lot_number}包「{lot_name}」确定中标（成交）供应商。").format(
                lot_number=lot.lot_number, lot_name=lot.lot_name
            )
            continue
        if not venture and len(picks) > 1:
            errors[f"lot.{lot.lot_id}"] = _("第{lot_number}包只能确定一家中标（成交）供应商。").format(
                lot_number=lot.lot_number
            )
            continue
        picked_ids = {c.bid_id for c, _unused in picks}
        eligible = [b for b in ranked if (b.passes if venture else True)]
        for choice, entry in picks:
            assert entry.rank is not None  # only ranked bids are picked (checked above)
            skipped = [b for b in eligible if b.rank is not None and b.rank < entry.rank and b.bid_id not in picked_ids]
            if skipped and len(choice.reason.strip()) < 4:
                names = "、".join(b.organization_name for b in skipped)
                key = f"choices.{choices.index(choice)}.reason"
                errors[key] = _(
                    "{organization_name}排名第 {rank} 名，排在其前的{names}未被选择：不按排名顺序确定须记录理由（《政府采购法实施条例》第四十三条）。"
                ).format(organization_name=entry.organization_name, rank=entry.rank, names=names)
        if venture:
            total = sum((c.amount_fen if c.amount_fen is not None else e.recommended_fen or 0) for c, e in picks)
            if total > lot.budget_fen:
                errors[f"lot.{lot.lot_id}"] = _("资助总额 {format_yuan} 超过资金预算 {format_yuan2}。").format(
                    format_yuan=format_yuan(total), format_yuan2=format_yuan(lot.budget_fen)
                )
    return errors


def _notice_text(
    tender: dict[str, Any],
    board: RankingOut,
    awards: list[dict[str, Any]],
    panel_names: list[str],
    challenge_until: date,
    publicity_until: date | None,
    deemed: bool,
) -> str:
    venture = access.is_venture(tender)
    lines = [
        _("项目编号：{reference_no}").format(reference_no=tender["reference_no"]),
        _("项目名称：{title}").format(title=tender["title"]),
        _("采购人：{name}").format(name=tender["buyer.name"]),
        _("采购方式：{method}").format(method=METHOD_LABELS[Method(tender["method"])]),
        _("评审方法：{evaluation_method_label}").format(evaluation_method_label=board.evaluation_method_label),
        "",
    ]
    lines.append(_("一、立项项目") if venture else _("一、中标（成交）结果"))
    for a in awards:
        lines.append(
            _("第{lot_number}包 {lot}：{organization}，{amount_kind} {amount}").format(
                lot_number=next(lot.lot_number for lot in board.lots if lot.lot_id == a["lot"]),
                lot=a["lot.name"],
                organization=a["organization.name"],
                amount_kind=_("资助金额") if venture else _("中标（成交）金额"),
                amount=format_yuan(a["amount_fen"]),
            )
            + (_("，综合得分 {total}").format(total=a["total"]) if a["total"] else "")
            + _("，排名第 {rank} 名。").format(rank=a["rank"])
        )
    awarded_lots = {a["lot"] for a in awards}
    minimum = bid_rules.minimum_bids(tender["method"])
    for lot in board.lots:
        if lot.lot_id not in awarded_lots:
            valid = len([b for b in lot.bids if b.rank is not None])
            lines.append(
                _("第{lot_number}包 {lot_name}：").format(lot_number=lot.lot_number, lot_name=lot.lot_name)
                + (
                    _("有效投标 {valid} 家，不足 {minimum} 家，该包废标，将另行组织采购。").format(
                        valid=valid, minimum=minimum
                    )
                    if valid < minimum
                    else _("无项目达到立项分数线，不予立项。")
                    if venture
                    else _("未确定中标（成交）供应商。")
                )
            )
    if deemed:
        lines.append(_("采购人未在评审报告送达后 5 个工作日内确定成交供应商，依法视为确定排名第一的供应商。"))
    lines += ["", _("二、评审得分与排名")]
    for lot in board.lots:
        for b in lot.bids:
            score = (
                _("得分 {total}").format(total=b.total)
                if b.total is not None
                else _("评审价格 {amount}").format(amount=b.amount)
            )
            joint = _("（并列）") if b.joint else ""
            lines.append(
                _("第{lot_number}包 第 {rank} 名{joint}：{organization_name}，{score}，").format(
                    lot_number=lot.lot_number,
                    rank=b.rank,
                    joint=joint,
                    organization_name=b.organization_name,
                    score=score,
                )
                + (_("申请资助") if venture else _("报价"))
                + f" {b.amount}"
            )
        for d in lot.disqualified:
            lines.append(
                _("第{lot_number}包 未通过审查：{organization_name}（{reason}）").format(
                    lot_number=lot.lot_number, organization_name=d.organization_name, reason=d.reason
                )
            )
    lines += ["", _("三、评审委员会成员"), "、".join(panel_names), ""]
    if venture and publicity_until is not None:
        lines += [
            _("四、公示期"),
            _(
                "自公告之日起 5 个工作日，至 {publicity_until:%Y年%m月%d日} 止。公示期内对立项结果有异议的，可通过平台提出质疑。"
            ).format(publicity_until=publicity_until),
            "",
        ]
    lines += [
        _("五、质疑") if venture else _("四、质疑"),
        (
            _(
                "参加本项目的供应商认为本结果使自己的权益受到损害的，可在 {challenge_until:%Y年%m月%d日} 前通过平台以书面形式提出质疑。"
            )
            if venture
            else _(
                "参加本项目的供应商认为本结果使自己的权益受到损害的，可在 {challenge_until:%Y年%m月%d日} 前（结果公告期限 1 个工作日届满之日起 7 个工作日内）通过平台以书面形式提出质疑。"
            )
        ).format(challenge_until=challenge_until),
    ]
    return "\n".join(lines)


async def _apply_award(
    tender: dict[str, Any],
    panel: dict[str, Any],
    board: RankingOut,
    picks: list[dict[str, Any]],
    actor: Actor,
    decided_by: int | None,
    deemed: bool,
) -> None:
    """Write the awards, move the tender (through tenders), publish the notice,
    schedule refunds, tell everyone."""
    now = clock.now()
    today = clock.to_local(now).date()
    calendar = get_default_calendar()
    challenge_until = challenge_rules.result_last_day(today, calendar)  # rule 27: from the end of the notice period
    venture = access.is_venture(tender)
    publicity_until = (
        calendar.add_working_days(today, get_settings().venture_publicity_working_days) if venture else None
    )
    previous = await Award.count().where(Award.tender == tender["id"])
    ids = []
    for n, p in enumerate(picks, start=previous + 1):
        row = (
            await Award.insert(
                Award(
                    tender=tender["id"],
                    lot=p["lot_id"],
                    bid=p["bid_id"],
                    organization=p["organization_id"],
                    amount_fen=p["amount_fen"],
                    rank=p["rank"],
                    total=p["total"] or "",
                    reason=p["reason"],
                    status=AwardStatus.ACTIVE,
                    deemed=deemed,
                    decided_by=decided_by,
                    decided_at=now,
                    letter_no=f"ZB-{tender['reference_no']}-{n:02d}",
                    challenge_until=challenge_until,
                    publicity_until=publicity_until,
                )
            ).returning(Award.id)
        )[0]
        ids.append(row["id"])
    awards = await Award.select(*Award.all_columns(), Award.lot.name, Award.organization.name).where(
        Award.id.is_in(ids)
    )
    members = await access.seated_members(panel["id"])
    panel_names = [m["user.display_name"] or _("采购人代表") for m in members]
    title = (_("{title}公益创投立项公示") if venture else _("{title}中标（成交）结果公告")).format(
        title=tender["title"]
    )
    text = _notice_text(tender, board, awards, panel_names, challenge_until, publicity_until, deemed)
    notice = await tenders.publish_notice(tender, NoticeType.RESULT, title, text)
    await Award.update({Award.notice: notice, Award.next_check_at: _next_check(publicity_until)}).where(
        Award.id.is_in(ids)
    )
    winners = {a["organization"] for a in awards}
    await bonds.schedule_refunds_after_award(tender["id"], winners, today)
    await tenders.mark_awarded(
        tender,
        actor,
        deemed=deemed,
        after={
            "awards": [
                {
                    "bid_id": p["bid_id"],
                    "lot_id": p["lot_id"],
                    "amount_fen": p["amount_fen"],
                    "rank": p["rank"],
                    "reason": p["reason"],
                }
                for p in picks
            ],
            "notice_id": notice,
            "challenge_until": challenge_until.isoformat(),
        },
    )
    await _tell_bidders(tender, board, awards, challenge_until)


async def _tell_bidders(
    tender: dict[str, Any], board: RankingOut, awards: list[dict[str, Any]], challenge_until: date
) -> None:
    """Award notice to winners, result letters to the others (their own score and rank)."""
    won = {a["bid"]: a for a in awards}
    for lot in board.lots:
        for b in lot.bids:
            users = await access.members_of(b.organization_id)
            if b.bid_id in won:
                await notify(
                    "award.won",
                    users,
                    {
                        "title": tender["title"],
                        "org_name": b.organization_name,
                        "amount": format_yuan(won[b.bid_id]["amount_fen"]),
                        "link": f"/bids/{b.bid_id}/result",
                    },
                )
            else:
                await notify(
                    "award.result",
                    users,
                    {
                        "title": tender["title"],
                        "org_name": b.organization_name,
                        "total": b.total or "—",
                        "rank": b.rank,
                        "challenge_until": f"{challenge_until:%Y-%m-%d}",
                        "link": f"/bids/{b.bid_id}/result",
                    },
                )
        for d in lot.disqualified:
            users = await access.members_of(d.organization_id)
            await notify(
                "award.result_out",
                users,
                {
                    "title": tender["title"],
                    "org_name": d.organization_name,
                    "reason": d.reason,
                    "challenge_until": f"{challenge_until:%Y-%m-%d}",
                    "link": f"/bids/{d.bid_id}/result",
                },
            )


async def award_tender(user: CurrentUser, tender_id: int, choices: list[AwardChoiceIn]) -> AwardNoticeOut:
    """定标 (rule 26): after the report, in rank order or with a recorded reason."""
    await deem_if_due(tender_id)
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        actor = tender_policies.buyer_officer(user, tender, _("确定中标（成交）供应商")).acting(user)
        access.require_status(tender, TenderStatus.EVALUATING, doing=_("定标"))
        panel = await access.panel(tender_id)
        if panel["report_delivered_at"] is None:
            raise Conflict(_("评标委员会尚未提交评审报告，不能定标（《政府采购法实施条例》第四十三条）。"))
        board = await ranking.compute(tender, panel)
        errors = _check_choices(tender, board, choices)
        if errors:
            raise ValidationFailed(field_errors=errors)
        picks = []
        for choice in choices:
            lot = next(lot for lot in board.lots if lot.lot_id == choice.lot_id)
            entry = next(b for b in lot.bids if b.bid_id == choice.bid_id)
            amount = entry.amount_fen
            if access.is_venture(tender):
                amount = choice.amount_fen if choice.amount_fen is not None else entry.recommended_fen or 0
            picks.append(
                {
                    "lot_id": lot.lot_id,
                    "bid_id": entry.bid_id,
                    "organization_id": entry.organization_id,
                    "amount_fen": amount,
                    "rank": entry.rank,
                    "total": entry.total,
                    "reason": choice.reason.strip(),
                }
            )
        await _apply_award(tender, panel, board, picks, actor, user.id, deemed=False)
    return await award_notice(tender_id)


async def deem_if_due(tender_id: int) -> bool:
    """Rule 26, 磋商: once 5 working days pass after the report without a decision,
    the top-ranked bid of each lot is deemed chosen. Exactly once; True if it happened now."""
    today = clock.today_local()
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        if tender["method"] != Method.CONSULTATION or tender["status"] != TenderStatus.EVALUATING:
            return False
        panel = await Panel.select().where(Panel.tender == tender_id).first()
        if (
            panel is None
            or panel["award_due_on"] is None
            or panel["report_delivered_at"] is None
            or today <= panel["award_due_on"]
        ):
            return False
        board = await ranking.compute(tender, panel)
        picks = []
        minimum = bid_rules.minimum_bids(tender["method"])
        for lot in board.lots:
            if len([b for b in lot.bids if b.rank is not None]) < minimum:
                continue  # a lot with too few valid bids has failed (rule 18): nothing to deem
            top = [b for b in lot.bids if b.rank == 1]
            if len(top) != 1:
                await audit.record(
                    "tender.deem_award_impossible",
                    "tender",
                    tender_id,
                    after={"lot_id": lot.lot_id, "top": [b.bid_id for b in top]},
                )
                return False
            b = top[0]
            picks.append(
                {
                    "lot_id": lot.lot_id,
                    "bid_id": b.bid_id,
                    "organization_id": b.organization_id,
                    "amount_fen": b.amount_fen,
                    "rank": 1,
                    "total": b.total,
                    "reason": "",
                }
            )
        if not picks:
            return False
        await _apply_award(tender, panel, board, picks, SYSTEM, None, deemed=True)
        officers = await access.officers_of(tender["buyer"])
        await notify("award.deemed", officers, {"title": tender["title"], "link": f"/tenders/{tender_id}/award"})
    return True


def _next_check(publicity_until: date | None) -> datetime | None:
    """An award waits on time while its 公益创投 公示 runs: it ends once the last day has passed."""
    return clock.after_local_day(publicity_until) if publicity_until is not None else None


async def end_publicity_if_due(award_id: int) -> Due:
    """A 公益创投 公示 ends after its working days (invariant 10), exactly once, by the
    award's ``next_check_at``; signing may follow."""
    async with db.transaction():
        await db.lock(Award, Award.id == award_id)
        row = (
            await Award.select(Award.id, Award.tender, Award.status, Award.publicity_until, Award.publicity_ended_at)
            .where(Award.id == award_id)
            .first()
        )
        if row is None or row["status"] != AwardStatus.ACTIVE or row["publicity_ended_at"] is not None:
            return Due(False, None)
        if row["publicity_until"] is None or clock.today_local() <= row["publicity_until"]:
            return Due(False, _next_check(row["publicity_until"]))
        await Award.update({Award.publicity_ended_at: clock.now()}).where(Award.id == award_id)
        await audit.record(
            "award.publicity_ended",
            "award",
            award_id,
            actor=SYSTEM,
            after={"tender_id": row["tender"], "publicity_until": row["publicity_until"].isoformat()},
        )
    return Due(True, None)


PUBLICITY_DUE = DueSweep("awards.publicity_end", Award, end_publicity_if_due)


async def end_due_publicity() -> int:
    """Sweep (invariant 10): every 公益创投 公示 whose time is up ends, exactly once."""
    return await run_due(PUBLICITY_DUE)


async def _deem_step(panel_id: int) -> Due:
    panel = await Panel.select(Panel.tender).where(Panel.id == panel_id).first()
    if panel is None:
        return Due(False, None)
    acted = await deem_if_due(panel["tender"])
    return Due(acted, await timing.compute(panel_id))


DEEM_DUE = DueSweep("awards.deem_due", Panel, _deem_step)


async def deem_due_awards() -> int:
    """Sweep (invariant 10): deemed 磋商 awards whose time has come, by the panel's ``next_check_at``."""
    return await run_due(DEEM_DUE)


async def award_notice(tender_id: int) -> AwardNoticeOut:
    """The current award notice, public once published."""
    await deem_if_due(tender_id)
    tender = await access.tender(tender_id)
    awards = await _awards(tender_id)
    if not awards or awards[0]["notice"] is None:
        raise NotFound(_("本项目尚未公布中标（成交）结果。"))
    notice = await Notice.select().where(Notice.id == awards[0]["notice"]).first()
    assert notice is not None  # the awards' notice (foreign key, on delete restrict)
    return AwardNoticeOut(
        tender_id=tender["id"],
        notice_id=notice["id"],
        title=notice["title"],
        content=notice["content"],
        published_at=notice["published_at"],
        awards=[_award_out(a) for a in awards],
        challenge_until=awards[0]["challenge_until"],
        publicity_until=awards[0]["publicity_until"],
    )


async def award_for_letter(user: CurrentUser, award_id: int) -> tuple[dict[str, Any], AwardOut]:
    """中标通知书: for the winner and the buyer's staff."""
    row = (
        await Award.select(*Award.all_columns(), Award.lot.name, Award.organization.name)
        .where(Award.id == award_id)
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该中标记录。"))
    tender = await access.tender(row["tender"])
    policies.letter_reader(user, tender, row).require()
    if row["status"] != AwardStatus.ACTIVE:
        raise Conflict(_("该中标结果已撤销：{revoked_reason}").format(revoked_reason=row["revoked_reason"]))
    return tender, _award_out(row)


async def my_result(user: CurrentUser, bid_id: int) -> MyResultOut:
    """结果通知: a bidder's own scores and rank once the result is published (never others' details)."""
    bid = (
        await Bid.select(Bid.id, Bid.tender, Bid.organization, Bid.organization.name, Bid.status)
        .where(Bid.id == bid_id)
        .first()
    )
    if bid is None or user.organization_id != bid["organization"]:
        raise NotFound(_("找不到该投标。"))
    await deem_if_due(bid["tender"])
    tender = await access.tender(bid["tender"])
    awards = await _awards(bid["tender"])
    if not awards:
        raise NotFound(_("本项目尚未公布评审结果。"))
    panel = await access.panel(bid["tender"])
    board = await ranking.compute(tender, panel)
    entry = next((b for lot in board.lots for b in lot.bids if b.bid_id == bid_id), None)
    out_review = next((d for lot in board.lots for d in lot.disqualified if d.bid_id == bid_id), None)
    mine = next((a for a in awards if a["bid"] == bid_id), None)
    return MyResultOut(
        tender_id=tender["id"],
        tender_title=tender["title"],
        bid_id=bid_id,
        organization_name=bid["organization.name"],
        won=mine is not None,
        rank=entry.rank if entry else None,
        joint=entry.joint if entry else False,
        total=entry.total if entry else None,
        criterion_means=entry.criterion_means if entry else {},
        price_score=entry.price_score if entry else None,
        criteria=board.criteria,
        status_label=_("中标（成交）") if mine else (_("未通过审查") if out_review else _("未中标（成交）")),
        reason=out_review.reason if out_review else "",
        winners=[a["organization.name"] for a in awards],
        challenge_until=awards[0]["challenge_until"],
        award_id=mine["id"] if mine else None,
    )


async def list_awards(user: CurrentUser, tender_id: int) -> list[AwardOut]:
    """Every award of the tender, revoked ones included (the buyer's staff)."""
    tender = await access.tender(tender_id)
    policies.award_reader(user, tender).require()
    return [_award_out(a) for a in await _awards(tender_id, active_only=False)]


async def signing_blockers(tender_id: int, lot_id: int | None = None) -> list[str]:
    """Why a contract may not be signed yet (the contracts issue calls this):
    no active award, a 公示 still running, or an open challenge that could
    affect the result (rule 27): one against the result or a step after the
    opening; a documents challenge never blocks signing."""
    await deem_if_due(tender_id)
    reasons = []
    awards = await _awards(tender_id)
    if lot_id is not None:
        awards = [a for a in awards if a["lot"] == lot_id]
    if not awards:
        reasons.append(_("本项目（包）尚无有效的中标（成交）结果。"))
    today = clock.today_local()
    for a in awards:
        if a["publicity_until"] is not None and a["publicity_ended_at"] is None and today <= a["publicity_until"]:
            reasons.append(
                _("公益创投立项公示期至 {publicity_until:%Y-%m-%d}，公示结束后方可签订协议。").format(
                    publicity_until=a["publicity_until"]
                )
            )
            break
    open_challenges = await Challenge.select(Challenge.id, Challenge.kind, Challenge.organization.name).where(
        (Challenge.tender == tender_id)
        & (Challenge.status == ChallengeStatus.FILED)
        & (Challenge.affects_result == True)
    )
    for c in open_challenges:
        reasons.append(
            _(
                "{name}对{kind}提出的质疑（编号 {id}）尚未答复，可能影响中标结果，暂停签订合同（《政府采购法》第五十二条）。"
            ).format(name=c["organization.name"], kind=CHALLENGE_KIND_LABELS.get(c["kind"], c["kind"]), id=c["id"])
        )
    return reasons


async def revoke_award(
    award: dict[str, Any], action: str, reason: str, actor: Actor, *, now: datetime, refusal_kind: str = ""
) -> None:
    """One lot's award falls (``revoke`` after an upheld challenge, rule 27; ``record_refusal``
    when its winner refuses or fails to sign, rule 28), with its reason, and ``award.revoked``
    is emitted: a contract drawn up from it and not yet signed falls with it (the contracts
    package subscribes; procurement never imports it)."""
    await apply_transition(
        AWARD_TABLE,
        Award,
        award["id"],
        award["status"],
        action,
        actor,
        values={
            Award.revoked_at: now,
            Award.revoked_reason: reason,
            Award.refusal_kind: refusal_kind,
            Award.next_check_at: None,
        },
        after={"reason": reason, **({"refusal_kind": refusal_kind} if refusal_kind else {})},
    )
    await events.emit("award.revoked", award_id=award["id"], reason=reason)


async def revoke(tender: dict[str, Any], reason: str, actor: Actor, *, re_evaluate: bool) -> None:
    """An upheld challenge (rule 27): each active award is revoked with its reason (and
    ``award.revoked`` emitted for each), a correction notice says so, and the tender returns to evaluation (through
    tenders); with re-evaluation the panel scores again in a new round (the old
    sheets stay, superseded, through evaluation)."""
    now = clock.now()
    if tender["status"] != TenderStatus.AWARDED:
        raise Conflict(_("项目当前没有可撤销的中标结果。"))
    awards = await _awards(tender["id"])
    for award in awards:
        await revoke_award(award, "revoke", reason, actor, now=now)
    round_now = await evaluation.reopen_after_revocation(tender["id"], actor, re_evaluate=re_evaluate)
    text = "\n".join(
        [
            _("项目编号：{reference_no}").format(reference_no=tender["reference_no"]),
            _("采购人：{name}").format(name=tender["buyer.name"]),
            "",
            _("原公告的中标（成交）结果撤销。"),
            _("撤销理由：{reason}").format(reason=reason),
            _("后续安排：")
            + (
                _("由原评标委员会重新评审，结果另行公告。")
                if re_evaluate
                else _("采购人依法按评审排名重新确定中标（成交）供应商，结果另行公告。")
            ),
        ]
    )
    await tenders.publish_notice(
        tender, NoticeType.AMENDMENT, _("{title}中标结果更正公告").format(title=tender["title"]), text
    )
    await tenders.reopen_evaluation(
        tender,
        actor,
        after={
            "reason": reason,
            "re_evaluate": re_evaluate,
            "revoked": [a["id"] for a in awards],
            "round": round_now,
        },
    )
    for a in awards:
        users = await access.members_of(a["organization"])
        await notify(
            "award.revoked", users, {"title": tender["title"], "reason": reason, "link": f"/bids/{a['bid']}/result"}
        )


async def award_record(award_id: int, *, lock: bool = False) -> AwardOut:
    """One award as the contracts package reads it to draw up a contract (whatever its
    status: the caller checks that it is still active). ``decided_at`` is the day the
    award letter (中标通知书) was issued, from which the 30 signing days run (rule 28).
    With ``lock`` (inside the caller's transaction) the award's tender row is held, the lock
    a refusal of the winner (``refusals``) takes, so none can land between the caller's check
    and its write (and the two take their locks in the same order: no deadlock)."""
    if lock:
        found = await Award.select(Award.tender).where(Award.id == award_id).first()
        if found is not None:
            await db.lock(Tender, Tender.id == found["tender"])
    row = (
        await Award.select(*Award.all_columns(), Award.lot.name, Award.organization.name)
        .where(Award.id == award_id)
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该中标记录。"))
    return _award_out(row)
