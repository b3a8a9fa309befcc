"""Social-worker rosters and teams (issue 13; rules 38–40, invariant 9): registering
and importing workers, the ID number masked and encrypted, team assignment with the
capacity check under concurrency, the requirement and promise gaps, replacements and
the workload. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import asyncio
import base64
import io
import subprocess
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from piccolo.querystring import QueryString

from contracts.staffing.roster import COLUMNS
from contracts.staffing.tables import SocialWorker, TeamMember
from procurement.core import clock, db
from procurement.core.tables import AuditEvent, InboxItem
from procurement.settings import get_settings
from tests.integration.conftest import api_login
from tests.integration.staffing_helpers import copies_of, id_number, register, signed_contract, worker_body

WORKERS = "/api/v1/social-workers/"
LEAD_CERT = "ZS2019001"  # the lead the demo bid promised (项目负责人, 社会工作师)


def team_url(contract_id: int, tail: str = "/") -> str:
    return f"/api/v1/contracts/{contract_id}/team{tail}"


async def assign(client, headers, contract_id, worker_id, role="worker", allocation=50, **extra):
    body = {"worker_id": worker_id, "role": role, "allocation": allocation, **extra}
    return await client.post(team_url(contract_id, "/members"), headers=headers, json=body)


async def promised_team(client, provider, contract_id):
    """A roster and a team that meets the demo contract's requirements and its promise:
    the named lead, two licensed workers."""
    lead = await register(client, provider, "陈立新", "intermediate", certificate_no=LEAD_CERT)
    one = await register(client, provider, "林小雨", "assistant")
    two = await register(client, provider, "周海燕", "assistant")
    for worker, role in ((lead, "lead"), (one, "worker"), (two, "worker")):
        done = await assign(client, provider, contract_id, worker["id"], role, 50)
        assert done.status_code == 201, done.text
    return lead, one, two


# --------------------------------------------------------------------------- the roster


async def test_an_id_number_with_a_wrong_check_digit_is_refused_and_nothing_is_saved(client):
    provider = await api_login(client, "xingfujia")
    good = id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = await client.post(WORKERS, headers=provider, json=worker_body("王小明", id_number=bad))
    assert response.status_code == 400, response.text  # the body's schema refuses it
    assert response.json()["errors"]["id_number"] == "身份证号码校验位不正确，请核对最后一位。"
    assert await SocialWorker.count() == 0
    assert (await client.post(WORKERS, headers=provider, json=worker_body("王小明", id_number=good))).status_code == 201
    again = await client.post(WORKERS, headers=provider, json=worker_body("王晓明", id_number=good))
    assert again.status_code == 409, again.text


async def test_the_id_number_is_masked_for_everyone_but_the_organization_and_the_bureaus_officers(client):
    provider = await api_login(client, "xingfujia")
    number = id_number("19851212")
    worker = await register(client, provider, "赵红梅", id_number=number)
    org = worker["organization_id"]
    masked = number[:4] + "*" * 10 + number[-4:]
    assert worker["id_number"] == number and not worker["id_masked"]
    before = await AuditEvent.count().where(AuditEvent.action == "staffing.id_number_viewed")
    views = (("xingfujia", True), ("officer", True), ("qingbo", True), ("finance", False), ("admin", False))
    for username, sees in views:
        headers = await api_login(client, username)
        listed = await client.get(WORKERS, headers=headers, params={"organization_id": org})
        assert listed.status_code == 200, (username, listed.text)
        assert (number in listed.text) is sees, username
        assert masked in listed.text or sees, username
    # Each unmasked view wrote an audit row naming the worker (个人信息保护法).
    seen = await AuditEvent.select().where(AuditEvent.action == "staffing.id_number_viewed")
    assert len(seen) - before == 3 and all(str(worker["id"]) in v["after"] for v in seen[-3:])
    for username in ("yile", "expert1", "pinggu"):  # another organization, an expert, an evaluator: no roster
        headers = await api_login(client, username)
        listed = await client.get(WORKERS, headers=headers, params={"organization_id": org})
        assert listed.status_code == 404 and number not in listed.text


def _stored_bytes(path: Path) -> bytes:
    """The database file and its WAL, read by a child process. Never open() them in this
    process: closing any descriptor of a file drops every POSIX lock this process holds on
    it, SQLite's own included (sqlite.org/howtocorrupt.html §2.2). A later CLI subprocess
    then took itself for the last connection and deleted the -wal and -shm still in use
    here: the next new pooled connection failed with "disk I/O error" (CI, stop 22)."""
    files = [str(f) for f in (path, Path(f"{path}-wal")) if f.exists()]  # exists(): a stat, no descriptor
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout


async def test_the_id_number_is_never_stored_in_plain_text(client):
    provider = await api_login(client, "xingfujia")
    number = id_number("19770707")
    await register(client, provider, "钱文静", id_number=number)
    row = await SocialWorker.select().first()
    assert number not in str(row)
    assert row["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    if db.is_sqlite():
        await db.get_engine().run_querystring(QueryString("PRAGMA wal_checkpoint(FULL)"))
        stored = _stored_bytes(Path(get_settings().sqlite_path))
        assert "钱文静".encode() in stored  # the right file: the worker's name is there in plain text
        assert number.encode() not in stored
    audit = await AuditEvent.select(AuditEvent.before, AuditEvent.after)
    assert all(number not in f"{a['before']}{a['after']}" for a in audit)


async def test_a_member_of_another_organization_cannot_change_a_worker(client):
    provider = await api_login(client, "xingfujia")
    worker = await register(client, provider, "孙志刚")
    other = await api_login(client, "yile")
    response = await client.put(f"{WORKERS}{worker['id']}", headers=other, json={"level": "senior"})
    assert response.status_code == 404
    officer = await api_login(client, "officer")
    response = await client.put(f"{WORKERS}{worker['id']}", headers=officer, json={"level": "senior"})
    assert response.status_code == 403
    done = await client.put(
        f"{WORKERS}{worker['id']}", headers=provider, json={"level": "senior", "certificate_no": "G1"}
    )
    assert done.status_code == 200 and done.json()["level"] == "senior"
    nulls = {"phone": None, "level": None, "certificate_no": None, "registration_expires": None}
    kept = await client.put(f"{WORKERS}{worker['id']}", headers=provider, json=nulls)
    assert kept.status_code == 200 and kept.json()["level"] == "senior" and kept.json()["phone"] == "13812345678"


# --------------------------------------------------------------------------- import


def _rows(good: list[str], bad_check: str) -> list[list[str]]:
    header = [h for h, _name in COLUMNS]
    return [
        header,
        ["吴建国", good[0], "13900001111", "在职", "2020-01-01", "", "社会工作师", "S001", "2019", "2028-12-31", "是"],
        ["郑丽", bad_check, "13900002222", "在职", "", "", "助理社会工作师", "A002", "2021", "", "否"],
        ["冯涛", good[1], "12345", "在岗", "", "", "社会工作师", "", "", "", "否"],
        ["何静", good[2], "", "", "", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "", "", ""],
        ["吴建华", good[0], "", "", "", "", "", "", "", "", ""],
    ]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8-sig")


async def test_an_import_with_errors_reports_them_row_by_row_and_imports_nothing_unless_asked(client):
    provider = await api_login(client, "xingfujia")
    for kind, make in (("xlsx", _xlsx), ("csv", _csv)):
        good = [id_number("19880808") for _ in range(3)]
        bad = good[0][:-1] + ("1" if good[0][-1] != "1" else "2")
        content = base64.b64encode(make(_rows(good, bad))).decode()
        before = await SocialWorker.count()
        body = {"filename": f"名册.{kind}", "content_base64": content}
        report = await client.post(f"{WORKERS}import", headers=provider, json=body)
        assert report.status_code == 200, report.text
        result = report.json()
        assert result["done"] is False and result["imported"] == 0 and result["rows"] == 5
        errors = {(e["row"], e["field"]) for e in result["errors"]}
        assert (3, "身份证号码") in errors  # the corrupted check digit
        assert {(4, "手机号码"), (4, "在职状态"), (4, "证书编号")} <= errors
        assert (7, "身份证号码") in errors  # the same number as row 2
        assert all(e["row"] not in (2, 5, 6) for e in result["errors"])
        assert await SocialWorker.count() == before
        chosen = await client.post(f"{WORKERS}import", headers=provider, json={**body, "valid_rows_only": True})
        assert chosen.status_code == 200 and chosen.json()["done"] and chosen.json()["imported"] == 2, chosen.text
        assert await SocialWorker.count() == before + 2
    listed = (await client.get(WORKERS, headers=provider)).json()
    assert {"吴建国", "何静"} <= {w["name"] for w in listed}
    supervisor = next(w for w in listed if w["name"] == "吴建国")
    assert supervisor["supervisor_qualified"] and supervisor["level"] == "intermediate"


async def test_the_import_template_downloads_as_xlsx_and_csv(client):
    provider = await api_login(client, "xingfujia")
    xlsx = await client.get(f"{WORKERS}import-template", headers=provider)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == [h for h, _name in COLUMNS]
    csv = await client.get(f"{WORKERS}import-template", headers=provider, params={"format": "csv"})
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("姓名,身份证号码")


# --------------------------------------------------------------------------- the team


async def test_a_team_that_meets_the_requirements_and_the_promise_has_no_gap(client):
    contract, officer, provider = await signed_contract(client)
    empty = (await client.get(team_url(contract["id"]), headers=provider)).json()
    assert {g["code"] for g in empty["gaps"]} >= {"lead", "licensed", "named_lead", "headcount"}
    await promised_team(client, provider, contract["id"])
    team = await client.get(team_url(contract["id"]), headers=officer)
    assert team.status_code == 200 and team.json()["gaps"] == [], team.json()["gaps"]
    assert len(team.json()["members"]) == 3
    outsider = await api_login(client, "qingbo")
    assert (await client.get(team_url(contract["id"]), headers=outsider)).status_code == 404
    assert (await assign(client, officer, contract["id"], team.json()["members"][0]["worker"]["id"])).status_code == 403


async def test_an_expired_registration_opens_a_gap_from_the_day_after_expiry(client):
    contract, officer, provider = await signed_contract(client)
    lead, one, _two = await promised_team(client, provider, contract["id"])
    today = clock.today_local()
    await client.put(f"{WORKERS}{lead['id']}", headers=provider, json={"registration_expires": today.isoformat()})
    assert (await client.get(team_url(contract["id"]), headers=provider)).json()["gaps"] == []
    await client.put(
        f"{WORKERS}{lead['id']}",
        headers=provider,
        json={"registration_expires": (today - timedelta(days=1)).isoformat()},
    )
    gaps = {g["code"] for g in (await client.get(team_url(contract["id"]), headers=provider)).json()["gaps"]}
    assert "lead_level" in gaps


async def test_twenty_concurrent_assignments_never_take_a_worker_over_full_time(client):
    contract, _officer, provider = await signed_contract(client)
    worker = await register(client, provider, "蒋晓燕")
    contracts = [contract["id"], *await copies_of(contract["id"], 19)]
    results = await asyncio.gather(*[assign(client, provider, c, worker["id"], "worker", 30) for c in contracts])
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 3 and codes.count(409) == 17, codes
    refused = next(r for r in results if r.status_code == 409)
    assert "超过 100%" in refused.json()["detail"]
    rows = await TeamMember.select().where(TeamMember.worker == worker["id"])
    assert sum(r["allocation"] for r in rows) == 90


async def test_the_named_lead_cannot_simply_be_removed_but_a_worker_can_and_stays_in_history(client):
    contract, _officer, provider = await signed_contract(client)
    await promised_team(client, provider, contract["id"])
    members = (await client.get(team_url(contract["id"]), headers=provider)).json()["members"]
    lead = next(m for m in members if m["role"] == "lead")
    worker = next(m for m in members if m["role"] == "worker")
    refused = await client.post(team_url(contract["id"], f"/members/{lead['id']}/removal"), headers=provider, json={})
    assert refused.status_code == 409 and "更换申请" in refused.json()["detail"]
    removed = await client.post(
        team_url(contract["id"], f"/members/{worker['id']}/removal"), headers=provider, json={"reason": "调岗"}
    )
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert len(body["members"]) == 2 and len(body["history"]) == 3
    assert {g["code"] for g in body["gaps"]} == {"headcount", "licensed"}  # 3 promised, 2 left
    assert next(h for h in body["history"] if h["id"] == worker["id"])["removed_reason"] == "调岗"


async def test_a_replacement_needs_an_equal_or_higher_level_or_a_justified_exception(client):
    contract, officer, provider = await signed_contract(client)
    lead, _one, _two = await promised_team(client, provider, contract["id"])
    members = (await client.get(team_url(contract["id"]), headers=provider)).json()["members"]
    lead_member = next(m for m in members if m["role"] == "lead")
    junior = await register(client, provider, "韩梅", "assistant")
    senior = await register(client, provider, "曹阳", "senior")
    url = team_url(contract["id"], "/replacements")
    asked = await client.post(
        url,
        headers=provider,
        json={"member_id": lead_member["id"], "candidate_id": junior["id"], "reason": "原负责人调离"},
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and not request["level_ok"]
    assert (
        await client.post(
            url,
            headers=provider,
            json={"member_id": lead_member["id"], "candidate_id": senior["id"], "reason": "另一位候选人"},
        )
    ).status_code == 409
    decide = team_url(contract["id"], f"/replacements/{request['id']}/decision")
    assert (await client.post(decide, headers=provider, json={"decision": "approve"})).status_code == 403
    lower = await client.post(decide, headers=officer, json={"decision": "approve"})
    assert lower.status_code == 422 and "exception" in lower.json()["errors"]
    refused = await client.post(decide, headers=officer, json={"decision": "refuse", "note": "级别不够"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    after_refusal = (await client.get(team_url(contract["id"]), headers=provider)).json()
    assert {m["worker"]["id"] for m in after_refusal["members"]} == {m["worker"]["id"] for m in members}
    assert after_refusal["gaps"] == []
    assert (await client.post(decide, headers=officer, json={"decision": "approve"})).status_code == 409
    # A second request for a senior candidate is approved: the member is swapped, history kept.
    asked = await client.post(
        url,
        headers=provider,
        json={"member_id": lead_member["id"], "candidate_id": senior["id"], "reason": "原负责人调离"},
    )
    approved = await client.post(
        team_url(contract["id"], f"/replacements/{asked.json()['id']}/decision"),
        headers=officer,
        json={"decision": "approve"},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    team = (await client.get(team_url(contract["id"]), headers=officer)).json()
    new_lead = next(m for m in team["members"] if m["role"] == "lead")
    assert new_lead["worker"]["id"] == senior["id"] and new_lead["allocation"] == 50
    assert team["gaps"] == []  # the approved replacement keeps the promise of the named lead
    assert any(h["worker"]["id"] == lead["id"] and not h["current"] for h in team["history"])
    asked_items = (
        await InboxItem.select().where(InboxItem.event == "contract.replacement_requested").order_by(InboxItem.id)
    )
    decided = await InboxItem.select().where(InboxItem.event == "contract.replacement_decided")
    assert len({i["title"] for i in asked_items}) == 1 and "曹阳" in asked_items[-1]["body"]
    assert any("已获批准" in i["title"] for i in decided) and any("未获批准" in i["title"] for i in decided)


async def test_a_lower_level_is_approved_with_a_justified_exception(client):
    contract, officer, provider = await signed_contract(client)
    await promised_team(client, provider, contract["id"])
    members = (await client.get(team_url(contract["id"]), headers=provider)).json()["members"]
    lead_member = next(m for m in members if m["role"] == "lead")
    junior = await register(client, provider, "韩梅", "assistant")
    asked = await client.post(
        team_url(contract["id"], "/replacements"),
        headers=provider,
        json={"member_id": lead_member["id"], "candidate_id": junior["id"], "reason": "原负责人病休"},
    )
    done = await client.post(
        team_url(contract["id"], f"/replacements/{asked.json()['id']}/decision"),
        headers=officer,
        json={"decision": "approve", "exception": "病休期间临时代理，三个月内补足"},
    )
    assert done.status_code == 200 and done.json()["exception"].startswith("病休"), done.text
    gaps = {g["code"] for g in (await client.get(team_url(contract["id"]), headers=officer)).json()["gaps"]}
    assert gaps == {"lead_level"}  # the exception is recorded; the shortfall still shows


async def test_the_workload_shows_each_months_allocation_and_the_communities(client):
    contract, officer, provider = await signed_contract(client)
    await promised_team(client, provider, contract["id"])
    mine = await client.get(f"{WORKERS}workload", headers=provider)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert len(body["months"]) == 12 and len(body["rows"]) == 3
    assert all(row["months"][0] == 50 and not any(row["over"]) for row in body["rows"])
    assert body["communities"][0]["community"] == "湖滨街道东坡路社区"
    bureau = (await client.get(f"{WORKERS}workload", headers=officer)).json()
    assert len(bureau["rows"]) == 3
    other = (await client.get(f"{WORKERS}workload", headers=await api_login(client, "yile"))).json()
    assert other["rows"] == []


async def test_the_full_id_number_is_in_no_team_or_workload_response_for_any_role(client):
    contract, officer, provider = await signed_contract(client)
    lead, one, two = await promised_team(client, provider, contract["id"])
    numbers = []
    for worker in (lead, one, two):
        numbers.append(worker["id_number"])
    for username in ("xingfujia", "officer", "finance", "admin", "qingbo", "yile", "expert1"):
        headers = await api_login(client, username)
        for url in (team_url(contract["id"]), f"{WORKERS}workload"):
            response = await client.get(url, headers=headers)
            assert all(n not in response.text for n in numbers), (username, url)


async def test_the_id_number_is_written_to_no_log(client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    provider = await api_login(client, "xingfujia")
    number = id_number("19660606")
    await register(client, provider, "许文", id_number=number)
    corrupted = number[:-1] + ("1" if number[-1] != "1" else "2")
    refused = await client.post(WORKERS, headers=provider, json=worker_body("许武", id_number=corrupted))
    assert refused.status_code == 400
    for username in ("xingfujia", "officer", "finance"):
        await client.get(WORKERS, headers=await api_login(client, username))
    assert caplog.records  # the requests were logged at all
    assert number not in caplog.text and corrupted not in caplog.text


SEES_FULL_NUMBERS = {"xingfujia", "officer", "qingbo"}  # the organization's members, government officers
EVERY_LOGIN = ("admin", "officer", "finance", "qingbo", "xingfujia", "yile", "pinggu", "expert1")


async def test_every_staffing_route_masks_the_id_number_for_every_role_that_should_not_see_it(client):
    from tests.integration.conftest import page_login

    contract, officer, provider = await signed_contract(client)
    lead, one, two = await promised_team(client, provider, contract["id"])
    members = (await client.get(team_url(contract["id"]), headers=provider)).json()["members"]
    spare = await register(client, provider, "吕晨", "senior")
    asked = await client.post(
        team_url(contract["id"], "/replacements"),
        headers=provider,
        json={"member_id": members[1]["id"], "candidate_id": spare["id"], "reason": "原社工调岗"},
    )
    numbers = [w["id_number"] for w in (lead, one, two, spare)]
    assert all(len(n) == 18 and "*" not in n for n in numbers)
    assert all(n not in asked.text for n in numbers)
    cid = contract["id"]
    roster_routes = {
        "/api/v1/social-workers/",
        f"/api/v1/social-workers/?organization_id={lead['organization_id']}",
        "/social-workers",
    }
    routes = [
        *roster_routes,
        team_url(cid),
        "/api/v1/social-workers/workload",
        "/social-workers/workload",
        f"/contracts/{cid}/team",
        f"/contracts/{cid}?tab=team",
    ]
    for username in EVERY_LOGIN:
        client.cookies.clear()
        headers = await api_login(client, username)
        await page_login(client, username)
        for route in routes:
            response = await client.get(route, headers=headers if route.startswith("/api/") else None)
            assert response.status_code in (200, 403, 404), (username, route, response.status_code)
            shown = [n for n in numbers if n in response.text]
            if route in roster_routes and username in SEES_FULL_NUMBERS:
                assert response.status_code == 200 and sorted(shown) == sorted(numbers), (username, route)
                continue  # the organization's own members and government officers read the full numbers
            assert shown == [], (username, route)


async def test_the_demo_rosters_and_teams_load_once_through_the_services(client):
    from contracts.staffing import demo
    from contracts.staffing.tables import ReplacementRequest

    contract, officer, _provider = await signed_contract(client)
    assert await demo.load_demo() is True
    assert await SocialWorker.count() == sum(len(v) for v in demo.ROSTERS.values())
    team = (await client.get(team_url(contract["id"]), headers=officer)).json()
    assert {m["role"] for m in team["members"]} >= {"lead", "supervisor", "worker"}
    assert await ReplacementRequest.count() == 1
    expired = [w for w in (await client.get(WORKERS, headers=officer)).json() if w["registration_expired"]]
    assert len(expired) == 2
    assert await demo.load_demo() is False  # once: nothing more to make
    assert await SocialWorker.count() == sum(len(v) for v in demo.ROSTERS.values())


async def test_odd_input_gets_a_clear_refusal_not_a_server_error(client):
    provider = await api_login(client, "xingfujia")
    far = await client.get(f"{WORKERS}workload", headers=provider, params={"start": "9999-12-31"})
    assert far.status_code == 422 and "start" in far.json()["errors"]
    for name, content in (
        ("a.xlsx", b"PK\x03\x04 not a workbook"),
        ("a.csv", "姓名,身份证号码\n王\x00五,1\n".encode()),
    ):
        body = {"filename": name, "content_base64": base64.b64encode(content).decode()}
        response = await client.post(f"{WORKERS}import", headers=provider, json=body)
        assert response.status_code in (200, 422), response.text
        assert response.status_code == 422 or response.json()["done"] is False
    nul = await client.post(WORKERS, headers=provider, json=worker_body("王\u0000五"))
    assert nul.status_code == 400 and "控制字符" in nul.text
    assert await SocialWorker.count() == 0
