"""The audit log as an administrator uses it: Chinese labels and readable changes,
filters by object, actor and Beijing dates (page and API), and the CSV export of
exactly the filtered rows, UTF-8 with a BOM; administrators only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from procurement.accounts.tables import Organization, User
from procurement.core import audit, clock
from tests.integration.conftest import api_login, page_login

# 23:30 and 00:30 in Beijing: two sides of a Beijing midnight (UTC+8).
LATE_ON_1ST = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
EARLY_ON_2ND = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


async def two_test_rows() -> None:
    with clock.frozen(LATE_ON_1ST):
        await audit.record("test.late", "test", "a", before={"status": "pending"}, after={"status": "active"})
    with clock.frozen(EARLY_ON_2ND):
        await audit.record("test.early", "test", "b", after={"amount_fen": 123450, "is_active": False})


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"))))


async def test_the_page_shows_actions_objects_and_changes_in_chinese(client):
    org = await Organization.select(Organization.id).where(Organization.name == "上城区邻里守望社区公益服务社").first()
    officer = await api_login(client, "officer")
    assert (await client.post(f"/api/v1/organizations/{org['id']}/approve", headers=officer)).status_code == 200
    await page_login(client, "admin")
    page = await client.get("/admin/audit", params={"entity_type": "organization", "entity_id": str(org["id"])})
    assert page.status_code == 200
    assert "通过机构注册" in page.text and "机构" in page.text and "organization.approve" in page.text
    assert "状态：" in page.text and "待审核</span> → " in page.text and "正常" in page.text
    # Times are Beijing time; the raw ids and hashes of rows are not shown.
    assert "编号</th>" not in page.text and "hash" not in page.text.lower().split("<main", 1)[-1]


async def test_filters_by_beijing_date_actor_and_object(client):
    await two_test_rows()
    admin = await api_login(client, "admin")

    async def actions(**params) -> list[str]:
        response = await client.get("/api/v1/audit-events/", headers=admin, params={"entity_type": "test", **params})
        assert response.status_code == 200, response.text
        return [i["action"] for i in response.json()["items"]]

    assert await actions() == ["test.early", "test.late"]
    assert await actions(date_from="2026-03-01", date_to="2026-03-01") == ["test.late"]
    assert await actions(date_from="2026-03-02") == ["test.early"]
    assert await actions(date_to="2026-02-28") == []
    assert await actions(entity_id="a") == ["test.late"]
    assert await actions(action="test.early") == ["test.early"]
    assert await actions(actor="系统") == ["test.early", "test.late"]
    assert await actions(actor="officer") == []
    bad = await client.get(
        "/api/v1/audit-events/", headers=admin, params={"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert bad.status_code == 422 and "date_to" in bad.json()["errors"]

    # The actor filter takes a user id or part of the name.
    officer_id = (await User.select(User.id).where(User.username == "officer").first())["id"]
    await api_login(client, "officer")
    by_id = (await client.get("/api/v1/audit-events/", headers=admin, params={"actor": str(officer_id)})).json()
    by_name = (await client.get("/api/v1/audit-events/", headers=admin, params={"actor": "officer"})).json()
    assert by_id["items"] and all(i["actor_id"] == officer_id for i in by_id["items"])
    assert by_name["items"] and all("officer" in i["actor_label"] for i in by_name["items"])

    await page_login(client, "admin")
    page = await client.get("/admin/audit", params={"entity_type": "test", "date_from": "2026-03-02"})
    assert "test.early" in page.text and "test.late" not in page.text
    assert "2026-03-02 00:30" in page.text  # Beijing time
    refused = await client.get("/admin/audit", params={"date_from": "2026-3-x"})
    assert refused.status_code == 200 and "日期格式" in refused.text


async def test_the_csv_export_holds_the_filtered_rows_with_chinese_labels(client):
    await two_test_rows()
    await page_login(client, "admin")
    page = await client.get("/admin/audit", params={"entity_type": "test", "date_from": "2026-03-02"})
    assert 'href="/admin/audit/export.csv?entity_type=test&amp;date_from=2026-03-02"' in page.text
    export = await client.get("/admin/audit/export.csv", params={"entity_type": "test", "date_from": "2026-03-02"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    header, *rows = csv_rows(export.content)
    assert header[0] == "时间（北京时间）" and "变更内容" in header
    assert len(rows) == 1
    [row] = rows
    assert row[0] == "2026-03-02 00:30:00" and row[1] == "系统" and row[5] == "test.early"
    assert "金额：¥1,234.50" in row[8] and "启用：否" in row[8]

    everything = csv_rows((await client.get("/admin/audit/export.csv")).content)
    assert len(everything) > 3 and any(r[4] == "登录" and r[5] == "auth.login" for r in everything)
    assert any(r[4] == "加载演示数据" for r in everything)


async def test_a_value_excel_would_run_as_a_formula_is_exported_as_text(client):
    await audit.record("test.formula", "test", "c", after={"name": '=HYPERLINK("http://x")'})
    await page_login(client, "admin")
    [_header, row] = csv_rows((await client.get("/admin/audit/export.csv", params={"entity_type": "test"})).content)
    assert row[10].startswith("{") and all(not cell.startswith("=") for cell in row)


async def test_only_administrators_read_or_export_the_audit_log(client):
    for username in ("officer", "finance", "xingfujia", "expert1"):
        headers = await api_login(client, username)
        assert (await client.get("/api/v1/audit-events/", headers=headers)).status_code == 403
        assert (await client.get("/api/v1/audit-events/verify", headers=headers)).status_code == 403
        client.cookies.clear()
        await page_login(client, username)
        assert (await client.get("/admin/audit")).status_code == 403
        assert (await client.get("/admin/audit/export.csv")).status_code == 403
        client.cookies.clear()
    anonymous = await client.get("/admin/audit/export.csv", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
