"""Contracts on the parties' dashboards (issue 12 §8): the contracts package adds its
items through the core registry. The officer: contracts to sign, signing overdue (rule 28),
notices and filings due, reports to review, overdue reports; the provider: contracts
awaiting its signature with the deadline, reports due or overdue, returned reports. Only
the parties of a contract see it."""

from __future__ import annotations

from datetime import timedelta

from procurement.core import clock
from tests.integration.conftest import page_login
from tests.integration.contract_helpers import ready_contract, sign
from tests.integration.test_contract_delivery import active_contract, review, submit, url
from tests.integration.test_contract_delivery import at as beijing


def card(html: str, title: str) -> str:
    """The dashboard card with this title, up to the next card."""
    assert title in html, title
    return html.split(title, 1)[1].split('<section class="card', 1)[0]


async def dashboard_of(client, username: str) -> str:
    client.cookies.clear()
    assert (await page_login(client, username)).status_code in (200, 302, 303)
    home = await client.get("/dashboard")
    assert home.status_code == 200
    return home.text


async def test_both_parties_see_the_contract_to_sign_with_its_deadline_and_the_officer_its_overdue_flag(client):
    contract, officer, provider, _tender = await ready_contract(client)
    title = contract["title"]
    home = await dashboard_of(client, "officer")
    assert title in card(home, "待我方签署的合同") and "签订期限" in card(home, "待我方签署的合同")
    home = await dashboard_of(client, "xingfujia")
    assert title in card(home, "待本机构签署的合同")
    assert f"/contracts/{contract['id']}/sign" in card(home, "待本机构签署的合同")

    assert (await sign(client, officer, contract)).status_code == 200
    home = await dashboard_of(client, "officer")
    assert "待我方签署的合同" not in home, "signed by the bureau: nothing left for it to sign"
    assert title in card(await dashboard_of(client, "xingfujia"), "待本机构签署的合同")

    deadline = clock.to_local(clock.now()).date() + timedelta(days=40)
    with clock.frozen(beijing(deadline, 10)):
        late = card(await dashboard_of(client, "officer"), "合同签订期限临近或已逾期")
        assert title in late and "已逾期" in late

    for outsider in ("qingbo", "yile"):
        assert title not in await dashboard_of(client, outsider)


async def test_after_signing_the_notice_filing_and_reports_show_to_the_party_that_owes_them(client):
    contract, officer, provider = await active_contract(client)
    title = contract["title"]
    home = await dashboard_of(client, "officer")
    assert title in card(home, "待发布的合同公告") and title in card(home, "待备案的合同")

    reports = (await client.get(url(contract), headers=provider)).json()["reports"]
    first, second = reports[0]["id"], reports[1]["id"]
    assert (await submit(client, provider, contract, first)).status_code == 200
    assert (await submit(client, provider, contract, second)).status_code == 200
    assert (
        await review(client, officer, contract, second, "return", "服务台账缺少签到表，请补充。")
    ).status_code == 200

    home = await dashboard_of(client, "officer")
    assert title in card(home, "待审核的进度报告") and "第 1 期" in card(home, "待审核的进度报告")
    overdue = card(home, "逾期未交的进度报告")
    assert "第 3 期" in overdue and "已逾期" in overdue, "the past year's later reports are overdue"

    home = await dashboard_of(client, "xingfujia")
    assert "第 2 期" in card(home, "被退回待重新提交的进度报告")
    assert "第 3 期" in card(home, "近期应交或已逾期的进度报告")
    assert "待审核的进度报告" not in home

    assert title not in await dashboard_of(client, "yile")
