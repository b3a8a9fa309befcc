"""The bureau's review of eligibility profiles (rules 2–6, issue 10 §4): a newly registered
organization files its profile, a bureau officer finds it on the review list, returns it
with a reason, the organization reads the reason and fixes it, the officer confirms it, and
the organization can bid. Through the API and through the pages; with the inbox messages on
each side, the version a review names, and refusals that change nothing."""

from __future__ import annotations

import re

from procurement.accounts.tables import User
from procurement.bids import profiles
from procurement.bids.tables import Bid, BidSubmission, EligibilityProfile
from procurement.core.auth import CurrentUser
from procurement.core.tables import AuditEvent, InboxItem
from procurement.demo import make_credit_code
from procurement.tenders.eligibility_terms import annual_report_year_for
from procurement.tenders.tables import TenderLot
from tests.integration.bid_helpers import PDF, published_tender, upload
from tests.integration.conftest import api_login, csrf_from, page_login, post_form
from tests.integration.test_bids_api import member

NEW_ORG = "上城区紫阳社区睦邻服务中心"
REGISTRATION = {
    "name": NEW_ORG,
    "credit_code": make_credit_code("52", "330102", "MA2HF0A1"),
    "legal_representative": "刘洋",
    "contact_name": "刘洋",
    "contact_phone": "13812345678",
    "username": "muling",
    "display_name": "刘洋",
    "password": "Zhuzhou2026abc",
}


def _profile_body(**overrides) -> dict:
    year = annual_report_year_for(None)
    body = {
        "registration_type": "social_service",
        "registration_date": "2019-04-01",
        "charter_scope": "社区睦邻互助、为老助残、青少年课后服务",
        "grade": "3A",
        "grade_awarded_on": "2023-05-10",
        "annual_reports": {str(year): "passed", str(year - 1): "passed"},
        "list_entries": [{"list": "abnormal", "entered_on": "2020-03-01", "removed_on": "2020-09-01"}],
        "violations": [],
    }
    body.update(overrides)
    return body


async def _registered(client) -> tuple[dict, int]:
    """The new organization, registered and approved: its member's API headers and its id."""
    response = await client.post("/api/v1/organizations/register", json=REGISTRATION)
    assert response.status_code == 201, response.text
    org_id = response.json()["id"]
    officer = await api_login(client, "officer")
    approved = await client.post(f"/api/v1/organizations/{org_id}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    return await api_login(client, REGISTRATION["username"], REGISTRATION["password"]), org_id


async def _inbox(username: str, event: str) -> list[dict]:
    user = await User.select(User.id).where(User.username == username).first()
    return await InboxItem.select().where((InboxItem.recipient == user["id"]) & (InboxItem.event == event))


async def _status(org_id: int) -> str:
    row = await EligibilityProfile.select(EligibilityProfile.status).where(EligibilityProfile.organization == org_id)
    return row[0]["status"]


# --------------------------------------------------------------------------- the API journey


async def test_a_new_organization_files_is_returned_fixes_is_confirmed_and_bids_through_the_api(client):
    org, org_id = await _registered(client)
    officer = await api_login(client, "officer")
    tender = await published_tender(client)

    # Filed: it waits, the officers are told, and it cannot bid yet.
    filed = await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())
    assert filed.status_code == 200, filed.text
    body = filed.json()
    assert (body["status"], body["status_label"], body["version"]) == ("pending", "待确认", 1)
    assert any("等待民政局确认" in m for m in body["missing"])
    told = [m for m in await _inbox("officer", "eligibility.filed") if NEW_ORG in m["title"]]  # the demo filed too
    assert (
        len(told) == 1 and NEW_ORG in told[0]["title"] and told[0]["link"] == f"/bureau/eligibility-profiles/{org_id}"
    )
    assert await _inbox("admin", "eligibility.filed")  # administrators may confirm too
    assert not await _inbox("finance", "eligibility.filed")
    check = (await client.get(f"/api/v1/eligibility/tenders/{tender['id']}", headers=org)).json()
    assert check["eligible"] is False

    # The officer finds it on the list of those waiting.
    waiting = await client.get("/api/v1/eligibility/profiles", params={"status": "pending"}, headers=officer)
    assert waiting.status_code == 200, waiting.text
    assert [p["organization_name"] for p in waiting.json()] == [NEW_ORG]
    assert await profiles.profiles_awaiting_review(await member("xingfujia")) == 0  # not theirs to confirm
    full = await client.get(f"/api/v1/eligibility/profiles/{org_id}", headers=officer)
    assert full.json()["list_entries"][0]["entered_on"] == "2020-03-01"

    # Returned with a reason: the organization is told and reads it.
    reason = "2020 年被列入活动异常名录的移出日期与公示系统不符，请核对后更正。"
    returned = await client.post(
        f"/api/v1/eligibility/profile/{org_id}/return", headers=officer, json={"reason": reason, "version": 1}
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    mine = (await client.get("/api/v1/eligibility/profile", headers=org)).json()
    assert mine["status"] == "returned" and mine["returned_reason"] == reason
    assert any("被民政局退回" in m for m in mine["missing"])
    letters = await _inbox("muling", "eligibility.returned")
    assert len(letters) == 1 and reason in letters[0]["body"]
    check = (await client.get(f"/api/v1/eligibility/tenders/{tender['id']}", headers=org)).json()
    assert check["eligible"] is False
    assert any("被民政局退回" in c["reason"] and "公示系统不符" in c["reason"] for c in check["checks"])
    decided = (await client.get("/api/v1/eligibility/profiles", params={"status": "decided"}, headers=officer)).json()
    assert decided[0]["organization_name"] == NEW_ORG and decided[0]["returned_reason"] == reason

    # Fixed: pending again (version 2), the officers are told it changed.
    fixed = _profile_body(list_entries=[{"list": "abnormal", "entered_on": "2020-03-01", "removed_on": "2020-10-15"}])
    again = await client.put("/api/v1/eligibility/profile", headers=org, json=fixed)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["version"]) == ("pending", 2)
    changed = await _inbox("officer", "eligibility.changed")
    assert len(changed) == 1 and "已退回" in changed[0]["body"]

    # Confirmed (naming the version read): the organization is told and can bid.
    confirmed = await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm?version=2", headers=officer)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["confirmed_at"] is not None
    assert len(await _inbox("muling", "eligibility.confirmed")) == 1
    assert await profiles.profiles_awaiting_review(await member("xingfujia")) == 0
    check = (await client.get(f"/api/v1/eligibility/tenders/{tender['id']}", headers=org)).json()
    assert check["eligible"] is True, check
    lot = await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender["id"]).first()
    created = await client.post("/api/v1/bids/", headers=org, json={"tender_id": tender["id"], "lot_id": lot["id"]})
    assert created.status_code == 201, created.text
    bid = created.json()
    team = [{"name": "负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS001"}]
    saved = await client.put(f"/api/v1/bids/{bid['id']}", headers=org, json={"price_fen": 35_000_000, "team": team})
    assert saved.status_code == 200, saved.text
    assert (await upload(client, org, bid["id"], "投标文件.pdf", PDF)).status_code == 201
    receipt = await client.post(f"/api/v1/bids/{bid['id']}/submit", headers=org)
    assert receipt.status_code == 200, receipt.text

    profile_id = (
        await EligibilityProfile.select(EligibilityProfile.id).where(EligibilityProfile.organization == org_id)
    )[0]["id"]
    rows = (
        await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity_type == "eligibility_profile") & (AuditEvent.entity_id == str(profile_id)))
        .order_by(AuditEvent.id)
    )
    assert [r["action"] for r in rows] == [
        "eligibility.filed",
        "eligibility.returned",
        "eligibility.updated",
        "eligibility.confirmed",
    ]


async def test_a_profile_changed_after_the_officer_read_it_is_not_confirmed_unseen(client):
    org, org_id = await _registered(client)
    officer = await api_login(client, "officer")
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    read = (await client.get(f"/api/v1/eligibility/profiles/{org_id}", headers=officer)).json()
    changed = _profile_body(charter_scope="社区睦邻互助")
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=changed)).status_code == 200
    stale = await client.post(
        f"/api/v1/eligibility/profile/{org_id}/confirm?version={read['version']}", headers=officer
    )
    assert stale.status_code == 409, stale.text
    assert "第 2 版" in stale.json()["detail"]
    stale_return = await client.post(
        f"/api/v1/eligibility/profile/{org_id}/return", headers=officer, json={"reason": "请补充", "version": 1}
    )
    assert stale_return.status_code == 409
    assert await _status(org_id) == "pending"
    assert not await _inbox("muling", "eligibility.confirmed") and not await _inbox("muling", "eligibility.returned")


async def test_a_return_without_a_reason_is_refused_and_changes_nothing(client):
    org, org_id = await _registered(client)
    officer = await api_login(client, "officer")
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    for reason in ("", "　 "):
        response = await client.post(
            f"/api/v1/eligibility/profile/{org_id}/return", headers=officer, json={"reason": reason}
        )
        assert response.status_code in (400, 422), response.text
        assert "reason" in response.json().get("errors", {}), response.json()
    assert await _status(org_id) == "pending"
    assert not await _inbox("muling", "eligibility.returned")


async def test_only_the_bureaus_officers_review_profiles(client):
    org, org_id = await _registered(client)
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    for username in ("xingfujia", "finance", "expert1", "muling"):
        headers = await api_login(
            client, username, REGISTRATION["password"] if username == "muling" else "Shangcheng2026"
        )
        assert (await client.get("/api/v1/eligibility/profiles", headers=headers)).status_code == 403, username
        confirm = await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=headers)
        assert confirm.status_code == 403, username
        returned = await client.post(
            f"/api/v1/eligibility/profile/{org_id}/return", headers=headers, json={"reason": "不行"}
        )
        assert returned.status_code == 403, username
    assert await _status(org_id) == "pending"


async def test_a_confirmed_profile_cannot_be_confirmed_twice_but_can_be_returned(client):
    org, org_id = await _registered(client)
    officer = await api_login(client, "officer")
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    assert (await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=officer)).status_code == 200
    twice = await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=officer)
    assert twice.status_code == 409, twice.text
    later = await client.post(
        f"/api/v1/eligibility/profile/{org_id}/return", headers=officer, json={"reason": "发现未申报的黑名单记录。"}
    )
    assert later.status_code == 200, later.text
    assert later.json()["status"] == "returned" and later.json()["confirmed_at"] is None


async def test_the_waiting_count_follows_the_statuses(client):
    assert await profiles.profiles_awaiting_review(await member("xingfujia")) == 0  # may not confirm
    row = await User.select().where(User.username == "officer").first()
    officer = CurrentUser(
        row["id"], "officer", "officer", "bureau_officer", row["organization"], "", "bureau", 0, "", "cli"
    )
    before = await profiles.profiles_awaiting_review(officer)
    org, org_id = await _registered(client)
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    assert await profiles.profiles_awaiting_review(officer) == before + 1
    headers = await api_login(client, "officer")
    assert (await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=headers)).status_code == 200
    assert await profiles.profiles_awaiting_review(officer) == before


# --------------------------------------------------------------------------- the pages


async def _login(client, username: str, password: str = "Shangcheng2026") -> None:
    client.cookies.clear()
    response = await page_login(client, username, password)
    assert response.status_code == 303, response.text


def _form(body: dict) -> dict:
    form = {
        k: body[k] for k in ("registration_type", "registration_date", "charter_scope", "grade", "grade_awarded_on")
    }
    form.update({f"annual_reports.{y}": s for y, s in body["annual_reports"].items()})
    for i, e in enumerate(body["list_entries"]):
        form.update({f"list_entries.{i}.{k}": v or "" for k, v in e.items()})
    return form


async def test_the_review_journey_through_the_pages(client):
    _org, org_id = await _registered(client)
    tender = await published_tender(client)
    password = REGISTRATION["password"]

    await _login(client, "muling", password)
    profile_page = await client.get("/org/profile")
    assert "尚未填写" in profile_page.text and "参与投标（申报）前还需要" in profile_page.text
    saved = await post_form(client, "/org/profile", "/org/profile", _form(_profile_body()))
    assert saved.status_code == 303, saved.text
    assert "待民政局确认" in (await client.get("/org/profile")).text

    await _login(client, "officer")
    listing = await client.get("/bureau/eligibility-profiles")
    assert (
        listing.status_code == 200
        and NEW_ORG in listing.text
        and f"/bureau/eligibility-profiles/{org_id}" in listing.text
    )
    detail = await client.get(f"/bureau/eligibility-profiles/{org_id}")
    assert detail.status_code == 200
    for shown in ("社区睦邻互助、为老助残", "2019-04-01", "3A", "活动异常名录", "2020-09-01", "社会服务机构"):
        assert shown in detail.text, shown
    assert f"/bureau/eligibility-profiles/{org_id}/confirm" in detail.text

    # The return page asks for the reason; without one, the same page and nothing changes.
    return_page = await client.get(f"/bureau/eligibility-profiles/{org_id}/return")
    assert "退回理由" in return_page.text and 'name="version" value="1"' in return_page.text
    empty = await client.post(
        f"/bureau/eligibility-profiles/{org_id}/return",
        data={"reason": "", "version": "1", "_csrf_token": csrf_from(return_page.text)},
    )
    assert empty.status_code in (400, 422) and "退回理由" in empty.text
    assert await _status(org_id) == "pending"
    reason = "登记日期与登记证书不一致，请按证书填写。"
    returned = await post_form(
        client,
        f"/bureau/eligibility-profiles/{org_id}/return",
        f"/bureau/eligibility-profiles/{org_id}/return",
        {"reason": reason, "version": "1"},
    )
    assert returned.status_code == 303 and returned.headers["location"] == "/bureau/eligibility-profiles"
    decided = await client.get("/bureau/eligibility-profiles?show=decided")
    assert NEW_ORG in decided.text and reason in decided.text

    await _login(client, "muling", password)
    mine = await client.get("/org/profile")
    assert "已退回修改" in mine.text and reason in mine.text
    inbox = await client.get("/inbox")
    assert "机构资格资料被退回修改" in inbox.text
    fixed = await post_form(
        client, "/org/profile", "/org/profile", _form(_profile_body(registration_date="2019-04-08"))
    )
    assert fixed.status_code == 303

    await _login(client, "officer")
    confirm_page = await client.get(f"/bureau/eligibility-profiles/{org_id}/confirm")
    assert confirm_page.status_code == 200 and "确认第 2 版资格资料" in confirm_page.text
    assert "2019-04-08" in confirm_page.text
    done = await client.post(
        f"/bureau/eligibility-profiles/{org_id}/confirm",
        data={"version": "2", "_csrf_token": csrf_from(confirm_page.text)},
    )
    assert done.status_code == 303, done.text
    assert await _status(org_id) == "confirmed"

    await _login(client, "muling", password)
    mine = await client.get("/org/profile")
    assert "已确认" in mine.text and "参与投标（申报）前还需要" not in mine.text
    workspace = await client.get(f"/org/tenders/{tender['id']}/bid")
    assert "全部符合" in workspace.text
    lot = re.search(r'name="lot_id" value="(\d+)"', workspace.text).group(1)
    created = await post_form(
        client, f"/org/tenders/{tender['id']}/bid", f"/org/tenders/{tender['id']}/bid", {"lot_id": lot}
    )
    assert created.status_code == 303 and re.fullmatch(r"/org/bids/\d+", created.headers["location"])


async def test_a_stale_confirmation_page_is_refused_with_the_message_and_changes_nothing(client):
    org, org_id = await _registered(client)
    assert (await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body())).status_code == 200
    await _login(client, "officer")
    confirm_page = await client.get(f"/bureau/eligibility-profiles/{org_id}/confirm")
    assert (
        await client.put("/api/v1/eligibility/profile", headers=org, json=_profile_body(grade="4A"))
    ).status_code == 200
    response = await client.post(
        f"/bureau/eligibility-profiles/{org_id}/confirm",
        data={"version": "1", "_csrf_token": csrf_from(confirm_page.text)},
    )
    assert response.status_code == 409 and "请重新核对" in response.text
    assert await _status(org_id) == "pending"


async def test_the_review_pages_are_for_the_bureau_only(client):
    await _login(client, "xingfujia")
    assert (await client.get("/bureau/eligibility-profiles")).status_code == 403
    demo_org = (await User.select(User.organization).where(User.username == "yile").first())["organization"]
    assert (await client.get(f"/bureau/eligibility-profiles/{demo_org}")).status_code == 403
    await _login(client, "finance")
    assert (await client.get("/bureau/eligibility-profiles")).status_code == 403


# --------------------------------------------------------------------------- one application per call (rule 4)


async def test_one_application_per_call_holds_across_lots_and_withdrawals(client):
    tender = await published_tender(
        client,
        lots=[
            {"name": "第一片区", "budget_fen": 20_000_000},
            {"name": "第二片区", "budget_fen": 20_000_000},
        ],
        bid_bond_fen=0,
        eligibility={"one_application": True},
    )
    lots = [
        r["id"]
        for r in await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender["id"]).order_by(TenderLot.number)
    ]
    yile = await api_login(client, "yile")
    first = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": tender["id"], "lot_id": lots[0]})
    assert first.status_code == 201, first.text
    refused = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": tender["id"], "lot_id": lots[1]})
    assert refused.status_code == 422 and "只能投标（申报）一次" in refused.json()["detail"]

    # Given up (withdrawn as a draft), another lot may be tried; the first cannot then come back.
    assert (await client.post(f"/api/v1/bids/{first.json()['id']}/withdraw", headers=yile)).status_code == 200
    second = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": tender["id"], "lot_id": lots[1]})
    assert second.status_code == 201, second.text
    for bid_id in (second.json()["id"], first.json()["id"]):
        saved = await client.put(
            f"/api/v1/bids/{bid_id}",
            headers=yile,
            json={"price_fen": 15_000_000, "team": [{"name": "负责人", "level": "intermediate", "role": "lead"}]},
        )
        assert saved.status_code == 200, saved.text
        assert (await upload(client, yile, bid_id, "投标文件.pdf", PDF + str(bid_id).encode())).status_code == 201
    assert (await client.post(f"/api/v1/bids/{second.json()['id']}/submit", headers=yile)).status_code == 200
    back = await client.post(f"/api/v1/bids/{first.json()['id']}/submit", headers=yile)
    assert back.status_code == 422, back.text
    assert "第二片区" in back.json()["errors"]["lot_id"]
    assert await BidSubmission.count().where(BidSubmission.bid == first.json()["id"]) == 0
    row = await Bid.select(Bid.status).where(Bid.id == first.json()["id"]).first()
    assert row["status"] == "withdrawn"


async def test_without_the_option_an_organization_may_bid_for_several_lots(client):
    tender = await published_tender(
        client,
        lots=[{"name": "第一片区", "budget_fen": 20_000_000}, {"name": "第二片区", "budget_fen": 20_000_000}],
    )
    lots = [r["id"] for r in await TenderLot.select(TenderLot.id).where(TenderLot.tender == tender["id"])]
    yile = await api_login(client, "yile")
    for lot in lots:
        created = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": tender["id"], "lot_id": lot})
        assert created.status_code == 201, created.text
