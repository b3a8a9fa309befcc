"""A social organization's to-do list: its eligibility profile, the open tenders it may
bid for, its drafts and their deadlines, its submitted bids, its results and its
challenges. Only its own bids: another organization's never show."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from procurement.awards.states import CHALLENGE_TABLE, AwardStatus, ChallengeStatus
from procurement.awards.tables import Award, Challenge
from procurement.bids.states import BID_TABLE, BidStatus
from procurement.bids.tables import Bid, EligibilityProfile
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.prepared import Prepared
from procurement.dashboard.schemas import TodoEntry, TodoItem
from procurement.dashboard.todo import BEFORE_OPENING, item, late, soon, until
from procurement.tenders.states import Method, TenderStatus
from procurement.tenders.tables import Tender


def _may_bid(tender: dict[str, Any], org_id: int) -> bool:
    """Invited tenders take only the invited, single source only its provider (the rest is
    the eligibility check on the bid page)."""
    if tender["method"] == Method.INVITED:
        return org_id in json.loads(tender["invited_org_ids"] or "[]")
    if tender["method"] == Method.SINGLE_SOURCE:
        return tender["single_source_provider"] == org_id
    return True


_PROFILE = Prepared(
    lambda org_id: (
        EligibilityProfile.select(EligibilityProfile.confirmed_at, EligibilityProfile.updated_at)
        .where(EligibilityProfile.organization == org_id)
        .limit(1)
    )
)


async def _profile(org_id: int) -> TodoItem:
    found = await _PROFILE(org_id)
    row = found[0] if found else None
    entries = []
    if row is None:
        entries = [TodoEntry(title=_("填写机构资格资料"), link="/org/profile", note=_("经民政局确认后方可提交投标"))]
    elif row["confirmed_at"] is None:
        entries = [
            TodoEntry(
                title=_("资格资料等待民政局确认"),
                link="/org/profile",
                note=_("确认前不能提交投标"),
                when_label=_("最后修改"),
                at=row["updated_at"],
            )
        ]
    return item("profile", _("机构资格资料"), entries, link="/org/profile", empty=_("资格资料已经民政局确认。"))


_OPEN_TENDERS = Prepared(
    lambda org_id, now: (
        Tender.select(
            Tender.id,
            Tender.title,
            Tender.method,
            Tender.bid_deadline,
            Tender.invited_org_ids,
            Tender.single_source_provider,
        )
        .where(
            (Tender.status == TenderStatus.PUBLISHED)
            & (Tender.bid_deadline > now)
            & Tender.id.not_in(Bid.select(Bid.tender).where(Bid.organization == org_id))
        )
        .order_by(Tender.bid_deadline)
    )
)


async def _open_tenders(org_id: int, now: datetime) -> TodoItem:
    rows = await _OPEN_TENDERS(org_id, now)
    entries = [
        TodoEntry(
            title=r["title"],
            link=f"/org/tenders/{r['id']}/bid",
            when_label=_("投标截止"),
            at=r["bid_deadline"],
            urgent=soon(r["bid_deadline"], now),
        )
        for r in rows
        if _may_bid(r, org_id) and until(r["bid_deadline"])  # listed while its deadline is ahead
    ]
    return item(
        "open_tenders",
        _("可以投标的项目"),
        entries,
        link="/org/tenders",
        link_label=_("全部可投标项目"),
        empty=_("目前没有可以投标的新项目。"),
    )


_OWN_BIDS = Prepared(
    lambda org_id: (
        Bid.select(
            Bid.id,
            Bid.status,
            Bid.tender,
            Bid.submitted_version,
            Bid.tender_version,
            Bid.lot.name,
            Bid.tender.title,
            Bid.tender.status,
            Bid.tender.version,
            Bid.tender.bid_deadline,
            Bid.tender.opening_at,
        )
        .where(Bid.organization == org_id)
        .order_by(Bid.tender.bid_deadline)
    )
)


async def _own_bids(org_id: int) -> list[dict[str, Any]]:
    """Every bid of the organization with its tender: one query for three items."""
    return await _OWN_BIDS(org_id)


def _drafts(rows: list[dict[str, Any]], now: datetime) -> TodoItem:
    entries = [
        TodoEntry(
            title=r["tender.title"],
            link=f"/org/bids/{r['id']}",
            note=r["lot.name"]
            + (_(" · 已撤回，截止前可重新提交") if r["status"] == BidStatus.WITHDRAWN else _(" · 尚未提交")),
            when_label=_("投标截止"),
            at=r["tender.bid_deadline"],
            urgent=soon(r["tender.bid_deadline"], now),
            badge=BID_TABLE.staff_label(r["status"]),
        )
        for r in rows
        if r["status"] in (BidStatus.DRAFT, BidStatus.WITHDRAWN)
        and r["tender.status"] == TenderStatus.PUBLISHED
        and r["tender.bid_deadline"] is not None
        and until(r["tender.bid_deadline"]) > now
    ]
    return item(
        "bid_drafts",
        _("未提交的投标"),
        entries,
        link="/org/bids",
        link_label=_("我的投标"),
        empty=_("没有未提交的投标草稿。"),
        hint=_("截止时间以服务器时间为准，截止后不再接受提交。") if entries else "",
    )


def _submitted(rows: list[dict[str, Any]], now: datetime) -> TodoItem:
    entries = []
    for r in rows:
        if r["status"] != BidStatus.SUBMITTED:
            continue
        confirm = r["submitted_version"] > 0 and r["tender_version"] < r["tender.version"]
        deadline = r["tender.bid_deadline"]
        open_for_changes = deadline is not None and until(deadline) > now
        opening = r["tender.opening_at"]
        # Past its opening time a bid waits for the system's opening (it decrypts the bids), which
        # a late or stopped scheduler may not have done yet: say so, not "before the opening".
        due_to_open = opening is not None and until(opening) <= now
        if confirm:
            note = _(" · 招标文件已更正，请确认或重新提交")
        elif due_to_open:
            note = _(" · 开标时间已到，等待系统开标")
        else:
            note = _(" · 已提交，开标前他人无法查看")
        entries.append(
            TodoEntry(
                title=r["tender.title"],
                link=f"/org/bids/{r['id']}",
                note=r["lot.name"] + note,
                when_label=_("开标时间"),
                at=opening or deadline,
                urgent=confirm and open_for_changes,
                badge=_("须重新提交") if confirm else BID_TABLE.staff_label(r["status"]),
            )
        )
    return item(
        "bids_submitted",
        _("已提交、待开标的投标"),
        entries,
        link="/org/bids",
        link_label=_("我的投标"),
        empty=_("没有待开标的投标。"),
    )


_WON = Prepared(
    lambda org_id: Award.select(Award.bid).where((Award.organization == org_id) & (Award.status == AwardStatus.ACTIVE))
)


async def _results(rows: list[dict[str, Any]], org_id: int) -> TodoItem:
    opened = [r for r in rows if r["status"] not in BEFORE_OPENING]
    won: set[int] = set()
    if any(r["tender.status"] == TenderStatus.AWARDED for r in opened):
        won = {a["bid"] for a in await _WON(org_id)}
    entries = []
    for r in reversed(opened):  # the latest deadline first
        status = r["tender.status"]
        if status == TenderStatus.AWARDED:
            badge, note, link = (
                (_("中标（成交）"), _("请下载中标通知书"), f"/bids/{r['id']}/result")
                if r["id"] in won
                else (_("未中标"), _("可查看本机构的得分与排名"), f"/bids/{r['id']}/result")
            )
        elif status == TenderStatus.FAILED:
            badge, note, link = _("废标"), _("见废标公告"), f"/tenders/{r['tender']}"
        elif status == TenderStatus.CANCELLED:
            badge, note, link = _("已终止"), _("见终止公告"), f"/tenders/{r['tender']}"
        else:
            badge = _("已开标") if status == TenderStatus.OPENED else _("评审中")
            note, link = _("可查看开标记录"), f"/tenders/{r['tender']}/opening-record"
        entries.append(
            TodoEntry(
                title=r["tender.title"],
                link=link,
                note=r["lot.name"] + " · " + note,
                when_label=_("开标时间"),
                at=r["tender.opening_at"],
                badge=badge,
            )
        )
    return item(
        "results",
        _("开标后的投标与结果"),
        entries,
        link="/org/bids",
        link_label=_("我的投标"),
        empty=_("还没有开标的投标。"),
    )


_OWN_CHALLENGES = Prepared(
    lambda org_id: (
        Challenge.select(
            Challenge.tender,
            Challenge.tender.title,
            Challenge.status,
            Challenge.answer_due_on,
            Challenge.complaint_due_on,
            Challenge.complaint_decision_due_on,
        )
        .where(Challenge.organization == org_id)
        .order_by(Challenge.filed_at, ascending=False)
    )
)


async def _own_challenges(org_id: int, today: date) -> TodoItem:
    rows = await _OWN_CHALLENGES(org_id)
    entries = []
    for r in rows:
        status = r["status"]
        if status == ChallengeStatus.FILED:
            label, due, note = _("答复期限"), r["answer_due_on"], _("等待采购人书面答复")
        elif status == ChallengeStatus.COMPLAINED:
            label, due, note = _("处理决定期限"), r["complaint_decision_due_on"], _("已向财政部门投诉，等待处理决定")
        elif status in (ChallengeStatus.REJECTED, ChallengeStatus.UPHELD) and not late(r["complaint_due_on"], today):
            label, due, note = _("投诉期至"), r["complaint_due_on"], _("已答复；对答复不满意的可向财政部门投诉")
        else:
            continue
        entries.append(
            TodoEntry(
                title=r["tender.title"],
                link=f"/tenders/{r['tender']}/challenges",
                note=note,
                when_label=label if due else "",
                on=due,
                badge=CHALLENGE_TABLE.public_label(status),
            )
        )
    return item("own_challenges", _("我的质疑与投诉"), entries, empty=_("没有进行中的质疑或投诉。"))


async def organization(user: CurrentUser) -> list[TodoItem | None]:
    org_id = user.organization_id or 0
    now = clock.now()
    rows = await _own_bids(org_id)
    return [
        await _profile(org_id),
        await _open_tenders(org_id, now),
        _drafts(rows, now),
        _submitted(rows, now),
        await _results(rows, org_id),
        await _own_challenges(org_id, clock.to_local(now).date()),
    ]
