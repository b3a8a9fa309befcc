"""The bureau officer's to-do list: registrations and profiles to confirm, questions to
answer, tenders closing, qualification reviews, panels, reports, awards, drafts to
publish, challenges and refunds, all of the officer's own buyer (its tenders only).

Before a tender opens nothing here counts or names its bids (invariant 2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from procurement.awards.states import CHALLENGE_TABLE, ChallengeStatus
from procurement.awards.tables import Challenge
from procurement.bids import bonds, profiles
from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.core import clock, prepared
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.dashboard.admin import registrations
from procurement.dashboard.bonds import refunds
from procurement.dashboard.schemas import TodoEntry, TodoItem
from procurement.dashboard.todo import CLOSING_SOON, IN_EVALUATION, grouped, item, late, soon, until
from procurement.evaluation.tables import Panel
from procurement.tenders.states import TenderStatus
from procurement.tenders.tables import Tender, TenderQuestion


async def _profiles(user: CurrentUser) -> TodoItem:
    waiting = await profiles.profiles_awaiting_review(user)
    return item(
        "profiles",
        _("待确认的机构资格资料"),
        [],
        count=waiting,
        link="/bureau/eligibility-profiles",
        link_label=_("去确认"),
        empty=_("没有待确认的资格资料。"),
        hint=_("社会组织填写或修改资格资料后，须经民政局确认方可提交投标。") if waiting else "",
    )


async def _questions(org_id: int, now: datetime) -> TodoItem:
    rows = await prepared.run(
        lambda org_id, now: (
            TenderQuestion.select(
                TenderQuestion.tender, TenderQuestion.tender.title, TenderQuestion.tender.bid_deadline
            )
            .where(
                (TenderQuestion.tender.buyer == org_id)
                & (TenderQuestion.tender.status == TenderStatus.PUBLISHED)
                & (TenderQuestion.tender.bid_deadline > now)
                & TenderQuestion.answered_at.is_null()
            )
            .order_by(TenderQuestion.tender.bid_deadline)
        ),
        org_id,
        now,
    )
    entries = [
        TodoEntry(
            title=group[0]["tender.title"],
            link=f"/bureau/tenders/{tender_id}#questions",
            note=_("{n} 个问题待答复").format(n=len(group)),
            when_label=_("投标截止"),
            at=until(group[0]["tender.bid_deadline"]),  # listed while the deadline is ahead
            urgent=soon(group[0]["tender.bid_deadline"], now),
        )
        for tender_id, group in grouped(rows, "tender").items()
    ]
    return item(
        "questions",
        _("待答复的澄清问题"),
        entries,
        empty=_("没有待答复的问题。"),
        hint=_("答复会公开；临近截止才答复的，投标截止时间相应顺延（《政府采购法实施条例》第三十一条）。")
        if entries
        else "",
    )


async def _closing(org_id: int, now: datetime) -> TodoItem:
    # Every published tender whose deadline is ahead, those closing within CLOSING_SOON
    # kept here: a kept dashboard learns when the next one comes within it.
    rows = await prepared.run(
        lambda org_id, now: (
            Tender.select(Tender.id, Tender.title, Tender.bid_deadline)
            .where((Tender.buyer == org_id) & (Tender.status == TenderStatus.PUBLISHED) & (Tender.bid_deadline > now))
            .order_by(Tender.bid_deadline)
        ),
        org_id,
        now,
    )
    entries = []
    for r in rows:
        deadline = until(r["bid_deadline"])
        if deadline - CLOSING_SOON > now:
            clock.changes_at(deadline - CLOSING_SOON)  # the first one not yet within: it comes in then
            break
        entries.append(
            TodoEntry(
                title=r["title"],
                link=f"/bureau/tenders/{r['id']}",
                when_label=_("投标截止"),
                at=deadline,
                urgent=soon(deadline, now),
            )
        )
    return item(
        "closing",
        _("7 日内截止投标的项目"),
        entries,
        link="/bureau/tenders",
        link_label=_("全部采购项目"),
        empty=_("7 日内没有截止投标的项目。"),
        hint=_("截止时间一到即自动开标；开标前系统不显示投标情况。") if entries else "",
    )


async def _qualification(org_id: int) -> TodoItem:
    rows = await prepared.run(
        lambda org_id: (
            Bid.select(Bid.tender, Bid.tender.title, Bid.tender.opening_at)
            .where(
                (Bid.tender.buyer == org_id)
                & Bid.tender.status.is_in(list(IN_EVALUATION))
                & (Bid.status == BidStatus.OPENED)
            )
            .order_by(Bid.tender.opening_at)
        ),
        org_id,
    )
    entries = [
        TodoEntry(
            title=group[0]["tender.title"],
            link=f"/tenders/{tender_id}/evaluation#review",
            note=_("{n} 份投标待资格审查").format(n=len(group)),
            when_label=_("开标时间"),
            at=group[0]["tender.opening_at"],
        )
        for tender_id, group in grouped(rows, "tender").items()
    ]
    return item(
        "qualification",
        _("已开标、待资格审查的项目"),
        entries,
        empty=_("没有待资格审查的投标。"),
        hint=_("开标后由采购人对投标人的资格进行审查（《政府采购货物和服务招标投标管理办法》第四十四条）。")
        if entries
        else "",
    )


async def _panels_to_draw(org_id: int) -> TodoItem:
    rows = await prepared.run(
        lambda org_id: (
            Tender.select(Tender.id, Tender.title, Tender.opening_at)
            .where(
                (Tender.buyer == org_id)
                & Tender.status.is_in(list(IN_EVALUATION))
                & Tender.id.not_in(Panel.select(Panel.tender))
                # the panel is drawn once the buyer's 资格审查 is complete (rule 41)
                & Tender.id.not_in(Bid.select(Bid.tender).where(Bid.status == BidStatus.OPENED))
            )
            .order_by(Tender.opening_at)
        ),
        org_id,
    )
    entries = [
        TodoEntry(
            title=r["title"],
            link=f"/tenders/{r['id']}/evaluation",
            note=_("尚未抽取评标委员会"),
            when_label=_("开标时间"),
            at=r["opening_at"],
        )
        for r in rows
    ]
    return item("panels", _("待抽取评标委员会的项目"), entries, empty=_("没有待抽取评标委员会的项目。"))


async def _panels(org_id: int) -> list[dict[str, Any]]:
    """The buyer's panels of tenders still in evaluation: one query for two items."""
    return await prepared.run(
        lambda org_id: (
            Panel.select(
                Panel.tender,
                Panel.tender.title,
                Panel.scoring_ended_at,
                Panel.report_due_on,
                Panel.report_delivered_at,
                Panel.award_due_on,
            )
            .where((Panel.tender.buyer == org_id) & (Panel.tender.status == TenderStatus.EVALUATING))
            .order_by(Panel.created_at)
        ),
        org_id,
    )


def _reports(panels: list[dict[str, Any]], today: date) -> TodoItem:
    entries = []
    for p in panels:
        if p["report_delivered_at"] is not None:
            continue
        if p["scoring_ended_at"] is not None:
            entry = TodoEntry(
                title=p["tender.title"],
                link=f"/tenders/{p['tender']}/evaluation",
                note=_("评分已结束，等待评标委员会提交评审报告"),
                when_label=_("报告应送达"),
                on=p["report_due_on"],
                urgent=late(p["report_due_on"], today),
                badge=_("已逾期") if late(p["report_due_on"], today) else "",
            )
        else:
            entry = TodoEntry(
                title=p["tender.title"], link=f"/tenders/{p['tender']}/evaluation", note=_("评标委员会评审中")
            )
        entries.append(entry)
    return item(
        "reports",
        _("评审中、待收评审报告的项目"),
        entries,
        empty=_("没有评审中的项目。"),
        hint=_("评分结束后 2 个工作日内，评标委员会应提交评审报告（《政府采购法实施条例》第四十三条）。")
        if entries
        else "",
    )


def _awards(panels: list[dict[str, Any]], today: date) -> TodoItem:
    entries = [
        TodoEntry(
            title=p["tender.title"],
            link=f"/tenders/{p['tender']}/award",
            note=_("已收到评审报告，请按排名确定中标（成交）供应商"),
            when_label=_("定标期限"),
            on=p["award_due_on"],
            urgent=late(p["award_due_on"], today),
            badge=_("已逾期") if late(p["award_due_on"], today) else "",
        )
        for p in panels
        if p["report_delivered_at"] is not None
    ]
    return item(
        "awards",
        _("待定标的项目"),
        entries,
        empty=_("没有待定标的项目。"),
        hint=_(
            "收到评审报告后 5 个工作日内确定中标（成交）供应商，并发布结果公告（《政府采购法实施条例》第四十三条）。"
        )
        if entries
        else "",
    )


async def _drafts_to_publish(org_id: int) -> TodoItem:
    rows = await prepared.run(
        lambda org_id: (
            Tender.select(Tender.id, Tender.title, Tender.bid_deadline)
            .where((Tender.buyer == org_id) & (Tender.status == TenderStatus.DRAFT))
            .order_by(Tender.updated_at, ascending=False)
        ),
        org_id,
    )
    entries = [
        TodoEntry(
            title=r["title"],
            link=f"/bureau/tenders/{r['id']}",
            note=_("草稿，发布后在门户公开"),
            when_label=_("拟定投标截止") if r["bid_deadline"] else "",
            at=r["bid_deadline"],
        )
        for r in rows
    ]
    return item(
        "drafts",
        _("待发布的采购公告"),
        entries,
        link="/bureau/tenders",
        link_label=_("全部采购项目"),
        empty=_("没有待发布的草稿。"),
    )


async def _buyer_challenges(org_id: int, today: date) -> TodoItem:
    rows = await prepared.run(
        lambda org_id: (
            Challenge.select(
                Challenge.tender,
                Challenge.tender.title,
                Challenge.status,
                Challenge.answer_due_on,
                Challenge.complaint_decision_due_on,
            )
            .where(
                (Challenge.tender.buyer == org_id)
                & Challenge.status.is_in([ChallengeStatus.FILED, ChallengeStatus.COMPLAINED])
            )
            .order_by(Challenge.answer_due_on)
        ),
        org_id,
    )
    entries = []
    for r in rows:
        filed = r["status"] == ChallengeStatus.FILED
        due = r["answer_due_on"] if filed else r["complaint_decision_due_on"]
        entries.append(
            TodoEntry(
                title=r["tender.title"],
                link=f"/tenders/{r['tender']}/challenges",
                note=_("质疑待书面答复") if filed else _("已投诉至财政部门，待登记处理决定"),
                when_label=_("答复期限") if filed else _("处理决定期限"),
                on=due,
                urgent=late(due, today) or due == today,
                badge=_("已逾期") if late(due, today) else CHALLENGE_TABLE.staff_label(r["status"]),
            )
        )
    return item(
        "challenges",
        _("待答复的质疑与投诉"),
        entries,
        empty=_("没有待答复的质疑。"),
        hint=_("收到质疑后 7 个工作日内书面答复（《政府采购法》第五十三条）。") if entries else "",
    )


async def officer(user: CurrentUser) -> list[TodoItem | None]:
    org_id = user.organization_id or 0
    now = clock.now()
    today = clock.to_local(now).date()
    panels = await _panels(org_id)
    return [
        await registrations(user),
        await _profiles(user),
        await _questions(org_id, now),
        await _closing(org_id, now),
        await _qualification(org_id),
        await _panels_to_draw(org_id),
        _reports(panels, today),
        _awards(panels, today),
        await _drafts_to_publish(org_id),
        await _buyer_challenges(org_id, today),
        refunds(await bonds.list_bonds(user, only_due=True)),
    ]
