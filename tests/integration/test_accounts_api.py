"""Accounts through the API: login, logout, permissions, registration,
approval, and the audit rows each one writes (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from procurement.accounts.tables import Organization, User
from procurement.core.tables import AuditEvent, LoginAttempt, UserSession
from procurement.demo import make_credit_code
from tests.integration.conftest import DEMO_PASSWORD, api_login

REGISTRATION = {
    "name": "上城区紫阳社区睦邻服务中心",
    "credit_code": make_credit_code("52", "330102", "MA2HF0A1"),
    "legal_representative": "刘洋",
    "contact_name": "刘洋",
    "contact_phone": "13812345678",
    "username": "muling",
    "display_name": "刘洋",
    "password": "Zhuzhou2026abc",
}


async def test_login_returns_a_token_that_identifies_the_user(client):
    headers = await api_login(client, "officer")
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "officer"
    assert body["role"] == "bureau_officer"
    assert body["organization"]["name"] == "杭州市上城区民政局"
    assert await AuditEvent.count().where(AuditEvent.action == "auth.login") == 1


async def test_a_wrong_password_is_refused_in_chinese_and_audited(client):
    response = await client.post("/api/v1/auth/login", json={"username": "officer", "password": "wrong-password1"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "用户名或密码不正确。"
    assert await UserSession.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "auth.login_failed") == 1


async def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "whatever123"})
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确。"


async def test_logout_revokes_the_token_at_once(client):
    headers = await api_login(client, "officer")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    assert await AuditEvent.count().where(AuditEvent.action == "auth.logout") == 1


async def test_repeated_failures_lock_the_account_for_a_while(client):
    for _ in range(5):
        r = await client.post("/api/v1/auth/login", json={"username": "officer", "password": "bad-password1"})
        assert r.status_code == 401
    locked = await client.post("/api/v1/auth/login", json={"username": "officer", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "分钟后再试" in locked.json()["detail"]
    assert await UserSession.count() == 0


async def _try(client, username: str, password: str) -> int:
    return (await client.post("/api/v1/auth/login", json={"username": username, "password": password})).status_code


async def test_the_failure_count_starts_again_after_a_success_and_after_the_window(client):
    """The rate limit's boundaries: 4 failures then a success leave the account open, and
    the count starts again from that success; failures older than the window (15 minutes)
    no longer count; the fifth failure within it locks the account."""
    from datetime import timedelta

    from procurement.core import clock

    start = clock.now()
    second = 0

    def tick() -> None:  # each attempt a second after the one before
        nonlocal second
        second += 1
        clock.freeze(start + timedelta(seconds=second))

    async def attempt(password: str) -> int:
        tick()
        return await _try(client, "officer", password)

    for _ in range(4):
        assert await attempt("bad-password1") == 401
    assert await attempt(DEMO_PASSWORD) == 200  # 4 < 5: open; and the count restarts
    for _ in range(4):
        assert await attempt("bad-password1") == 401
    assert await attempt(DEMO_PASSWORD) == 200  # 4 since the success, not 8
    for _ in range(4):
        assert await attempt("bad-password1") == 401
    second += 15 * 60  # the window (15 minutes) has passed over those four
    for _ in range(4):
        assert await attempt("bad-password1") == 401
    assert await attempt(DEMO_PASSWORD) == 200  # 4 in the window, not 8
    for _ in range(5):
        assert await attempt("bad-password1") == 401
    assert await attempt(DEMO_PASSWORD) == 429  # the fifth failure since the success locks it


async def test_many_failures_from_one_address_lock_every_account_tried_from_it(client, monkeypatch):
    from procurement.settings import reset_settings_cache

    monkeypatch.setenv("PROCUREMENT_LOGIN_MAX_FAILURES_PER_IP", "3")
    reset_settings_cache()
    try:
        for name in ("nobody-1", "nobody-2"):
            assert await _try(client, name, "whatever123") == 401
        assert await _try(client, "officer", DEMO_PASSWORD) == 200  # 2 < 3 from this address
        assert await _try(client, "nobody-3", "whatever123") == 401
        assert await _try(client, "officer", DEMO_PASSWORD) == 429  # 3 failures from this address
        assert await LoginAttempt.count().where(LoginAttempt.succeeded == False) == 3
    finally:
        monkeypatch.delenv("PROCUREMENT_LOGIN_MAX_FAILURES_PER_IP")
        reset_settings_cache()


async def test_a_login_checks_the_password_off_the_event_loop(client, monkeypatch):
    """Issue 11: argon2 (tens of ms of CPU) never runs on the loop that serves the other
    requests, for a right password, a wrong one and an unknown user alike (what keeps
    ``scripts/bench``'s login figure from falling to a few hundredths)."""
    import threading

    from procurement.core import auth

    threads: list[str] = []
    verify = auth.verify_password

    def watched(password_hash, password):
        threads.append(threading.current_thread().name)
        return verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", watched)
    assert await _try(client, "officer", DEMO_PASSWORD) == 200
    assert await _try(client, "officer", "bad-password1") == 401
    assert await _try(client, "nobody", "whatever123") == 401
    assert len(threads) == 3 and all(name.startswith("argon2") for name in threads), threads


async def test_a_hash_made_with_other_parameters_is_renewed_at_the_next_login(client):
    """The login's UPDATE keeps the stored hash unless it was renewed (COALESCE of the new
    one), and records the time of the login either way."""
    from argon2 import PasswordHasher

    from procurement.core import auth

    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=4).hash(DEMO_PASSWORD)
    await User.update({User.password_hash: old}).where(User.username == "officer")
    assert await _try(client, "officer", DEMO_PASSWORD) == 200
    renewed = await User.select(User.password_hash, User.last_login_at).where(User.username == "officer").first()
    assert renewed["password_hash"] != old and not auth.needs_rehash(renewed["password_hash"])
    assert renewed["last_login_at"] is not None
    assert await _try(client, "officer", DEMO_PASSWORD) == 200
    again = await User.select(User.password_hash).where(User.username == "officer").first()
    assert again["password_hash"] == renewed["password_hash"]  # kept: nothing to renew


async def test_a_pending_organization_cannot_sign_in_until_approved(client):
    pending = await client.post("/api/v1/auth/login", json={"username": "linli", "password": DEMO_PASSWORD})
    assert pending.status_code == 401
    assert "审核" in pending.json()["detail"]

    org = await Organization.select(Organization.id).where(Organization.name == "上城区邻里守望社区公益服务社").first()
    officer = await api_login(client, "officer")
    approved = await client.post(f"/api/v1/organizations/{org['id']}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    audit = await AuditEvent.select().where(AuditEvent.action == "organization.approve").first()
    assert audit["entity_id"] == str(org["id"]) and '"active"' in audit["after"]

    assert (
        await client.post("/api/v1/auth/login", json={"username": "linli", "password": DEMO_PASSWORD})
    ).status_code == 200


async def test_approving_twice_is_refused_with_409_and_changes_nothing(client):
    org = await Organization.select(Organization.id).where(Organization.status == "pending").first()
    officer = await api_login(client, "officer")
    assert (await client.post(f"/api/v1/organizations/{org['id']}/approve", headers=officer)).status_code == 200
    before = await AuditEvent.count()
    again = await client.post(f"/api/v1/organizations/{org['id']}/approve", headers=officer)
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "invalid-transition" and body["state"] == "active"
    assert "已启用" in body["detail"]
    assert await AuditEvent.count() == before


async def test_concurrent_approvals_change_the_organization_exactly_once(client):
    org = await Organization.select(Organization.id).where(Organization.status == "pending").first()
    officer = await api_login(client, "officer")
    responses = await asyncio.gather(
        *[client.post(f"/api/v1/organizations/{org['id']}/approve", headers=officer) for _ in range(8)]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1, codes
    assert all(c in (200, 409, 422) for c in codes), codes
    assert await AuditEvent.count().where(AuditEvent.action == "organization.approve") == 1


async def test_an_organization_member_may_not_list_organizations_and_is_told_why(client):
    member = await api_login(client, "xingfujia")
    response = await client.get("/api/v1/organizations/", headers=member)
    assert response.status_code == 403
    assert "民政局工作人员" in response.json()["detail"]


async def test_only_an_administrator_creates_organizations(client):
    officer = await api_login(client, "officer")
    response = await client.post("/api/v1/organizations/", headers=officer, json={"name": "某机构", "kind": "agency"})
    assert response.status_code == 403
    assert "系统管理员" in response.json()["detail"]
    admin = await api_login(client, "admin")
    created = await client.post(
        "/api/v1/organizations/", headers=admin, json={"name": "杭州市某评估事务所", "kind": "agency"}
    )
    assert created.status_code == 201, created.text
    assert await AuditEvent.count().where(AuditEvent.action == "organization.created") >= 1


async def test_registration_creates_a_pending_organization_and_notifies_reviewers(client):
    response = await client.post("/api/v1/organizations/register", json=REGISTRATION)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    officer = await api_login(client, "officer")
    inbox = (await client.get("/api/v1/inbox/", headers=officer)).json()
    assert any(REGISTRATION["name"] in item["title"] for item in inbox["items"])


async def test_a_corrupted_credit_code_is_refused_and_nothing_is_saved(client):
    code = REGISTRATION["credit_code"]
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    orgs, users = await Organization.count(), await User.count()
    response = await client.post("/api/v1/organizations/register", json={**REGISTRATION, "credit_code": bad})
    assert response.status_code == 422
    assert "校验位" in response.json()["errors"]["credit_code"]
    assert (await Organization.count(), await User.count()) == (orgs, users)


async def test_a_weak_password_and_a_taken_username_are_named_per_field(client):
    response = await client.post(
        "/api/v1/organizations/register", json={**REGISTRATION, "username": "officer", "password": "short"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "已被使用" in errors["username"] and "至少" in errors["password"]


async def test_malformed_json_gets_a_400_in_chinese(client):
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "JSON" in response.json()["detail"] or "请求" in response.json()["detail"]


async def test_a_missing_field_is_named_in_chinese(client):
    response = await client.post("/api/v1/auth/login", json={"username": "officer"})
    assert response.status_code == 400
    assert "必填" in response.json()["detail"]


async def test_an_oversized_body_is_refused(client):
    big = b'{"username": "' + b"x" * (61 * 1024 * 1024) + b'"}'
    response = await client.post("/api/v1/auth/login", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert await LoginAttempt.count() == 0


async def test_an_unknown_api_route_is_a_chinese_404(client):
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["detail"] == "找不到您要访问的页面。"


async def test_cookie_sessions_need_the_csrf_header_on_api_writes(client):
    await client.get("/login")
    from tests.integration.conftest import page_login

    assert (await page_login(client, "officer")).status_code == 303
    org = await Organization.select(Organization.id).where(Organization.status == "pending").first()
    refused = await client.post(f"/api/v1/organizations/{org['id']}/approve")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert await Organization.select(Organization.status).where(Organization.id == org["id"]).first() == {
        "status": "pending"
    }


async def test_healthz_checks_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_the_openapi_document_names_every_operation_in_pascal_case(client):
    schema = (await client.get("/schema/openapi.json")).json()
    ids = {
        op["operationId"]
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    required = {
        "Login",
        "Logout",
        "GetMe",
        "ListOrganizations",
        "CreateOrganization",
        "RegisterOrganization",
        "ApproveOrganization",
        "ListAuditEvents",
        "ListInbox",
        "AdvanceClock",
    }
    assert required <= ids
    assert all(i[0].isupper() and "_" not in i for i in ids), ids


async def test_an_absurd_id_in_a_request_body_is_a_400_not_a_server_error(client):
    """Found by schemathesis: ids in bodies are bounded like path ids."""
    admin = await api_login(client, "admin")
    before = await client.get("/api/v1/organizations/", headers=admin)
    response = await client.post(
        "/api/v1/organizations",
        headers=admin,
        json={"name": "测试机构", "kind": "bureau", "parent_id": 2985944504981246916855595008},
    )
    assert response.status_code == 400, response.text
    assert "parent_id" in response.json()["errors"]
    after = await client.get("/api/v1/organizations/", headers=admin)
    assert after.json() == before.json(), "nothing was saved"
