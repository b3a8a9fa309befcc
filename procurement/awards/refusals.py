"""The winner refuses, or fails, to sign: the lot goes to the next-ranked bidder (rule 28).

《政府采购法实施条例》第四十九条: when the winner refuses to sign the contract, or has not
signed it within the 30 days of 《政府采购法》第四十六条, the buyer may award the contract
to the next-ranked bidder on the evaluation's ranking, or procure again. Here, for one lot
of an awarded tender, in one transaction:

- the buyer's officer records the refusal with its reason and kind (拒绝签订 on the winner's
  written refusal, at any time; 逾期未签订 only once the 30 days have passed), while the
  award's contract is not yet signed by both (the contracts package answers the question
  ``award.contract_signed``; procurement never imports it);
- the lot's award falls through the award's transition (``record_refusal``), and
  ``award.revoked`` makes contracts void the unsigned draft;
- the best-ranked bidder of the lot that passed the review and never held the lot takes it,
  with a new award letter from which its own 30 days run; when none is left, the lot fails
  (废标) and the buyer procures it again;
- a 中标（成交）结果变更公告 with the reason is published on the portal, and the bidders
  concerned are told.

The refusing winner's bid bond is left as it is: the bids package has no forfeit path yet
(条例第三十二条 lets the tender documents provide for one), so the officer settles it outside
the system; its refund is not scheduled by this step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procurement.awards import policies, refusal_rules
from procurement.awards import rules as challenge_rules
from procurement.awards import services as awards
from procurement.awards.schemas import AwardOut, WinnerRefusalIn, WinnerRefusalOut
from procurement.awards.states import REFUSAL_KIND_LABELS, AwardStatus
from procurement.awards.tables import Award
from procurement.core import audit, clock, db, events
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.money import format_yuan
from procurement.core.notify import notify
from procurement.evaluation import access, ranking
from procurement.evaluation.schemas import LotRankingOut, RankedBidOut
from procurement.settings import get_settings
from procurement.tenders import policies as tender_policies
from procurement.tenders import services as tenders
from procurement.tenders.states import NoticeType, TenderStatus


async def contract_signed(award_id: int, *, lock: bool = False) -> bool:
    """Whether the contract drawn up from this award is signed by both (asked of the
    contracts package; with ``lock`` it holds the contract row, so that a signature cannot
    slip in between the answer and the refusal)."""
    return any(await events.ask("award.contract_signed", award_id=award_id, lock=lock))


async def _award_row(award_id: int) -> dict[str, Any]:
    row = (
        await Award.select(*Award.all_columns(), Award.lot.name, Award.lot.number, Award.organization.name)
        .where(Award.id == award_id)
        .first()
    )
    if row is None:
        raise NotFound(_("找不到该中标记录。"))
    return row


def _letter_day(award: dict[str, Any]) -> date:
    return clock.to_local(award["decided_at"]).date()


async def replaceable_awards(user: CurrentUser, tender_id: int) -> dict[int, date]:
    """For the award page: the active awards whose refusal this user may record now, each
    with its signing deadline (the form says when a failure to sign may be recorded)."""
    tender = await access.tender(tender_id)
    if tender["status"] != TenderStatus.AWARDED or not tender_policies.buyer_officer(user, tender):
        return {}
    found = {}
    for award in await Award.select(Award.id, Award.decided_at).where(
        (Award.tender == tender["id"]) & (Award.status == AwardStatus.ACTIVE)
    ):
        signed = await contract_signed(award["id"])
        if policies.winner_replacer(user, tender, contract_signed=signed):
            found[award["id"]] = refusal_rules.signing_deadline(_letter_day(award))
    return found


def _room_fen(lot: LotRankingOut, active: list[dict[str, Any]]) -> int:
    """公益创投: what the lot's budget still has room for once the refused project is gone."""
    return lot.budget_fen - sum(a["amount_fen"] for a in active)


def _notice_text(
    tender: dict[str, Any],
    refused: dict[str, Any],
    kind_label: str,
    reason: str,
    chosen: RankedBidOut | None,
    amount_fen: int,
    challenge_until: date | None,
    venture: bool,
) -> str:
    lines = [
        _("项目编号：{reference_no}").format(reference_no=tender["reference_no"]),
        _("项目名称：{title}").format(title=tender["title"]),
        _("采购人：{name}").format(name=tender["buyer.name"]),
        "",
        _("一、变更事项"),
        _(
            "第{lot_number}包 {lot}：原中标（成交）供应商{organization}（中标通知书 {letter_no}）{kind}，其中标（成交）结果撤销。"
        ).format(
            lot_number=refused["lot.number"],
            lot=refused["lot.name"],
            organization=refused["organization.name"],
            letter_no=refused["letter_no"],
            kind=kind_label,
        ),
        _("理由：{reason}").format(reason=reason),
        "",
        _("二、变更后的结果"),
    ]
    if chosen is None:
        lines.append(
            _(
                "本包无其他通过审查、可依次递补的供应商，本包废标，采购人将依法重新组织采购（《政府采购法实施条例》第四十九条）。"
            )
        )
    else:
        lines.append(
            _(
                "依据《政府采购法实施条例》第四十九条，按评审排名顺序确定排名第 {rank} 名的{organization}为中标（成交）供应商，{amount_kind} {amount}"
            ).format(
                rank=chosen.rank,
                organization=chosen.organization_name,
                amount_kind=_("资助金额") if venture else _("中标（成交）金额"),
                amount=format_yuan(amount_fen),
            )
            + (_("，综合得分 {total}。").format(total=chosen.total) if chosen.total else "。")
        )
        if challenge_until is not None:
            lines += [
                "",
                _("三、质疑"),
                _(
                    "参加本项目的供应商认为变更后的结果使自己的权益受到损害的，可在 {challenge_until:%Y年%m月%d日} 前通过平台以书面形式提出质疑。"
                ).format(challenge_until=challenge_until),
            ]
    return "\n".join(lines)


async def _new_award(
    tender: dict[str, Any],
    refused: dict[str, Any],
    chosen: RankedBidOut,
    amount_fen: int,
    reason: str,
    user_id: int,
    challenge_until: date,
    publicity_until: date | None,
) -> int:
    now = clock.now()
    previous = await Award.count().where(Award.tender == tender["id"])
    inserted = await Award.insert(
        Award(
            tender=tender["id"],
            lot=refused["lot"],
            bid=chosen.bid_id,
            organization=chosen.organization_id,
            amount_fen=amount_fen,
            rank=chosen.rank,
            total=chosen.total or "",
            reason=reason,
            status=AwardStatus.ACTIVE,
            deemed=False,
            decided_by=user_id,
            decided_at=now,  # the new award letter: its 30 signing days run from here
            letter_no=f"ZB-{tender['reference_no']}-{previous + 1:02d}",
            challenge_until=challenge_until,
            publicity_until=publicity_until,
            replaces=refused["id"],
            next_check_at=clock.after_local_day(publicity_until) if publicity_until is not None else None,
        )
    ).returning(Award.id)
    return int(inserted[0]["id"])


async def record_winner_refusal(user: CurrentUser, award_id: int, data: WinnerRefusalIn) -> WinnerRefusalOut:
    """Rule 28 (条例第四十九条): the winner of one lot refused or failed to sign; its award falls,
    the next-ranked qualified bidder takes the lot with a new award letter (or the lot fails
    when none is left), and a result-change notice is published. One transaction; the
    tender is locked, so two officers doing it at once leave one new award."""
    async with db.transaction():
        first = await _award_row(award_id)
        # The contract first, then the tender: the order signing takes them (a signature locks
        # its contract, then reads the awards' blockers under the tender's lock), so the two
        # never wait on each other. Held to the end, so no signature lands after the answer.
        signed = await contract_signed(award_id, lock=True)
        tender = await access.tender(first["tender"], lock=True)
        actor: Actor = tender_policies.buyer_officer(user, tender, _("登记中标人拒签并改授予下一名")).acting(user)
        refused = await _award_row(award_id)  # read again under the tender's lock
        if refused["status"] != AwardStatus.ACTIVE or tender["status"] != TenderStatus.AWARDED:
            raise Conflict(
                _("该中标（成交）结果已撤销，不能再登记拒签：{reason}").format(
                    reason=refused["revoked_reason"] or _("项目已不在定标后状态")
                )
            )
        if not policies.winner_replacer(user, tender, contract_signed=signed):
            raise Conflict(policies.signed_contract_reason())
        today = clock.today_local()
        problems = refusal_rules.refusal_problems(data.kind, data.written_refusal, _letter_day(refused), today)
        if problems:
            raise ValidationFailed(field_errors=problems)
        panel = await access.panel(tender["id"])
        board = await ranking.compute(tender, panel)
        lot = next((x for x in board.lots if x.lot_id == refused["lot"]), None)
        if lot is None:
            raise Conflict(_("找不到该包的评审排名，不能改授予下一名。"))
        venture = access.is_venture(tender)
        held = await Award.select(Award.bid, Award.id, Award.status, Award.amount_fen).where(
            (Award.tender == tender["id"]) & (Award.lot == refused["lot"])
        )
        others_active = [a for a in held if a["status"] == AwardStatus.ACTIVE and a["id"] != award_id]
        chosen = refusal_rules.next_ranked(
            lot.bids,
            {a["bid"] for a in held},
            venture=venture,
            room_fen=_room_fen(lot, others_active) if venture else None,
        )
        kind_label = str(REFUSAL_KIND_LABELS[data.kind])
        reason = data.reason.strip()
        recorded = _("{kind}：{reason}").format(kind=kind_label, reason=reason)
        now = clock.now()
        await awards.revoke_award(refused, "record_refusal", recorded, actor, now=now, refusal_kind=data.kind)

        calendar = get_default_calendar()
        amount_fen = 0
        challenge_until: date | None = None
        new_id: int | None = None
        if chosen is not None:
            amount_fen = (chosen.recommended_fen or 0) if venture else chosen.amount_fen
            challenge_until = challenge_rules.result_last_day(today, calendar)
            publicity_until = (
                calendar.add_working_days(today, get_settings().venture_publicity_working_days) if venture else None
            )
            new_reason = _("原中标（成交）供应商{organization}{kind}，依法按排名顺序递补（{reason}）").format(
                organization=refused["organization.name"], kind=kind_label, reason=reason
            )
            new_id = await _new_award(
                tender, refused, chosen, amount_fen, new_reason, user.id, challenge_until, publicity_until
            )
        title = _("{title}中标（成交）结果变更公告").format(title=tender["title"])
        text = _notice_text(tender, refused, kind_label, reason, chosen, amount_fen, challenge_until, venture)
        notice = await tenders.publish_notice(tender, NoticeType.AMENDMENT, title, text)
        if new_id is not None:
            await Award.update({Award.notice: notice}).where(Award.id == new_id)
        await audit.record(
            "award.next_ranked" if new_id is not None else "award.lot_failed",
            "award",
            award_id,
            actor=actor,
            after={
                "lot_id": refused["lot"],
                "refusal_kind": data.kind,
                "written_refusal": data.written_refusal,
                "reason": reason,
                "new_award_id": new_id,
                "bid_id": chosen.bid_id if chosen else None,
                "rank": chosen.rank if chosen else None,
                "notice_id": notice,
            },
        )
        await notify(
            "award.refusal_recorded",
            await access.members_of(refused["organization"]),
            {
                "title": tender["title"],
                "org_name": refused["organization.name"],
                "kind": kind_label,
                "lot_number": refused["lot.number"],
                "reason": reason,
                "link": f"/notices/{notice}",
            },
        )
        if chosen is not None:
            await notify(
                "award.won",
                await access.members_of(chosen.organization_id),
                {
                    "title": tender["title"],
                    "org_name": chosen.organization_name,
                    "amount": format_yuan(amount_fen),
                    "link": f"/bids/{chosen.bid_id}/result",
                },
            )
        else:
            await notify(
                "award.lot_failed",
                await access.officers_of(tender["buyer"]),
                {"title": tender["title"], "lot_number": refused["lot.number"], "link": f"/notices/{notice}"},
            )
    refused_out = await awards.award_record(award_id)
    new_out: AwardOut | None = await awards.award_record(new_id) if new_id is not None else None
    if new_out is not None:
        message = _(
            "已登记中标人{kind}，第{lot_number}包改授予排名第 {rank} 名的{organization}，变更公告已发布。"
        ).format(
            kind=kind_label, lot_number=refused["lot.number"], rank=new_out.rank, organization=new_out.organization_name
        )
    else:
        message = _(
            "已登记中标人{kind}。第{lot_number}包没有其他可依次递补的合格供应商，该包废标，请重新组织采购；变更公告已发布。"
        ).format(kind=kind_label, lot_number=refused["lot.number"])
    return WinnerRefusalOut(
        refused=refused_out, new_award=new_out, lot_failed=new_out is None, notice_id=notice, message=message
    )
