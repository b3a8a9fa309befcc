"""The bureau's ledger views (issue 14 §5) over a real contract: planned after a 补充合同
against released, the provider's line, the social-organization share (rule 8, a
figure only), who may read them, the CSV and XLSX exports and the page with its SVG
chart. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from procurement.accounts.tables import Organization
from procurement.core import clock
from tests.integration.conftest import api_login, page_login
from tests.integration.contract_change_helpers import active_contract, supplement
from tests.integration.test_contract_payments import activated, pay

API = "/api/v1/bureau/ledger/"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"  # one documented type for both formats
    assert ".csv" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def released_and_raised(client):
    """An active contract of 幸福家 (a social organization): the first installment paid,
    then a 补充合同 raising the amount by a tenth."""
    contract, officer, provider = await active_contract(client)
    finance = await api_login(client, "finance")
    await activated(contract)
    paid = await pay(client, officer, provider, finance, contract, 1, "GK-L1")
    assert paid.status_code == 200, paid.text
    released = paid.json()["released_fen"]
    new_amount = contract["amount_fen"] + contract["amount_fen"] // 10
    done = await supplement(client, officer, provider, contract, new_amount)
    assert done.status_code == 200, done.text
    return contract, officer, provider, finance, released, new_amount


async def test_the_summary_counts_the_amount_after_the_supplement_against_what_was_released(client):
    contract, officer, provider, finance, released, new_amount = await released_and_raised(client)
    year = clock.today_local().year
    categories = rows_of(await client.get(f"{API}?view=categories&year={year}", headers=finance))
    assert categories[0][:4] == ["预算年度", "服务类别", "合同数", "计划金额（元）"]
    assert len(categories) == 2
    line = categories[1]
    assert line[0] == str(year) and line[2] == "1"
    assert line[3] == f"{new_amount / 100:.2f}" and line[4] == f"{released / 100:.2f}"
    assert line[5] == str(released * 100 // new_amount)

    organizations = rows_of(await client.get(f"{API}?view=organizations", headers=officer))
    assert organizations[1][0] == contract["provider_name"] and organizations[1][1] == "社会组织"
    assert organizations[1][3] == f"{new_amount / 100:.2f}" and organizations[1][4] == f"{released / 100:.2f}"
    assert organizations[1][6] == "0"

    share = rows_of(await client.get(f"{API}?view=share&year={year}", headers=officer))
    assert share[1][1:] == [f"{new_amount / 100:.2f}", f"{new_amount / 100:.2f}", "100.0%", "30%"]
    # Another year has nothing.
    assert len(rows_of(await client.get(f"{API}?view=categories&year={year - 3}", headers=officer))) == 1

    # The provider's kind is read through: as a provider of another kind, the share drops to 0.
    await Organization.update({Organization.kind: "agency"}).where(Organization.name == contract["provider_name"])
    share = rows_of(await client.get(f"{API}?view=share&year={year}", headers=officer))
    assert share[1][2:4] == ["0.00", "0.0%"]
    organizations = rows_of(await client.get(f"{API}?view=organizations", headers=officer))
    assert organizations[1][1] == "第三方评估机构"


async def test_only_the_bureaus_officers_finance_and_administrators_read_the_summary(client):
    await released_and_raised(client)
    for username in ("officer", "finance", "admin"):
        assert (await client.get(API, headers=await api_login(client, username))).status_code == 200, username
    for username in ("xingfujia", "yangguang", "expert1"):
        refused = await client.get(API, headers=await api_login(client, username))
        assert refused.status_code == 403, username
        assert "经办人和财务人员" in refused.text
    assert (await client.get(API)).status_code == 401
    bad = await client.get(f"{API}?format=pdf", headers=await api_login(client, "officer"))
    assert bad.status_code == 400


async def test_the_xlsx_holds_every_view_on_its_own_sheet(client):
    contract, officer, *_rest, released, new_amount = await released_and_raised(client)
    response = await client.get(f"{API}?format=xlsx", headers=officer)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按年度和类别", "按服务机构", "合同明细", "社会组织占比"]
    categories = book["按年度和类别"]
    assert categories.cell(2, 4).value == new_amount / 100 and categories.cell(2, 5).value == released / 100
    assert categories.cell(2, 4).number_format == "#,##0.00"
    detail = book["合同明细"]
    assert detail.cell(2, 1).value == contract["number"] and detail.cell(2, 7).value == new_amount / 100


async def test_the_ledger_page_shows_the_views_and_the_svg_chart(client):
    contract, *_rest, released, new_amount = await released_and_raised(client)
    await page_login(client, "finance")
    shown = await client.get("/bureau/ledger")
    assert shown.status_code == 200, shown.text
    text = shown.text
    assert "<svg" in text and "viewBox=" in text and "<rect" in text
    assert "table-wrap" in text and contract["provider_name"] in text
    assert f"¥{new_amount // 100:,}." in text and f"¥{released // 100:,}." in text
    assert "100.0%" in text and "<script" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]
    year = clock.today_local().year
    assert (await client.get(f"/bureau/ledger?year={year}")).status_code == 200
    empty = await client.get(f"/bureau/ledger?year={year - 3}")
    assert empty.status_code == 200 and "暂无已签订的合同" in empty.text
    await client.post("/logout")
    client.cookies.clear()
    anonymous = await client.get("/bureau/ledger")
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
    await page_login(client, "xingfujia")
    assert (await client.get("/bureau/ledger")).status_code == 403
