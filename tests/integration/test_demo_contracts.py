"""The demo's contracts (issue 12 §9): ``procurement demo`` carries three demo tenders to
their award and draws up a contract of each in a different state of its life, through
the real services; a second run adds nothing."""

from __future__ import annotations

from contracts.changes.tables import ContractChange
from contracts.delivery.tables import ProgressReport
from contracts.lifecycle.tables import Contract
from procurement.app import installed_packages
from procurement.awards.tables import Award
from procurement.core import clock
from procurement.tenders.tables import Tender
from tests.integration.conftest import api_login, page_login


async def run_demo() -> list[bool]:
    return [bool(await p.demo(force=False)) for p in installed_packages() if p.demo is not None]


async def test_the_demo_awards_three_tenders_and_draws_up_contracts_in_three_states(client):
    assert await run_demo() == [True, True]
    rows = {
        r["title"].split("（")[0]: r  # the tender's title (the lot's name follows in brackets)
        for r in await Contract.select(
            Contract.id,
            Contract.title,
            Contract.status,
            Contract.provider_name,
            Contract.amount_fen,
            Contract.awarded_fen,
            Contract.notice_id,
            Contract.filed_at,
        )
    }
    assert {t: r["status"] for t, r in rows.items()} == {
        "小营街道社区矫正与安置帮教服务项目": "awaiting_signatures",
        "南星街道社区矫正对象心理矫治服务项目": "active",
        "紫阳街道社区矫正对象就业帮扶项目": "active",
    }
    assert await Tender.count().where(Tender.status == "awarded") == 3
    waiting = rows["小营街道社区矫正与安置帮教服务项目"]
    assert waiting["provider_name"] == "上城区清波颐乐养老服务社"

    reporting = rows["南星街道社区矫正对象心理矫治服务项目"]
    assert reporting["notice_id"] is not None and reporting["filed_at"] is not None
    reports = (
        await ProgressReport.select(ProgressReport.status, ProgressReport.due_on)
        .where(ProgressReport.contract == reporting["id"])
        .order_by(ProgressReport.seq)
    )
    assert [r["status"] for r in reports[:2]] == ["accepted", "submitted"]
    assert all(r["due_on"] < clock.today_local() for r in reports[:2])
    assert {r["status"] for r in reports[2:]} == {"due"}

    changed = rows["紫阳街道社区矫正对象就业帮扶项目"]
    [change] = await ContractChange.select(ContractChange.status, ContractChange.kind).where(
        ContractChange.contract == changed["id"]
    )
    assert change == {"status": "effective", "kind": "supplement"}
    assert changed["awarded_fen"] < changed["amount_fen"] <= changed["awarded_fen"] * 110 // 100  # rule 28

    # The officer sees them on the list with the filters, the provider its own.
    officer = await api_login(client, "officer")
    listed = (await client.get("/api/v1/contracts/", headers=officer)).json()
    assert len(listed) == 3
    yile = await api_login(client, "yile")
    assert [c["title"] for c in (await client.get("/api/v1/contracts/", headers=yile)).json()] == [
        "小营街道社区矫正与安置帮教服务项目（矫正与安置帮教服务）"
    ]

    # Again: nothing new, nothing doubled.
    counts = (await Tender.count(), await Award.count(), await Contract.count(), await ContractChange.count())
    assert await run_demo() == [False, False]
    assert (await Tender.count(), await Award.count(), await Contract.count(), await ContractChange.count()) == counts


def card(html: str, title: str) -> str:
    """The dashboard card with this title (up to the next card)."""
    assert title in html, title
    return html.split(title, 1)[1].split('class="card', 1)[0]


async def test_both_parties_see_the_demo_contracts_on_their_dashboards_and_the_list_filters_them(client):
    await run_demo()
    await page_login(client, "officer")
    home = (await client.get("/dashboard")).text
    assert "南星街道社区矫正对象心理矫治服务项目" in card(home, "待审核的进度报告")
    assert "紫阳街道社区矫正对象就业帮扶项目" in card(home, "逾期未交的进度报告")
    assert "待我方签署的合同" not in home, "the bureau has signed the one awaiting signature"

    listed = await client.get("/contracts?overdue_reports=true")
    assert listed.status_code == 200
    assert "紫阳街道" in listed.text and "南星街道" not in listed.text and "小营街道" not in listed.text
    assert "仅看有逾期报告" in listed.text
    awaiting = (await client.get("/contracts?status=awaiting_signatures")).text
    assert "小营街道" in awaiting and "紫阳街道" not in awaiting
    assert "没有符合筛选条件的合同" in (await client.get("/contracts?overdue_signing=true")).text
    assert (await client.get("/contracts?status=nonsense&overdue_reports=maybe")).status_code in (200, 400)
    api = await client.get("/api/v1/contracts/", params={"overdue_reports": "true"})
    assert api.status_code == 200
    assert ["紫阳街道" in c["title"] for c in api.json()] == [True], api.json()
    assert len((await client.get("/api/v1/contracts/")).json()) == 3

    client.cookies.clear()
    await page_login(client, "yile")
    home = (await client.get("/dashboard")).text
    signing = card(home, "待本机构签署的合同")
    assert "小营街道社区矫正与安置帮教服务项目" in signing and "签订期限" in signing

    client.cookies.clear()
    await page_login(client, "xingfujia")
    home = (await client.get("/dashboard")).text
    assert "紫阳街道社区矫正对象就业帮扶项目" in card(home, "近期应交或已逾期的进度报告")
    assert "已逾期" in card(home, "近期应交或已逾期的进度报告")
