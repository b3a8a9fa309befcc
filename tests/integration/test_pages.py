"""Pages as people reach them: forms with CSRF, errors shown beside fields,
dashboards per role, refusals in Chinese."""

from __future__ import annotations

import pytest

from procurement.accounts.tables import Organization, User
from procurement.core.tables import AuditEvent, CalendarEntry
from tests.integration.conftest import csrf_from, page_login, post_form
from tests.integration.test_accounts_api import REGISTRATION


async def test_the_public_home_page_is_chinese_and_needs_no_login(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text and "政府购买服务" in response.text
    assert "/static/" in response.text and "http://" not in response.text.replace("http://testserver", "")


async def test_static_assets_are_served_by_the_app(client):
    home = (await client.get("/")).text
    import re

    for href in re.findall(r'(?:href|src)="(/static/[^"]+)"', home):
        assert (await client.get(href)).status_code == 200, href


async def test_an_officer_logs_in_through_the_form_and_sees_the_dashboard(client):
    response = await page_login(client, "officer")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "王建国" in dashboard.text and "上城区邻里守望社区公益服务社" in dashboard.text


async def test_a_wrong_password_shows_the_form_again_with_the_message(client):
    response = await page_login(client, "officer", "not-the-password1")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.text
    assert 'value="officer"' in response.text
    assert "not-the-password1" not in response.text


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client):
    await client.get("/login")
    response = await client.post("/login", data={"username": "officer", "password": "Shangcheng2026"})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "sid" not in response.cookies


async def test_a_registration_with_a_bad_credit_code_keeps_the_values_and_names_the_field(client):
    form = {**REGISTRATION, "credit_code": "52330102MA2HF0A1XX", "password2": REGISTRATION["password"]}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 422
    assert "统一社会信用代码" in response.text and REGISTRATION["name"] in response.text
    assert REGISTRATION["password"] not in response.text
    assert not await Organization.exists().where(Organization.name == REGISTRATION["name"])


async def test_a_registration_through_the_form_waits_for_approval(client):
    form = {**REGISTRATION, "password2": REGISTRATION["password"]}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    login_page = await client.get("/login")
    assert "等待民政局审核" in login_page.text
    org = await Organization.select().where(Organization.name == REGISTRATION["name"]).first()
    assert org["status"] == "pending"


async def test_mismatched_passwords_are_caught_before_anything_is_saved(client):
    form = {**REGISTRATION, "password2": "something-else1"}
    response = await post_form(client, "/register", "/register", form)
    assert response.status_code == 422 and "两次输入的密码不一致" in response.text
    assert not await User.exists().where(User.username == REGISTRATION["username"])


async def test_an_officer_approves_a_registration_from_the_organizations_page(client):
    await page_login(client, "officer")
    org = await Organization.select().where(Organization.status == "pending").first()
    response = await post_form(
        client, "/admin/organizations?status=pending", f"/admin/organizations/{org['id']}/approve", {}
    )
    assert response.status_code == 303
    assert (await Organization.select(Organization.status).where(Organization.id == org["id"]).first())[
        "status"
    ] == "active"
    page = await client.get(response.headers["location"])
    assert "已通过" in page.text


async def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(client):
    await page_login(client, "officer")
    org = await Organization.select().where(Organization.status == "pending").first()
    response = await post_form(
        client, "/admin/organizations?status=pending", f"/admin/organizations/{org['id']}/reject", {"reason": ""}
    )
    assert response.status_code == 422 and "驳回理由" in response.text
    assert (await Organization.select(Organization.status).where(Organization.id == org["id"]).first())[
        "status"
    ] == "pending"


@pytest.mark.parametrize(
    "username,expected",
    [
        ("admin", ["审计日志", "节假日"]),
        ("officer", ["待审核的社会组织"]),
        ("finance", ["李淑芬"]),
        ("xingfujia", ["杭州市上城区幸福家社会工作服务中心"]),
        ("expert1", ["郑海涛"]),
        ("pinggu", ["吴静"]),
    ],
)
async def test_each_role_reaches_its_dashboard(client, username, expected):
    await page_login(client, username)
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    for text in expected:
        assert text in dashboard.text, (username, text)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/organizations", "/admin/calendar", "/admin/audit", "/inbox"])
async def test_the_administrator_pages_render(client, path):
    await page_login(client, "admin")
    response = await client.get(path)
    assert response.status_code == 200, response.text[:500]


async def test_an_organization_member_is_refused_the_admin_pages_in_chinese(client):
    await page_login(client, "xingfujia")
    response = await client.get("/admin/users")
    assert response.status_code == 403 and "系统管理员" in response.text


async def test_an_anonymous_visitor_is_sent_to_login(client):
    response = await client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/dashboard")


async def test_an_unknown_page_is_a_chinese_404(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404 and "找不到您要访问的页面" in response.text


async def test_logout_ends_the_session(client):
    await page_login(client, "officer")
    dashboard = await client.get("/dashboard")
    response = await client.post("/logout", data={"_csrf_token": csrf_from(dashboard.text)})
    assert response.status_code == 303
    assert (await client.get("/dashboard")).status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "auth.logout") == 1


async def test_the_admin_creates_a_user_from_the_form_and_a_bad_role_is_named(client):
    await page_login(client, "admin")
    bureau = await Organization.select(Organization.id).where(Organization.name == "杭州市上城区民政局").first()
    bad = await post_form(
        client,
        "/admin/users",
        "/admin/users",
        {
            "username": "newexpert",
            "display_name": "新专家",
            "password": "Xinzhuanjia2026",
            "role": "expert",
            "organization_id": str(bureau["id"]),
        },
    )
    assert bad.status_code == 422 and "评审专家库" in bad.text
    good = await post_form(
        client,
        "/admin/users",
        "/admin/users",
        {
            "username": "newofficer",
            "display_name": "新经办人",
            "password": "Xinjingban2026",
            "role": "bureau_officer",
            "organization_id": str(bureau["id"]),
        },
    )
    assert good.status_code == 303
    assert await User.exists().where(User.username == "newofficer")


async def test_the_admin_enters_a_holiday_and_the_dashboard_warning_names_missing_years(client):
    await page_login(client, "admin")
    dashboard = await client.get("/dashboard")
    assert "2027" in dashboard.text  # next year has no official holiday data yet
    response = await post_form(
        client, "/admin/calendar", "/admin/calendar", {"day": "2027-01-01", "is_working_day": "0", "name": "元旦"}
    )
    assert response.status_code == 303
    assert await CalendarEntry.exists().where(CalendarEntry.name == "元旦")
