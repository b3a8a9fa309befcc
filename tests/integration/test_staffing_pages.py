"""The staffing pages (issue 13 §6): the roster with its register form and import row
errors, the team page with assignment, a replacement asked by the provider and
approved by the bureau's officer, the contract's team tab and the workload table."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook

from contracts.staffing.roster import COLUMNS
from contracts.staffing.tables import SocialWorker
from procurement.core import clock
from tests.integration.conftest import csrf_from, page_login, post_form
from tests.integration.staffing_helpers import id_number, register, signed_contract

LEAD_CERT = "ZS2019001"


async def test_the_roster_page_registers_a_worker_and_lists_import_row_errors(client):
    await page_login(client, "xingfujia")
    roster = await client.get("/social-workers")
    assert roster.status_code == 200 and "登记社工" in roster.text
    number = id_number("19800101")
    form = {
        "name": "沈丽君",
        "id_number": number,
        "phone": "13900003333",
        "level": "assistant",
        "certificate_no": "A1234",
        "certificate_year": "2020",
        "supervisor_qualified": "1",
    }
    done = await post_form(client, "/social-workers", "/social-workers", form)
    assert done.status_code in (302, 303), done.text
    listed = await client.get("/social-workers")
    assert "沈丽君" in listed.text and number in listed.text  # the organization's own member sees it
    bad = await post_form(
        client,
        "/social-workers",
        "/social-workers",
        {**form, "id_number": number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1"},
    )
    assert bad.status_code == 422 and "校验位" in bad.text
    book = Workbook()
    book.active.append([h for h, _name in COLUMNS])
    book.active.append(["陶然", "123", "", "", "", "", "", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    page = await client.get("/social-workers")
    response = await client.post(
        "/social-workers/import",
        data={"_csrf_token": csrf_from(page.text)},
        files={"file": ("名册.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert response.status_code == 200 and "全部未导入" in response.text and "身份证号码" in response.text
    assert await SocialWorker.count() == 1


async def test_the_provider_builds_a_team_and_the_officer_approves_a_replacement_on_the_pages(client):
    contract, officer, provider = await signed_contract(client)
    lead = await register(client, provider, "陈立新", "intermediate", certificate_no=LEAD_CERT)
    one = await register(client, provider, "林小雨", "assistant")
    two = await register(client, provider, "周海燕", "assistant")
    senior = await register(client, provider, "曹阳", "senior")
    soon = (clock.today_local() + timedelta(days=30)).isoformat()
    await register(client, provider, "钟敏", "assistant", registration_expires=soon)
    await page_login(client, "xingfujia")
    url = f"/contracts/{contract['id']}/team"
    roster_page = await client.get("/social-workers")
    assert "团队未达要求的合同" in roster_page.text and "尚未指定项目负责人" in roster_page.text
    assert "登记已过期或即将过期" in roster_page.text and "钟敏" in roster_page.text
    for worker, role in ((lead, "lead"), (one, "worker"), (two, "worker")):
        done = await post_form(
            client, url, f"{url}/members", {"worker_id": worker["id"], "role": role, "allocation": "40"}
        )
        assert done.status_code in (302, 303), done.text
    roster_page = await client.get("/social-workers")
    assert "团队未达要求的合同" not in roster_page.text  # complete now
    team = await client.get(url)
    assert "团队满足合同的团队要求和投标承诺" in team.text
    assert lead["id_number"] not in team.text
    over = await post_form(
        client, url, f"{url}/members", {"worker_id": one["id"], "role": "worker", "allocation": "70"}
    )
    assert over.status_code == 409 and "已在本项目团队中" in over.text
    tab = await client.get(f"/contracts/{contract['id']}?tab=team")
    assert tab.status_code == 200 and "陈立新" in tab.text
    members = (await client.get(f"/api/v1/contracts/{contract['id']}/team/", headers=provider)).json()["members"]
    lead_member = next(m for m in members if m["role"] == "lead")
    asked = await post_form(
        client,
        url,
        f"{url}/replacements",
        {"member_id": lead_member["id"], "candidate_id": senior["id"], "reason": "原负责人调离本机构"},
    )
    assert asked.status_code in (302, 303), asked.text
    await client.post("/logout", data={"_csrf_token": csrf_from((await client.get(url)).text)})
    await page_login(client, "officer")
    todo = await client.get("/social-workers")
    assert "待审批的更换申请" in todo.text and f"/contracts/{contract['id']}/team" in todo.text
    pending = await client.get(url)
    assert "待采购人审批" in pending.text and "曹阳" in pending.text and "陈立新" in pending.text
    request_id = (await client.get(f"/api/v1/contracts/{contract['id']}/team/", headers=officer)).json()[
        "replacements"
    ][0]["id"]
    done = await post_form(client, url, f"{url}/replacements/{request_id}/decision", {"decision": "approve"})
    assert done.status_code in (302, 303), done.text
    after = await client.get(url)
    assert "已批准" in after.text and "经批准更换" in after.text
    load = await client.get("/social-workers/workload")
    assert load.status_code == 200 and "曹阳" in load.text and "湖滨街道东坡路社区" in load.text
