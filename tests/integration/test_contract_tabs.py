"""The contract page's 评估 and 拨付 tabs, the printed QR sheet of survey codes and the
navigation by role (issue 14 §3, §7; issue 13): each reachable from the pages, on
SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import re
from datetime import timedelta

import segno

from contracts.assessments import qr
from contracts.assessments import services as assessments
from procurement.core import clock
from tests.integration.conftest import page_login, post_form
from tests.integration.contract_change_helpers import active_contract
from tests.integration.test_assessments import agency_id
from tests.integration.test_contract_payments import activated, switch


async def test_the_officer_assigns_an_agency_from_the_evaluations_tab_and_it_is_listed(client):
    contract, _officer, _provider = await active_contract(client)
    await assessments.seed_systems()
    tab = f"/contracts/{contract['id']}?tab=evaluations"
    await page_login(client, "officer")
    shown = await client.get(tab)
    assert shown.status_code == 200, shown.text
    assert "尚未委托第三方评估" in shown.text and "委托第三方评估" in shown.text
    agency = await agency_id()
    assert f'<option value="{agency}"' in shown.text

    no_system = await post_form(
        client, tab, f"/contracts/{contract['id']}/evaluations", {"agency_id": str(agency), "stage": "midterm"}
    )
    assert no_system.status_code in (409, 422) and "指标体系" in no_system.text
    system = re.search(r'name="system_id"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="(\d+)"', shown.text)
    assert system, "the indicator systems are offered"
    made = await post_form(
        client,
        tab,
        f"/contracts/{contract['id']}/evaluations",
        {"agency_id": str(agency), "stage": "midterm", "system_id": system.group(1), "due_on": ""},
    )
    assert made.status_code == 303, made.text
    listed = await client.get(tab)
    link = re.search(rf'href="(/contracts/{contract["id"]}/assessments/\d+)"', listed.text)
    assert link and "中期评估" in listed.text
    assert (await client.get(link.group(1))).status_code == 200
    assert "已指派，待服务机构自评" in listed.text

    twice = await post_form(
        client,
        tab,
        f"/contracts/{contract['id']}/evaluations",
        {"agency_id": str(agency), "stage": "midterm", "system_id": system.group(1)},
    )
    assert twice.status_code in (409, 422) and "中期" in twice.text

    await switch(client, "xingfujia")
    provider_view = await client.get(tab)
    assert provider_view.status_code == 200
    assert link.group(1) in provider_view.text
    assert 'action="/contracts/{}/evaluations"'.format(contract["id"]) not in provider_view.text
    refused = await post_form(
        client, tab, f"/contracts/{contract['id']}/evaluations", {"agency_id": str(agency), "stage": "final"}
    )
    assert refused.status_code == 403 and "只有采购人" in refused.text


async def test_the_qr_sheet_carries_each_unused_code_at_its_absolute_survey_link(client):
    contract, _officer, _provider = await active_contract(client)
    tab = f"/contracts/{contract['id']}?tab=evaluations"
    await page_login(client, "officer")
    bad = await post_form(client, tab, f"/contracts/{contract['id']}/survey-codes", {"count": "0"})
    assert bad.status_code == 422 and "不能小于" in bad.text
    issued = await post_form(client, tab, f"/contracts/{contract['id']}/survey-codes", {"count": "3"})
    assert issued.status_code == 303 and issued.headers["location"] == f"/contracts/{contract['id']}/survey-codes/sheet"
    sheet = await client.get(issued.headers["location"])
    assert sheet.status_code == 200, sheet.text
    codes = re.findall(r'<p class="qr-code mono">([A-Z0-9]{8})</p>', sheet.text)
    assert len(codes) == 3
    for code in codes:
        url = f"http://testserver/survey/{code}"
        assert f'<p class="qr-url mono">{url}</p>' in sheet.text
        # The SVG on the page is exactly segno's drawing of that link, and segno's matrix
        # for it is the one for that link and no other.
        assert qr.qr_svg(url) in sheet.text
        assert segno.make(url, error="m", micro=False).matrix != segno.make(url + "X", error="m", micro=False).matrix
        assert (await client.get(url.removeprefix("http://testserver"))).status_code == 200
    assert "已发放 3 个，其中 3 个尚未使用" in (await client.get(tab)).text
    assert "http" not in re.sub(
        r"https?://testserver", "", sheet.text.split('<ul class="qr-sheet">')[1].split("</ul>")[0]
    )

    await switch(client, "xingfujia")
    assert (await client.get(f"/contracts/{contract['id']}/survey-codes/sheet")).status_code == 403


async def test_the_payments_tab_shows_each_installment_with_its_deadline_and_the_payments_page(client):
    contract, _officer, _provider = await active_contract(client)
    tab = f"/contracts/{contract['id']}?tab=payments"
    await page_login(client, "finance")
    await activated(contract)
    shown = await client.get(tab)
    assert f'href="/contracts/{contract["id"]}/payments"' in shown.text
    deadline = clock.today_local() + timedelta(days=30)
    assert "剩余 30 天" in shown.text and f"付款期限 {deadline.isoformat()}" in shown.text
    assert shown.text.count('id="pay-') == 3


async def test_the_navigation_links_each_role_to_its_new_pages(client):
    expected = {
        "officer": ["/bureau/payments", "/social-workers"],
        "finance": ["/bureau/payments"],
        "xingfujia": ["/social-workers"],
        "pinggu": ["/assessments"],
    }
    absent = {
        "finance": ["/social-workers", "/assessments"],
        "pinggu": ["/bureau/payments"],
        "xingfujia": ["/bureau/payments"],
    }
    for username, links in expected.items():
        await client.post("/logout")
        client.cookies.clear()
        await page_login(client, username)
        home = await client.get("/dashboard")
        nav = home.text.split('id="site-nav"')[1].split("</nav>")[0]
        for link in links:
            assert f'href="{link}"' in nav, (username, link)
            assert (await client.get(link)).status_code == 200, (username, link)
        for link in absent.get(username, []):
            assert f'href="{link}"' not in nav, (username, link)
