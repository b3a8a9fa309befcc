"""Issue 11: the officer's and the organization's dashboard is kept whole per user
(``procurement.dashboard.kept``) and must never show what is no longer so: every kind
of write it shows appears at the next request, also when made through another database
connection (another process); a deadline passing mid-minute shows at once; one user
never gets another's page; the session, the CSRF field and the flash stay per request.
SQLite, or PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from piccolo.querystring import QueryString

from procurement.accounts.tables import User
from procurement.core import clock, db
from procurement.core.auth import CurrentUser
from procurement.core.portal_cache import current_version
from procurement.core.web import FLASH_COOKIE, _sign
from procurement.dashboard import kept
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import draft_bid, published_tender
from tests.integration.conftest import csrf_from, page_login


@pytest.fixture(autouse=True)
def _nothing_kept_yet() -> None:
    """Pages kept by earlier tests in this process (under older versions, since evicted only
    by age) would be counted by ``_kept_for``: each test starts with none."""
    kept.clear()


@asynccontextmanager
async def browser(app: Any, username: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own (its own cookies), signed in as ``username``."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        if username:
            assert (await page_login(c, username)).status_code == 303
        yield c


async def another_connection(sql: str, *args: Any) -> None:
    """``sql`` run and committed on a database connection outside the app's pool, as
    another app process would (``$1``… placeholders)."""
    engine = db.get_engine()
    if db.is_sqlite():
        import sqlite3

        connection = sqlite3.connect(engine.path)  # type: ignore[attr-defined]
        try:
            connection.execute(re.sub(r"\$\d+", "?", sql), args)
            connection.commit()
        finally:
            connection.close()
    else:
        import asyncpg

        connection = await asyncpg.connect(os.environ["DATABASE_URL"])
        try:
            await connection.execute(sql, *args)
        finally:
            await connection.close()


async def _dashboard(c: httpx.AsyncClient) -> str:
    response = await c.get("/dashboard")
    assert response.status_code == 200, response.text
    return response.text


def _kept_for(user_id: int) -> list[Any]:
    return [k for key, k in kept._pages.items() if key[2] == user_id]


async def _user_id(username: str) -> int:
    row = await User.select(User.id).where(User.username == username).first()
    assert row is not None
    return row["id"]


# --------------------------------------------------------------------------- what invalidates


async def test_the_dashboard_is_kept_and_a_notification_from_another_connection_shows_at_once(client, app):
    async with browser(app, "xingfujia") as c:
        first = await _dashboard(c)
        uid = await _user_id("xingfujia")
        assert len(_kept_for(uid)) == 1  # kept
        again = await _dashboard(c)
        assert again == first  # served from what was kept, the same bytes (the same CSRF cookie)
        before = await current_version(kept.VERSION_KEY)
        await another_connection(
            "INSERT INTO inbox_item (recipient, event, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            uid,
            "test",
            "另一进程发来的新消息",
            "正文",
            "/dashboard",
            clock.now(),
        )
        assert await current_version(kept.VERSION_KEY) != before
        after = await _dashboard(c)
        assert "另一进程发来的新消息" in after
        unread = re.search(r'class="nav-count" title="(\d+) 条未读"', after)
        unread_before = re.search(r'class="nav-count" title="(\d+) 条未读"', first)
        assert unread is not None
        assert int(unread.group(1)) == (int(unread_before.group(1)) if unread_before else 0) + 1


async def test_a_new_tender_a_new_bid_and_a_changed_title_show_at_once(client, app):
    tender = await published_tender(client, title="缓存后新发布的项目")
    async with browser(app, "yile") as c:
        page = await _dashboard(c)
        assert "缓存后新发布的项目" in page
        await _dashboard(c)  # kept
        await draft_bid(client, "yile", tender)  # through the app: the bid's draft shows
        page = await _dashboard(c)
        drafts = page.split('id="todo-bid_drafts"')[1].split("</section>")[0]
        assert "缓存后新发布的项目" in drafts
        await another_connection("UPDATE tender SET title = $1 WHERE id = $2", "另一进程改过的项目名", tender["id"])
        page = await _dashboard(c)
        assert "另一进程改过的项目名" in page and "缓存后新发布的项目" not in page


async def test_a_question_from_another_connection_shows_on_the_officers_kept_page(client, app):
    tender = await published_tender(client, title="待答疑的项目")
    org = await db.get_engine().run_querystring(
        QueryString("SELECT id FROM organization WHERE kind = 'social_org' ORDER BY id LIMIT 1")
    )
    async with browser(app, "officer") as c:
        page = await _dashboard(c)
        assert (await _dashboard(c)) == page  # kept
        questions = page.split('id="todo-questions"')[1].split("</section>")[0] if 'id="todo-questions"' in page else ""
        assert "待答疑的项目" not in questions
        await another_connection(
            "INSERT INTO tender_question (tender, organization, asked_by, question, asked_at, answer, outcome) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            tender["id"],
            org[0]["id"],
            await _user_id("xingfujia"),
            "另一进程提出的问题",
            clock.now(),
            "",
            "",
        )
        page = await _dashboard(c)
        assert "待答疑的项目" in page.split('id="todo-questions"')[1].split("</section>")[0]


async def test_every_table_the_kept_dashboards_read_changes_the_version(client):
    """What the dashboards read, as the SQL they run says, against the version's triggers:
    a query added on a table without one would keep a page past a change."""
    from procurement.accounts.tables import Organization
    from procurement.dashboard import services
    from procurement.system import services as system

    seen: list[str] = []
    original = QueryString.compile_string

    def recording(self: QueryString, engine_type: str = "postgres") -> Any:
        compiled = original(self, engine_type=engine_type)
        seen.append(compiled[0])
        return compiled

    users = await User.select().where(User.username.is_in(["xingfujia", "yile", "yangguang", "officer", "qingbo"]))
    QueryString.compile_string = recording  # type: ignore[method-assign]
    try:
        for u in users:
            org = await Organization.select().where(Organization.id == u["organization"]).first()
            user = CurrentUser(
                id=u["id"],
                username=u["username"],
                display_name=u["display_name"],
                role=u["role"],
                organization_id=u["organization"],
                organization_name=org["name"],
                organization_kind=org["kind"],
                session_id=0,
                csrf_token="",
                via="cookie",
            )
            await services.dashboard(user)
            await system.list_inbox(user, limit=5)
    finally:
        QueryString.compile_string = original  # type: ignore[method-assign]
    from piccolo.conf.apps import Finder

    known = {t._meta.tablename for t in Finder().get_table_classes()}
    read = {name for sql in seen for name in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql, re.I)} & known
    assert {"bid", "tender", "contract", "inbox_item"} <= read
    if db.is_sqlite():
        rows = await db.get_engine().run_querystring(
            QueryString("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard_version_%'")
        )
        triggered = {r["name"].removeprefix("dashboard_version_").rsplit("_", 1)[0] for r in rows}
    else:
        rows = await db.get_engine().run_querystring(
            QueryString("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'dashboard_version_%'")
        )
        triggered = {r["tgname"].removeprefix("dashboard_version_") for r in rows}
    assert read - triggered == set()


# --------------------------------------------------------------------------- the clock


async def test_a_bid_deadline_passing_mid_minute_drops_the_tender_at_once(client, app):
    tender = await published_tender(client, title="分钟内截止的项目")
    minute = (clock.now() + timedelta(minutes=2)).replace(second=0, microsecond=0)

    def entry(page: str) -> str:
        section = page.split('id="todo-open_tenders"')[1].split("</section>")[0]
        before, after = section.split("分钟内截止的项目", 1)
        return before.rsplit("<li", 1)[1] + after.split("</li>", 1)[0]

    async with browser(app, "yangguang") as c:
        await Tender.update({Tender.bid_deadline: minute + timedelta(days=1, seconds=30)}).where(
            Tender.id == tender["id"]
        )
        with clock.frozen(minute + timedelta(seconds=10)):  # a day ahead and 20 s
            page = await _dashboard(c)
            assert "text-danger" not in entry(page)  # not yet due within a day
            assert (await _dashboard(c)) == page  # kept
        with clock.frozen(minute + timedelta(seconds=40)):  # the same minute, now within a day
            assert "text-danger" in entry(await _dashboard(c))
        await Tender.update({Tender.bid_deadline: minute + timedelta(minutes=1, seconds=30)}).where(
            Tender.id == tender["id"]
        )
        with clock.frozen(minute + timedelta(minutes=1, seconds=10)):
            assert "分钟内截止的项目" in await _dashboard(c)
            await _dashboard(c)
        with clock.frozen(minute + timedelta(minutes=1, seconds=40)):  # the same minute, past the deadline
            assert "分钟内截止的项目" not in await _dashboard(c)


async def test_a_tender_coming_within_seven_days_mid_minute_joins_the_officers_closing_list(client, app):
    tender = await published_tender(client, title="七日内截止的项目")
    minute = (clock.now() + timedelta(minutes=2)).replace(second=0, microsecond=0)
    await Tender.update({Tender.bid_deadline: minute + timedelta(days=7, seconds=30)}).where(Tender.id == tender["id"])
    async with browser(app, "officer") as c:

        def closing(page: str) -> str:
            return page.split('id="todo-closing"')[1].split("</section>")[0] if 'id="todo-closing"' in page else ""

        with clock.frozen(minute + timedelta(seconds=10)):
            assert "七日内截止的项目" not in closing(await _dashboard(c))
            await _dashboard(c)
        with clock.frozen(minute + timedelta(seconds=40)):
            assert "七日内截止的项目" in closing(await _dashboard(c))


async def test_the_page_shows_the_time_of_the_minute_it_is_served_in(client, app):
    async with browser(app, "xingfujia") as c:
        base = (clock.now() + timedelta(minutes=2)).replace(second=50, microsecond=0)
        shown, next_one = (clock.to_local(m).strftime("%Y-%m-%d %H:%M") for m in (base, base + timedelta(seconds=15)))
        with clock.frozen(base):
            assert shown in await _dashboard(c)
            await _dashboard(c)
        with clock.frozen(base + timedelta(seconds=15)):
            page = await _dashboard(c)
            assert next_one in page and shown not in page


# --------------------------------------------------------------------------- per user, per request


async def test_one_user_never_gets_anothers_kept_page(client, app):
    async with browser(app, "xingfujia") as a, browser(app, "yile") as b:
        for _ in range(2):
            page_a, page_b = await _dashboard(a), await _dashboard(b)
            assert "陈晓燕" in page_a and "陈晓燕" not in page_b
            assert "赵丽华" in page_b and "赵丽华" not in page_a
    async with browser(app, "officer") as a, browser(app, "qingbo") as b:
        for _ in range(2):
            page_a, page_b = await _dashboard(a), await _dashboard(b)
            assert "王建国" in page_a and "周敏" in page_b and "王建国" not in page_b


async def test_logout_a_disabled_account_and_a_role_change_apply_to_a_kept_page(client, app):
    async with browser(app, "xingfujia") as c:
        await _dashboard(c)
        await _dashboard(c)
        page = await c.get("/dashboard")
        logout = await c.post("/logout", data={"_csrf_token": csrf_from(page.text)})
        assert logout.status_code in (302, 303)
        assert (await c.get("/dashboard")).status_code != 200
    async with browser(app, "yile") as c:
        await _dashboard(c)
        await _dashboard(c)
        await another_connection("UPDATE app_user SET is_active = $1 WHERE username = $2", False, "yile")
        assert (await c.get("/dashboard")).status_code != 200
    async with browser(app, "yangguang") as c:
        page = await _dashboard(c)
        assert 'href="/org/bids"' in page
        await User.update({User.role: "bureau_finance"}).where(User.username == "yangguang")
        page = await _dashboard(c)  # another role's dashboard, built for it
        assert 'href="/org/bids"' not in page and 'href="/bureau/payments"' in page


async def test_each_session_gets_its_own_csrf_field_in_a_kept_page_and_a_flash_is_shown(client, app):
    async with browser(app, "xingfujia") as a, browser(app, "xingfujia") as b:
        page_a, page_b = await _dashboard(a), await _dashboard(b)
        assert csrf_from(page_a) == a.cookies.get("csrftoken")
        assert csrf_from(page_b) == b.cookies.get("csrftoken")
        assert csrf_from(page_a) != csrf_from(page_b)
        again = await _dashboard(b)
        assert csrf_from(again) == b.cookies.get("csrftoken")
        # a new browser of the same session with no CSRF cookie yet gets one, with the field
        a.cookies.delete("csrftoken")
        fresh = await a.get("/dashboard")
        assert "csrftoken=" in fresh.headers.get("set-cookie", "")
        assert csrf_from(fresh.text) == a.cookies.get("csrftoken")
        # the form in the kept page posts: logout with its field works
        out = await a.post("/logout", data={"_csrf_token": csrf_from(fresh.text)})
        assert out.status_code in (302, 303)
        # a flash message shows on the page it comes with, and the next page is kept again without it
        uid = await _user_id("xingfujia")
        b.cookies.set(FLASH_COOKIE, quote("success|已保存的提示") + "." + _sign("success|已保存的提示"))
        flashed = await b.get("/dashboard")
        assert "已保存的提示" in flashed.text and csrf_from(flashed.text) == b.cookies.get("csrftoken")
        b.cookies.delete(FLASH_COOKIE)
        assert "已保存的提示" not in await _dashboard(b)
        assert _kept_for(uid)


async def test_a_session_expires_at_its_moment_on_a_kept_page(client, app):
    """The session is read on the loop's thread on SQLite, with the dashboards' version
    (``resolve_session_and_version``): the same
    expiry to the second, the same logout from another connection."""
    from procurement.core.tables import UserSession

    async with browser(app, "xingfujia") as c:
        await _dashboard(c)
        row = (
            await UserSession.select(UserSession.id, UserSession.expires_at)
            .order_by(UserSession.id, ascending=False)
            .first()
        )
        assert row is not None
        with clock.frozen(row["expires_at"] - timedelta(seconds=1)):
            assert (await c.get("/dashboard")).status_code == 200
        with clock.frozen(row["expires_at"] + timedelta(seconds=1)):
            assert (await c.get("/dashboard")).status_code != 200
        assert (await c.get("/dashboard")).status_code == 200
        await another_connection("UPDATE user_session SET revoked_at = $1 WHERE id = $2", clock.now(), row["id"])
        assert (await c.get("/dashboard")).status_code != 200


async def test_without_the_version_read_with_the_session_the_page_reads_it_itself(client, app, monkeypatch):
    """``kept_page`` reached without the session middleware's version (the scope key
    absent) reads the version as the portal does, with the same staleness guarantee."""
    from procurement.accounts import middleware

    monkeypatch.setattr(middleware, "DASHBOARD_VERSION_SCOPE", "procurement.test.elsewhere")
    tender = await published_tender(client, title="自己读版本号的项目")
    async with browser(app, "yile") as c:
        assert "自己读版本号的项目" in await _dashboard(c)
        await _dashboard(c)
        assert _kept_for(await _user_id("yile"))
        await another_connection("UPDATE tender SET title = $1 WHERE id = $2", "另一连接改后的名称", tender["id"])
        assert "另一连接改后的名称" in await _dashboard(c)


# --------------------------------------------------------------------------- one build at a time


async def test_requests_arriving_while_the_page_is_built_wait_for_that_build(client, app, monkeypatch):
    """Issue 11: eight requests for one user's dashboard at once, none kept yet, build it
    once; each is sent that page with its own session's CSRF field. Another user's page
    is built on its own."""
    import asyncio

    builds: list[str] = []
    real_build = kept._build

    async def counted(request, build, version, now, key):
        builds.append(request.scope["path"])
        return await real_build(request, build, version, now, key)

    monkeypatch.setattr(kept, "_build", counted)
    async with browser(app, "xingfujia") as a, browser(app, "xingfujia") as b, browser(app, "yile") as other:
        kept.clear()
        pages = await asyncio.gather(*(_dashboard(c) for c in (a, b) * 4), _dashboard(other))
    assert len(builds) == 2  # xingfujia's once, yile's once
    assert all("陈晓燕" in page for page in pages[:8]) and "赵丽华" in pages[8]
    fields = {re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1) for page in pages[:8]}  # type: ignore[union-attr]
    assert len(fields) == 2  # each browser's own token, not the builder's


async def test_when_the_build_keeps_nothing_the_waiting_requests_build_their_own(client, app, monkeypatch):
    """A build that fails (or is not kept) leaves the requests that waited for it to build
    the page themselves: they are never sent another request's error or nothing."""
    import asyncio

    calls = 0
    real_build = kept._build

    async def first_fails(request, build, version, now, key):
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.05)  # the others arrive and wait
            raise RuntimeError("the first build fails")
        return await real_build(request, build, version, now, key)

    monkeypatch.setattr(kept, "_build", first_fails)
    async with browser(app, "xingfujia") as c:
        kept.clear()
        answers = await asyncio.gather(*(c.get("/dashboard") for _ in range(4)), return_exceptions=True)
    failed = [a for a in answers if isinstance(a, BaseException) or a.status_code != 200]
    assert len(failed) == 1  # the first build's own request
    assert calls == 4
    assert all("陈晓燕" in a.text for a in answers if not isinstance(a, BaseException) and a.status_code == 200)
