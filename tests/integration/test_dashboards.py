"""Each role's dashboard is its to-do list: counts, links and due dates, read from
the sub-domains that own the work, one query per item (never one per row), and
nothing about sealed bids before the opening (invariant 2)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from procurement.accounts.tables import Organization, User
from procurement.bids.tables import BidBond
from procurement.core import clock, db
from procurement.core.notify import notify
from procurement.dashboard import kept
from procurement.evaluation.tables import PanelMember
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login, page_login
from tests.integration.evaluation_helpers import (
    DEFAULT_SCORES,
    bids_by_org,
    chair_headers,
    comply_all,
    declare_all,
    deliver_report,
    draw,
    elect_chair,
    evaluated,
    member_logins,
    opened_tender,
    qualify_all,
    sheet,
)
from tests.integration.test_award_challenges import awarded, challenge

PLACEHOLDERS = ("将依次上线", "将在后续版本开放", "后续版本", "敬请期待", "即将上线", "尚未开放")
ROLES = ["admin", "officer", "finance", "qingbo", "xingfujia", "expert1", "pinggu"]


async def dashboard(client, username: str) -> str:
    client.cookies.clear()
    await page_login(client, username)
    response = await client.get("/dashboard")
    assert response.status_code == 200, response.text[:500]
    client.cookies.clear()  # the API calls that follow sign in with their own bearer tokens
    return response.text


def card(html: str, key: str) -> str:
    """The HTML of one to-do card (or of its line under 暂无待办)."""
    match = re.search(rf'<(section|li) class="[^"]*" id="todo-{key}".*?</\1>', html, re.S)
    assert match, f"no to-do item {key}"
    return match.group(0)


def count(html: str, key: str) -> int:
    """The count a busy card shows; 0 when the item sits under 暂无待办."""
    match = re.search(r'<span class="count">(\d+)</span>', card(html, key))
    return int(match.group(1)) if match else 0


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def due_in(tender: dict, days: float) -> None:
    """Move a published tender's deadline (and opening) to ``days`` from now: the
    statutory periods (rule 14) keep a new tender's deadline at least 20 days out."""
    at = clock.now() + timedelta(days=days)
    await Tender.update({Tender.bid_deadline: at, Tender.opening_at: at}).where(Tender.id == tender["id"])


async def submitted(client, username: str, tender: dict) -> tuple[dict, dict]:
    """A bid with one document, submitted."""
    bid, headers = await draft_bid(client, username, tender)
    assert (await upload(client, headers, bid["id"], "投标文件.pdf", PDF + username.encode())).status_code == 201
    done = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
    assert done.status_code == 200, done.text
    return bid, headers


async def username_of(user_id: int) -> str:
    row = await User.select(User.username).where(User.id == user_id).first()
    assert row is not None
    return row["username"]


@pytest.mark.parametrize("username", ROLES)
async def test_no_dashboard_says_a_feature_is_coming_later(client, username):
    html = await dashboard(client, username)
    assert not [p for p in PLACEHOLDERS if p in html], username
    assert "todo-summary" in html, "every role's dashboard opens with its to-do summary"


async def test_an_empty_list_says_so_plainly(client):
    html = await dashboard(client, "expert1")
    for key, words in (
        ("declarations", "没有待作的回避声明。"),
        ("scoring", "没有待评分的投标。"),
        ("report", "没有待提交的评审报告。"),
    ):
        assert count(html, key) == 0 and words in card(html, key)
    assert "目前没有等待您处理的事务。" in html


async def test_the_officer_sees_registrations_and_profiles_to_confirm(client):
    html = await dashboard(client, "officer")
    registrations = card(html, "registrations")
    assert count(html, "registrations") == 1 and "上城区邻里守望社区公益服务社" in registrations
    assert "/admin/organizations/" in registrations and "/approve" in registrations  # approve from the dashboard
    assert "/bureau/eligibility-profiles" in card(html, "profiles")


async def test_a_question_waits_on_the_officer_dashboard_until_it_is_answered(client):
    tender = await published_tender(client)
    member = await api_login(client, "xingfujia")
    for question in ("服务对象是否包含外来务工人员家庭？", "是否允许联合体投标？"):
        asked = await client.post(
            f"/api/v1/tenders/{tender['id']}/questions", headers=member, json={"question": question}
        )
        assert asked.status_code == 201, asked.text
    html = await dashboard(client, "officer")
    questions = card(html, "questions")
    assert count(html, "questions") == 1 and "2 个问题待答复" in questions
    assert f"/bureau/tenders/{tender['id']}#questions" in questions
    # Another bureau's officer has no questions of ours to answer.
    assert count(await dashboard(client, "qingbo"), "questions") == 0

    officer = await api_login(client, "officer")
    staff = (await client.get(f"/api/v1/tenders/{tender['id']}", headers=officer)).json()
    for q in staff["questions"]:
        answered = await client.post(
            f"/api/v1/questions/{q['id']}/answer", headers=officer, json={"answer": "包含，详见招标文件第二章。"}
        )
        assert answered.status_code == 200, answered.text
    assert count(await dashboard(client, "officer"), "questions") == 0


def unchanging(html: str) -> str:
    """A page without what differs between two renders of the same data (CSRF tokens, the clock)."""
    html = re.sub(r'name="_csrf_token" value="[^"]+"', "", html)
    return re.sub(r"当前时间 [\d: -]+", "", html)


async def test_closing_soon_means_within_seven_days_and_never_says_who_bid(client):
    soon = await published_tender(client, title="三日后截止的项目")
    await due_in(soon, 3)
    await published_tender(client, deadline_days=25, title="二十五日后截止的项目")
    before = await dashboard(client, "officer")
    assert "三日后截止的项目" in card(before, "closing") and "二十五日后截止的项目" not in card(before, "closing")

    await submitted(client, "yile", soon)
    # Invariant 2: a bid changes nothing on the officer's or finance's dashboard before the opening.
    assert unchanging(await dashboard(client, "officer")) == unchanging(before)
    finance = await dashboard(client, "finance")
    await submitted(client, "xingfujia", soon)
    assert unchanging(await dashboard(client, "finance")) == unchanging(finance)


async def test_an_opened_tender_waits_for_its_qualification_review_then_its_panel(client):
    tender_id, officer = await opened_tender(client)
    html = await dashboard(client, "officer")
    assert "3 份投标待资格审查" in card(html, "qualification")
    assert count(html, "panels") == 0  # the panel comes after the buyer's 资格审查 (rule 41)
    await qualify_all(client, officer, tender_id)
    html = await dashboard(client, "officer")
    assert count(html, "qualification") == 0
    assert f"/tenders/{tender_id}/evaluation" in card(html, "panels")


async def test_the_evaluation_moves_through_the_experts_in_the_laws_order(client):
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id)
    logins = await member_logins(client, panel)
    seats = {m["id"]: m["user_id"] for m in panel["members"] if m["id"] in logins}
    first_seat = next(iter(seats))
    username = await username_of(seats[first_seat])
    html = await dashboard(client, username)
    assert count(html, "declarations") == 1 and f"/review/panels/{panel['id']}" in card(html, "declarations")
    assert count(await dashboard(client, "officer"), "panels") == 0  # drawn

    await declare_all(client, panel, logins)
    html = await dashboard(client, username)
    assert count(html, "declarations") == 0 and count(html, "chair") == 1

    await elect_chair(client, panel, logins, first_seat)
    chair = await chair_headers(panel, logins)
    html = await dashboard(client, username)  # the first seat is the chair now
    assert count(html, "chair") == 0
    assert "3 份投标待记录符合性审查结论" in card(html, "compliance")
    other = await username_of(next(u for seat, u in seats.items() if seat != first_seat))
    assert count(await dashboard(client, other), "compliance") == 0  # only the chair records it

    await comply_all(client, chair, tender_id)
    html = await dashboard(client, other)
    assert "还有 3 份投标待评分（共 3 份）" in card(html, "scoring")

    bids = await bids_by_org(tender_id)
    saved = await client.put(
        f"/api/v1/bids/{bids['幸福家']}/score-sheet", headers=logins[first_seat], json=sheet(DEFAULT_SCORES["幸福家"])
    )
    assert saved.status_code == 200, saved.text
    assert "还有 2 份投标待评分（共 3 份）" in card(await dashboard(client, username), "scoring")
    assert "评标委员会评审中" in card(await dashboard(client, "officer"), "reports")


async def test_the_chair_delivers_and_the_officer_awards_before_the_due_day(client):
    tender_id, _officer, panel, _logins, chair = await evaluated(client, deliver=False)
    seat = (
        await PanelMember.select(PanelMember.user)
        .where((PanelMember.panel == panel["id"]) & (PanelMember.is_chair == True))
        .first()
    )
    chair_name = await username_of(seat["user"])
    html = await dashboard(client, chair_name)
    assert count(html, "report") == 1 and "报告应送达" in card(html, "report")
    officer_html = await dashboard(client, "officer")
    assert "评分已结束，等待评标委员会提交评审报告" in card(officer_html, "reports")

    delivered = await deliver_report(client, chair, tender_id)
    assert delivered.status_code == 200, delivered.text
    assert count(await dashboard(client, chair_name), "report") == 0
    awards = card(await dashboard(client, "officer"), "awards")
    assert f"/tenders/{tender_id}/award" in awards and "定标期限" in awards


async def test_a_challenge_shows_its_answer_due_day_to_the_buyer_and_the_challenger(client):
    tender_id, *_rest = await awarded(client)
    filed, _headers = await challenge(client, tender_id, "yile")
    assert filed.status_code == 201, filed.text
    due = filed.json()["answer_due_on"]
    officer_html = await dashboard(client, "officer")
    assert due in card(officer_html, "challenges") and "质疑待书面答复" in card(officer_html, "challenges")
    mine = card(await dashboard(client, "yile"), "own_challenges")
    assert due in mine and "等待采购人书面答复" in mine
    assert count(await dashboard(client, "xingfujia"), "own_challenges") == 0
    results = card(await dashboard(client, "xingfujia"), "results")
    assert "中标（成交）" in results and "/result" in results


async def test_an_organization_follows_its_bid_from_open_tender_to_submitted(client):
    tender = await published_tender(client, title="幸福家可投的项目")
    html = await dashboard(client, "xingfujia")
    assert "幸福家可投的项目" in card(html, "open_tenders")
    assert f"/org/tenders/{tender['id']}/bid" in card(html, "open_tenders")

    bid, headers = await draft_bid(client, "xingfujia", tender)
    html = await dashboard(client, "xingfujia")
    assert "幸福家可投的项目" not in card(html, "open_tenders")
    assert f"/org/bids/{bid['id']}" in card(html, "bid_drafts") and "尚未提交" in card(html, "bid_drafts")

    assert (await upload(client, headers, bid["id"], "投标文件.pdf", PDF)).status_code == 201
    done = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=headers)
    assert done.status_code == 200, done.text
    html = await dashboard(client, "xingfujia")
    assert count(html, "bid_drafts") == 0
    assert f"/org/bids/{bid['id']}" in card(html, "bids_submitted")

    withdrawn = await client.post(f"/api/v1/bids/{bid['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert "已撤回" in card(await dashboard(client, "xingfujia"), "bid_drafts")
    # Another organization's dashboard never shows it.
    assert f"/org/bids/{bid['id']}" not in await dashboard(client, "yile")


async def test_a_submitted_bid_past_its_opening_time_says_it_waits_for_the_opening(client):
    """Reads never trust the scheduler: with no opening done yet, a bid whose opening time has
    passed no longer reads "before the opening" on its organization's dashboard."""
    tender = await published_tender(client, title="等待开标的项目")
    bid, _headers = await submitted(client, "xingfujia", tender)

    def entry(html: str) -> str:  # this bid's line of the card (the demo has bids of its own there)
        lines = re.findall(r"<li\b.*?</li>", card(html, "bids_submitted"), re.S)
        return next(line for line in lines if f"/org/bids/{bid['id']}" in line)

    before = entry(await dashboard(client, "xingfujia"))
    assert "已提交，开标前他人无法查看" in before and "开标时间已到" not in before
    opening = (await Tender.select(Tender.opening_at).where(Tender.id == tender["id"]).first())["opening_at"]
    with clock.frozen(opening + timedelta(seconds=1)):
        after = entry(await dashboard(client, "xingfujia"))
    assert "开标时间已到，等待系统开标" in after and "开标前他人无法查看" not in after


async def test_an_invited_tender_is_offered_only_to_the_invited(client):
    orgs = {
        r["name"]: r["id"]
        for r in await Organization.select(Organization.id, Organization.name).where(Organization.kind == "social_org")
    }
    invited = [
        orgs["杭州市上城区幸福家社会工作服务中心"],
        orgs["上城区清波颐乐养老服务社"],
        orgs["上城区阳光青少年成长服务中心"],
    ]
    await published_tender(client, title="只邀请三家的项目", method="invited_tender", invited_org_ids=invited[:3])
    assert "只邀请三家的项目" in card(await dashboard(client, "xingfujia"), "open_tenders")
    await Tender.update({Tender.invited_org_ids: f"[{invited[1]}, {invited[2]}, 999999]"}).where(
        Tender.title == "只邀请三家的项目"
    )
    assert "只邀请三家的项目" not in text(await dashboard(client, "xingfujia"))


async def pay(client, tender: dict, organization: str) -> str:
    """Finance records the organization's bond by its reference, as a bank statement quotes it."""
    bond = (
        await BidBond.select(BidBond.reference)
        .where((BidBond.tender == tender["id"]) & (BidBond.organization.name == organization))
        .first()
    )
    finance = await api_login(client, "finance")
    paid = await client.post("/api/v1/bid-bonds/payments", headers=finance, json={"reference": bond["reference"]})
    assert paid.status_code == 200, paid.text
    return bond["reference"]


async def open_now(client, tender: dict) -> None:
    await due_in(tender, -0.01)
    officer = await api_login(client, "officer")
    assert (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).status_code == 200


async def test_finance_records_bonds_and_sees_sealed_ones_by_reference_only(client):
    tender = await published_tender(client, title="保证金测试项目")
    await submitted(client, "yangguang", tender)
    await submitted(client, "yile", tender)
    assert "BZJ" not in await dashboard(client, "finance")  # unpaid and sealed: not even a reference
    reference = await pay(client, tender, "上城区阳光青少年成长服务中心")
    html = await dashboard(client, "finance")
    assert reference in card(html, "bonds_sealed")
    assert "保证金测试项目" not in text(html) and "上城区阳光青少年成长服务中心" not in text(html)

    # After the opening (two bids: the tender fails, rule 18) the unpaid bond names its bidder.
    await open_now(client, tender)
    html = await dashboard(client, "finance")
    unpaid = card(html, "bonds_unpaid")
    assert "保证金测试项目" in unpaid and "上城区清波颐乐养老服务社" in unpaid and "登记已缴" in unpaid
    assert count(html, "bonds_sealed") == 0


async def test_bonds_fall_due_for_refund_on_the_officers_and_finances_dashboards(client):
    """A tender with one bid fails at the opening (rule 18); its bond falls due for refund."""
    tender = await published_tender(client, title="只有一家投标的项目")
    await submitted(client, "yile", tender)
    await pay(client, tender, "上城区清波颐乐养老服务社")
    await open_now(client, tender)
    for username in ("officer", "finance"):
        refunds = card(await dashboard(client, username), "refunds")
        assert "只有一家投标的项目" in refunds and "应退日期" in refunds, username
    assert count(await dashboard(client, "qingbo"), "refunds") == 0  # another buyer's bonds


async def test_the_administrator_sees_locked_accounts_and_missing_holidays(client):
    for _attempt in range(5):
        await client.post("/api/v1/auth/login", json={"username": "yile", "password": "wrong-password-1"})
    html = await dashboard(client, "admin")
    locked = card(html, "locked")
    assert count(html, "locked") == 1 and "yile" in locked and "自动解锁于" in locked
    years = card(html, "holidays")
    assert str(clock.today_local().year + 1) in years or "已齐备" in years


async def test_an_evaluator_sees_unread_messages_as_what_waits(client):
    evaluator = await User.select(User.id).where(User.username == "pinggu").first()
    before = count(await dashboard(client, "pinggu"), "unread")
    async with db.transaction():
        await notify("tender.cancelled", [evaluator["id"]], {"title": "某项目", "reason": "测试", "link": "/notices"})
    html = await dashboard(client, "pinggu")
    assert count(html, "unread") == before + 1 and "项目终止：某项目" in card(html, "unread")


# --------------------------------------------------------------------------- speed: no query per row


class Queries:
    def __init__(self) -> None:
        self.n = 0


@pytest.fixture
def queries(monkeypatch):
    counter = Queries()
    engine_type = type(db.get_engine())
    original = engine_type.run_querystring

    async def counting(self, *args, **kwargs):
        counter.n += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counting)
    return counter


async def _queries_for(client, username: str, queries: Queries) -> int:
    """The queries of one build of ``username``'s dashboard. Kept copies are dropped first: a
    kept copy is one query whatever the rows, and the turn of a minute between a first GET and
    a counted second one made CI count a build once (13 against 1)."""
    await page_login(client, username)
    kept.clear()
    start = queries.n
    assert (await client.get("/dashboard")).status_code == 200
    used = queries.n - start
    client.cookies.clear()
    return used


async def test_more_rows_do_not_mean_more_queries(client, queries):
    """One draft and one question, then three of each: the dashboards read the same number of times."""
    first = await published_tender(client, title="第一个项目")
    await draft_bid(client, "xingfujia", first)
    member = await api_login(client, "xingfujia")
    await client.post(
        f"/api/v1/tenders/{first['id']}/questions", headers=member, json={"question": "第一个问题？请答复。"}
    )
    org_one = await _queries_for(client, "xingfujia", queries)
    officer_one = await _queries_for(client, "officer", queries)

    for n in range(2):
        other = await published_tender(client, title=f"又一个项目{n}")
        await draft_bid(client, "xingfujia", other)
        await client.post(
            f"/api/v1/tenders/{other['id']}/questions", headers=member, json={"question": "又一个问题？请答复。"}
        )
    assert await _queries_for(client, "xingfujia", queries) == org_one
    assert await _queries_for(client, "officer", queries) == officer_one


async def test_dates_on_the_dashboard_are_beijing_dates(client):
    """A deadline at 07:30 Beijing time (23:30 UTC the day before) shows its Beijing day."""
    day = clock.today_local() + timedelta(days=4)
    tender = await published_tender(client, title="早晨截止的项目")
    at = clock.to_utc(datetime(day.year, day.month, day.day, 7, 30))
    await Tender.update({Tender.bid_deadline: at, Tender.opening_at: at}).where(Tender.id == tender["id"])
    closing = text(card(await dashboard(client, "officer"), "closing"))
    assert f"{day:%Y-%m-%d} 07:30" in closing
    assert f"{day - timedelta(days=1):%Y-%m-%d}" not in closing
