"""Evaluation panels through the JSON API on a real database (SQLite, or
PostgreSQL with DATABASE_URL): the expert pool, drawing the panel of the
opened demo tender (rule 19) without the experts conflicted with its bidders
(rule 20), re-running the audited draw, 回避声明 and replacements
(invariant 5), and the refusals: another bureau, before the opening, sizes."""

from __future__ import annotations

import json
import re

from procurement.accounts.tables import User
from procurement.bids.tables import Bid
from procurement.core.tables import AuditEvent
from procurement.evaluation import rules
from procurement.evaluation.demo import load_demo_experts
from procurement.evaluation.tables import PanelMember
from procurement.tenders.tables import Tender
from tests.integration.conftest import api_login

CLOSED_DEMO = "湖滨街道社区矫正对象帮教服务项目"  # past its deadline, three submitted bids
OPEN_DEMO = "清波街道居家养老上门服务项目"  # still accepting bids
CONFLICTED = {"expert2", "expert3"}  # ex-employee of 幸福家; relative heads 阳光
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------- helpers


async def user_ids() -> dict[str, int]:
    rows = await User.select(User.id, User.username).where(User.username.like("expert%"))
    return {r["username"]: r["id"] for r in rows}


async def usernames() -> dict[int, str]:
    return {v: k for k, v in (await user_ids()).items()}


async def opened_demo(client) -> tuple[int, dict]:
    """The demo tender past its deadline, opened by reading its opening record as the officer,
    and its three bids qualified by the buyer (the panel comes after 资格审查, rule 41)."""
    officer = await api_login(client, "officer")
    tender = await Tender.select(Tender.id).where(Tender.title == CLOSED_DEMO).first()
    record = await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)
    assert record.status_code == 200, record.text
    assert record.json()["valid_bids"] == 3
    for bid in await Bid.select(Bid.id).where(Bid.tender == tender["id"]):  # the buyer's 资格审查 (rule 41)
        qualified = await client.post(f"/api/v1/bids/{bid['id']}/qualification", headers=officer, json={"passed": True})
        assert qualified.status_code == 200, qualified.text
    return tender["id"], officer


async def expected_candidates() -> list[int]:
    """Correction experts of the demo without a conflict with the three bidders."""
    ids = await user_ids()
    return sorted(ids[f"expert{i}"] for i in (1, 4, 5, 6, 7))


async def draw(client, officer, tender_id: int, size: int, rep: bool):
    return await client.post(
        f"/api/v1/tenders/{tender_id}/panel/", headers=officer, json={"size": size, "include_buyer_rep": rep}
    )


async def audit_rows(action: str) -> list[dict]:
    rows = await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [json.loads(r["after"]) for r in rows]


def assert_chinese_problem(response, *statuses: int) -> str:
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


def experts_of(panel: dict) -> list[dict]:
    return [m for m in panel["members"] if m["kind"] == "expert"]


# --------------------------------------------------------------------------- expert pool


async def test_an_expert_keeps_their_own_profile_and_the_bureau_lists_the_pool(client):
    await load_demo_experts()
    expert = await api_login(client, "expert1")
    mine = await client.get("/api/v1/experts/me", headers=expert)
    assert mine.status_code == 200, mine.text
    assert mine.json()["expertise"] == ["correction", "youth"]
    body = {
        "expertise": ["youth"],
        "employer_name": "浙江工业大学",
        "available": False,
        "employment_history": [{"name": "某基金会", "role": "supervisor", "from": "2020-01-01", "to": "2021-01-01"}],
    }
    updated = await client.put("/api/v1/experts/me", headers=expert, json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["available"] is False
    assert updated.json()["employment_history"][0]["from"] == "2020-01-01"
    bad = await client.put("/api/v1/experts/me", headers=expert, json={**body, "employer_organization_id": 999_999})
    assert_chinese_problem(bad, 422)

    pool = await client.get("/api/v1/experts/", headers=await api_login(client, "officer"))
    assert pool.status_code == 200, pool.text
    assert len(pool.json()) == 7 and all(e["has_profile"] for e in pool.json())
    for outsider in ("yile", "expert2"):
        assert_chinese_problem(await client.get("/api/v1/experts/", headers=await api_login(client, outsider)), 403)
    officer_profile = await client.get("/api/v1/experts/me", headers=await api_login(client, "officer"))
    assert_chinese_problem(officer_profile, 403)


# --------------------------------------------------------------------------- drawing (rules 19, 20)


async def test_the_officer_draws_a_conflict_free_panel_that_anyone_can_redraw(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    candidates = await expected_candidates()
    # Five candidates: a panel of 5 with the buyer's representative keeps one in reserve.
    size, rep = (5, True) if len(candidates) >= 5 else (3, True)
    response = await draw(client, officer, tender_id, size, rep)
    assert response.status_code == 201, response.text
    panel = response.json()
    names = await usernames()

    assert len(panel["members"]) == size
    experts = experts_of(panel)
    assert len(experts) == size - 1
    assert not {names[m["user_id"]] for m in experts} & CONFLICTED
    assert all(m["status"] == "drawn" for m in panel["members"])
    assert not any(m["is_chair"] for m in panel["members"]), "the members elect the chair; nobody chairs by lot"
    assert panel["votes_needed"] == 3 and panel["chair_chosen_how"] == ""
    [rep_member] = [m for m in panel["members"] if m["kind"] == "buyer_rep"]
    assert (
        rep_member["is_chair"] is False
        and rep_member["user_id"] == (await User.select(User.id).where(User.username == "officer").first())["id"]
    ), "the drawing officer represents the buyer unless another staff member is named"

    [audited] = await audit_rows("panel.drawn")
    assert audited["candidates"] == candidates == panel["candidates"]
    assert audited["seed"] == panel["seed"] and len(audited["seed"]) == 32
    assert rules.draw(audited["candidates"], audited["experts"], audited["seed"]) == [m["user_id"] for m in experts]
    excluded = {names[int(k)] for k in audited["excluded"]}
    assert excluded == CONFLICTED

    again = await draw(client, officer, tender_id, size, rep)
    assert_chinese_problem(again, 409)
    shown = await client.get(f"/api/v1/tenders/{tender_id}/panel/", headers=officer)
    assert shown.status_code == 200 and shown.json()["id"] == panel["id"]


async def test_a_declared_conflict_removes_the_member_and_a_replacement_is_drawn(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    panel = (await draw(client, officer, tender_id, 5, True)).json()
    names = await usernames()
    chair, second = experts_of(panel)[:2]
    reserve = sorted(set(panel["candidates"]) - {m["user_id"] for m in experts_of(panel)})

    chair_login = await api_login(client, names[chair["user_id"]])
    declared = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration",
        headers=chair_login,
        json={"no_conflict": False, "note": "本人曾为该项目某投标人提供督导服务"},
    )
    assert declared.status_code == 200, declared.text
    after = declared.json()
    removed = next(m for m in after["members"] if m["id"] == chair["id"])
    assert removed["status"] == "removed_conflict" and removed["is_chair"] is False
    assert removed["declared_at"] and "督导" in removed["removed_reason"]
    replacement = after["members"][-1]
    assert replacement["user_id"] == reserve[0] and replacement["status"] == "drawn"
    assert replacement["is_chair"] is False and not any(m["is_chair"] for m in after["members"])
    seated = [m for m in after["members"] if m["status"] in ("drawn", "declared_no_conflict")]
    assert len(seated) == 5

    [redraw] = await audit_rows("panel.replacement_drawn")
    assert redraw["candidates"] == reserve
    assert rules.draw(redraw["candidates"], 1, redraw["seed"]) == [replacement["user_id"]]
    assert await audit_rows("panel.conflict_declared")

    # The removed expert cannot declare again; the second declares no conflict, once.
    assert_chinese_problem(
        await client.post(f"/api/v1/panels/{panel['id']}/declaration", headers=chair_login, json={"no_conflict": True}),
        409,
    )
    second_login = await api_login(client, names[second["user_id"]])
    ok = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration", headers=second_login, json={"no_conflict": True}
    )
    assert ok.status_code == 200, ok.text
    assert next(m for m in ok.json()["members"] if m["id"] == second["id"])["status"] == "declared_no_conflict"
    twice = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration", headers=second_login, json={"no_conflict": True}
    )
    assert_chinese_problem(twice, 409)
    # An expert who is not on the panel declares nothing.
    outsider = next(u for u, i in (await user_ids()).items() if u in CONFLICTED)
    refused = await client.post(
        f"/api/v1/panels/{panel['id']}/declaration",
        headers=await api_login(client, outsider),
        json={"no_conflict": True},
    )
    assert_chinese_problem(refused, 403)


async def test_the_officer_replaces_a_member_and_an_exhausted_pool_is_said_plainly(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    panel = (await draw(client, officer, tender_id, 5, False)).json()  # all five candidates are drawn
    assert len(experts_of(panel)) == 5
    target = experts_of(panel)[2]
    other_bureau = await api_login(client, "qingbo")
    url = f"/api/v1/panels/members/{target['id']}/replace"
    assert_chinese_problem(await client.post(url, headers=other_bureau, json={"reason": "测试"}), 403)

    replaced = await client.post(url, headers=officer, json={"reason": "发现与投标人存在业务往来"})
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert next(m for m in body["members"] if m["id"] == target["id"])["status"] == "removed_conflict"
    assert "未能补抽" in body["note"] and len(body["members"]) == 5
    assert await audit_rows("panel.member_removed") and await audit_rows("panel.replacement_unavailable")
    assert_chinese_problem(await client.post(url, headers=officer, json={"reason": "再次移出"}), 409)


async def test_a_replacement_drawn_by_the_officer_comes_from_the_reserve(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    panel = (await draw(client, officer, tender_id, 5, True)).json()
    reserve = sorted(set(panel["candidates"]) - {m["user_id"] for m in experts_of(panel)})
    rep_member = next(m for m in panel["members"] if m["kind"] == "buyer_rep")
    refused = await client.post(
        f"/api/v1/panels/members/{rep_member['id']}/replace", headers=officer, json={"reason": "采购人代表更换"}
    )
    assert_chinese_problem(refused, 422)
    target = experts_of(panel)[1]
    replaced = await client.post(
        f"/api/v1/panels/members/{target['id']}/replace", headers=officer, json={"reason": "专家临时出差"}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["members"][-1]["user_id"] == reserve[0]
    assert await PanelMember.count().where(PanelMember.panel == panel["id"]) == 6


# --------------------------------------------------------------------------- refusals


async def test_another_bureaus_officer_cannot_draw_or_see_the_panel(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    for username in ("qingbo", "expert1", "yile"):
        headers = await api_login(client, username)
        assert_chinese_problem(await draw(client, headers, tender_id, 5, True), 403)
    assert (await draw(client, officer, tender_id, 5, True)).status_code == 201
    for username in ("qingbo", "yile", "expert2"):
        headers = await api_login(client, username)
        assert_chinese_problem(await client.get(f"/api/v1/tenders/{tender_id}/panel/", headers=headers), 403)
    member = await api_login(
        client,
        (await usernames())[
            (await PanelMember.select(PanelMember.user).where(PanelMember.user.is_not_null()).first())["user"]
        ],
    )
    assert (await client.get(f"/api/v1/tenders/{tender_id}/panel/", headers=member)).status_code == 200


async def test_drawing_before_the_opening_is_refused(client):
    await load_demo_experts()
    officer = await api_login(client, "officer")
    tender = await Tender.select(Tender.id).where(Tender.title == OPEN_DEMO).first()
    detail = assert_chinese_problem(await draw(client, officer, tender["id"], 5, True), 409, 422)
    assert "开标" in detail
    assert not await audit_rows("panel.drawn")


async def test_panel_sizes_against_rule_19_and_too_few_candidates(client):
    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    # Even, or too small for an open tender (rule 19).
    for size, rep in ((4, False), (3, False), (6, True)):
        detail = assert_chinese_problem(await draw(client, officer, tender_id, size, rep), 422)
        assert "《政府采购货物和服务招标投标管理办法》第四十七条" in detail
    # 7 members need 6 experts with one representative: only 5 candidates.
    detail = assert_chinese_problem(await draw(client, officer, tender_id, 7, True), 409)
    assert "《政府采购货物和服务招标投标管理办法》第四十七条" in detail and "5 名" in detail
    assert not await audit_rows("panel.drawn")


# --------------------------------------------------------------------------- races (invariants 3, 4)


async def test_simultaneous_draws_and_declarations_change_things_once(client):
    import asyncio

    await load_demo_experts()
    tender_id, officer = await opened_demo(client)
    first, second = await asyncio.gather(
        draw(client, officer, tender_id, 5, True), draw(client, officer, tender_id, 5, True)
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    panel = (first if first.status_code == 201 else second).json()
    assert len(await audit_rows("panel.drawn")) == 1

    chair = experts_of(panel)[0]
    login = await api_login(client, (await usernames())[chair["user_id"]])
    url = f"/api/v1/panels/{panel['id']}/declaration"
    answers = await asyncio.gather(*[client.post(url, headers=login, json={"no_conflict": False}) for _ in range(3)])
    assert sorted(a.status_code for a in answers) == [200, 409, 409], [a.text for a in answers]
    assert len(await audit_rows("panel.replacement_drawn")) == 1
    assert await PanelMember.count().where(PanelMember.panel == panel["id"]) == 6
