"""Issue 11: whole public pages kept for people not signed in (core/public_pages.py)
must show exactly what a fresh render would: nothing of a signed-in user or of a
flash message, a tender's status the second its deadline passes (even in the
middle of a minute), the footer's clock to the minute, and any change of the data
at once. SQLite, or PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from piccolo.querystring import QueryString

from procurement.core import clock, db, public_pages
from procurement.core.csrf import CSRF_RENDERED
from procurement.tenders.states import TENDER_TABLE, TenderStatus
from tests.integration.bid_helpers import published_tender
from tests.integration.conftest import api_login, csrf_from, page_login


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The templates rendered for a page being kept (a page sent again from what was kept renders none)."""
    seen: list[str] = []
    original = public_pages.render

    def counting(request, response):
        seen.append(response.template_name)
        return original(request, response)

    monkeypatch.setattr(public_pages, "render", counting)
    return seen


def _minute(offset_minutes: int, second: int):
    base = (clock.now() + timedelta(minutes=offset_minutes)).replace(second=0, microsecond=0)
    return base + timedelta(seconds=second)


async def test_the_public_notice_list_is_rendered_once_and_sent_again_until_something_changes(client, renders):
    client.cookies.clear()
    clock.freeze(_minute(0, 5))
    first = await client.get("/notices")
    again = await client.get("/notices")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and renders == ["portal/notices.html"]
    assert again.headers["content-type"] == "text/html; charset=utf-8"

    other_query = await client.get("/notices?notice_type=procurement")
    assert other_query.content != first.content and len(renders) == 2  # the query is part of the key

    tender = await published_tender(client, title="保存页面之后发布的项目")  # a publication: a new portal version
    client.cookies.clear()
    assert tender["title"] in (await client.get("/notices")).text
    assert renders.count("portal/notices.html") == 3


async def test_a_tender_closes_on_the_kept_page_at_its_deadline_in_the_middle_of_a_minute(client, renders):
    tender = await published_tender(client, title="分钟中间截止的项目")
    start = _minute(10, 5)
    deadline = start + timedelta(seconds=25)  # hh:mm:30, not on a minute
    await db.get_engine().run_querystring(
        QueryString("UPDATE tender SET bid_deadline = {} WHERE id = {}", deadline, tender["id"])
    )
    client.cookies.clear()
    url = f"/tenders/{tender['id']}"
    published, closed = (TENDER_TABLE.public_label(s) for s in (TenderStatus.PUBLISHED, TenderStatus.CLOSED))
    clock.freeze(start)
    before = (await client.get(url)).text
    clock.freeze(deadline - timedelta(seconds=1))
    assert (await client.get(url)).text == before and renders == ["portal/tender.html"]  # kept
    clock.freeze(deadline)  # the same minute: only the deadline can tell the page to change
    after = (await client.get(url)).text
    assert f">{published}<" in before and f">{closed}<" not in before
    assert f">{closed}<" in after and len(renders) == 2

    clock.freeze(deadline - timedelta(seconds=1))  # a clock set back: what was kept later is not shown
    assert f">{published}<" in (await client.get(url)).text


async def test_the_notice_list_shows_a_tender_closed_at_its_deadline_in_the_middle_of_a_minute(client):
    tender = await published_tender(client, title="列表中分钟中间截止的项目")
    start = _minute(10, 5)
    deadline = start + timedelta(seconds=40)
    await db.get_engine().run_querystring(
        QueryString("UPDATE tender SET bid_deadline = {} WHERE id = {}", deadline, tender["id"])
    )
    client.cookies.clear()
    published, closed = (TENDER_TABLE.public_label(s) for s in (TenderStatus.PUBLISHED, TenderStatus.CLOSED))

    def row_of(html: str) -> str:
        at = html.index("列表中分钟中间截止的项目")
        return html[at : at + 2000]

    clock.freeze(start)
    assert f">{published}<" in row_of((await client.get("/notices")).text)
    clock.freeze(deadline + timedelta(seconds=1))
    assert f">{closed}<" in row_of((await client.get("/notices")).text)


async def test_the_footer_clock_moves_on_with_the_minute(client):
    client.cookies.clear()
    clock.freeze(_minute(20, 58))
    shown = clock.local_now().strftime("%Y-%m-%d %H:%M")
    assert shown in (await client.get("/")).text
    clock.freeze(_minute(21, 1))
    later = (await client.get("/")).text
    assert clock.local_now().strftime("%Y-%m-%d %H:%M") in later and shown not in later


async def test_a_signed_in_user_never_gets_the_public_page_and_the_public_never_gets_theirs(client, renders):
    client.cookies.clear()
    public = (await client.get("/notices")).text
    assert "退出" not in public
    await page_login(client, "xingfujia")
    signed_in = await client.get("/notices")
    assert "退出" in signed_in.text and csrf_from(signed_in.text)  # the logout form, with this visitor's token
    assert renders == ["portal/notices.html"]  # a signed-in page is not kept
    client.cookies.clear()
    again = (await client.get("/notices")).text
    assert again == public and "退出" not in again

    headers = await api_login(client, "officer")  # a bearer token: built for that caller, not kept
    client.cookies.clear()
    assert (await client.get("/api/v1/notices", headers=headers)).status_code == 200
    kept_before = len(public_pages._pages)
    assert (await client.get("/api/v1/notices", headers=headers)).status_code == 200
    assert len(public_pages._pages) == kept_before


async def test_a_flash_message_shows_once_and_is_never_kept(client):
    client.cookies.clear()
    await client.get("/")  # the public home page, kept
    await page_login(client, "xingfujia")
    dashboard = await client.get("/dashboard")
    response = await client.post("/logout", data={"_csrf_token": csrf_from(dashboard.text)})
    assert response.status_code == 303
    with_flash = await client.get("/")
    assert "您已安全退出。" in with_flash.text
    assert "flash=" in with_flash.headers.get("set-cookie", "")  # the flash cookie is cleared
    client.cookies.delete("flash")
    assert "您已安全退出。" not in (await client.get("/")).text


async def test_a_public_page_that_rendered_a_csrf_field_is_not_kept(client, monkeypatch):
    """None of the kept pages has a form for the public today; one that gets one (a token per
    visitor, and its cookie) must be built for each request."""
    rendered: list[str] = []
    original = public_pages.render

    def with_a_form(request, response):
        rendered.append(response.template_name)
        request.scope[CSRF_RENDERED] = True  # as CSRFInput marks the request when the field renders
        return original(request, response)

    monkeypatch.setattr(public_pages, "render", with_a_form)
    client.cookies.clear()
    await client.get("/notices")
    await client.get("/notices")
    assert rendered == ["portal/notices.html", "portal/notices.html"]


async def test_the_public_api_list_is_the_same_json_kept_or_not(client):
    client.cookies.clear()
    first = await client.get("/api/v1/notices?limit=5")
    again = await client.get("/api/v1/notices?limit=5")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["content-type"] == "application/json"
    assert len(first.json()["items"]) == 5
    assert ("/api/v1/notices", b"limit=5") in {key[:2] for key in public_pages._pages}  # kept
    invalid = await client.get("/api/v1/notices?status=nonsense")
    assert invalid.status_code in (400, 422) and invalid.json()["errors"]


async def test_a_kept_answer_is_sent_before_the_parameters_are_parsed_and_a_miss_reads_the_version_once(
    client, monkeypatch
):
    """``public_pages.kept_page`` (each public handler's ``before_request``): a kept answer
    does not wait for Litestar to parse the query, and a miss builds under the version
    that lookup read, without reading it again."""
    from litestar._kwargs.kwargs_model import KwargsModel

    from procurement.core import portal_cache

    reads: list[str] = []
    original = portal_cache.current_version

    async def counting(key: str = portal_cache.VERSION_KEY):
        memo = portal_cache._memo.get()
        if memo is None or key not in memo:  # read from the database, not from the block's memo
            reads.append(key)
        return await original(key)

    monkeypatch.setattr(portal_cache, "current_version", counting)
    client.cookies.clear()
    for url in ("/api/v1/notices?limit=3", "/notices?q=养老"):
        reads.clear()
        assert (await client.get(url)).status_code == 200
        assert reads == [portal_cache.VERSION_KEY]  # built: one read, shared by the lookup and the build
    parsed = KwargsModel.to_kwargs

    async def refused(self, connection):
        raise AssertionError("parameters parsed for a kept answer")

    monkeypatch.setattr(KwargsModel, "to_kwargs", refused)
    kept = await client.get("/api/v1/notices?limit=3")
    assert kept.status_code == 200 and len(kept.json()["items"]) == 3
    monkeypatch.setattr(KwargsModel, "to_kwargs", parsed)
    invalid = await client.get("/api/v1/notices?limit=0")  # never kept: validated every time
    assert invalid.status_code == 400 and invalid.json()["errors"]


def test_changes_at_outside_a_page_being_kept_does_nothing():
    public_pages.changes_at(clock.now())  # no error, nothing collected
    assert clock._changes.get() is None


async def test_the_portal_version_read_on_the_loop_sees_every_commit_and_falls_back_when_refused(client, monkeypatch):
    """SQLite: the version is read on the event loop's thread by a connection of its own that
    never waits (db.read_small_now); it must see another connection's commit at once, and
    when it cannot answer the read goes through the pool as before. PostgreSQL: the same
    reads, on a connection of the engine's own (recovering from losing it)."""
    from procurement.core.portal_cache import current_version

    engine = db.get_engine()
    before = await current_version()
    await engine.run_querystring(QueryString("UPDATE system_value SET value = {} WHERE key = 'portal_version'", "v-x"))
    assert await current_version() == "v-x" != before

    async with db.transaction():  # inside a transaction: read through it (it sees its own writes)
        await engine.run_querystring(
            QueryString("UPDATE system_value SET value = {} WHERE key = 'portal_version'", "v-in-tx")
        )
        assert await current_version() == "v-in-tx"
    assert await current_version() == "v-in-tx"

    if not db.is_sqlite():
        await _postgres_reads_on_a_connection_of_its_own_and_recovers(engine)
        return
    monkeypatch.setattr(type(engine), "read_small_now", lambda self, sql, args: None)  # refused: busy
    await engine.run_querystring(QueryString("UPDATE system_value SET value = {} WHERE key = 'portal_version'", "v-y"))
    assert await current_version() == "v-y"


async def _postgres_reads_on_a_connection_of_its_own_and_recovers(engine) -> None:
    """PostgreSQL: outside a transaction the version is read on the engine's connection of its
    own (not a pooled one); a commit through the pool shows at the next read; a connection
    killed by the server (a restart, an administrator) costs one read through the pool, and
    the read after opens a new one."""
    from procurement.core.portal_cache import current_version

    await current_version()
    own = engine._own[1]
    backend = own.get_server_pid()
    await engine.run_querystring(QueryString("UPDATE system_value SET value = {} WHERE key = 'portal_version'", "v-pg"))
    assert await current_version() == "v-pg" and engine._own[1] is own
    await engine.run_querystring(QueryString("SELECT pg_terminate_backend({})", backend))
    await engine.run_querystring(
        QueryString("UPDATE system_value SET value = {} WHERE key = 'portal_version'", "v-pg2")
    )
    for _ in range(50):  # the server's termination reaches the client side
        if own.is_closed():
            break
        await asyncio.sleep(0.02)
    assert await current_version() == "v-pg2"  # through the pool, or a new connection
    assert await current_version() == "v-pg2"
    assert engine._own is not None and engine._own[1] is not own and engine._own[1].get_server_pid() != backend
    kept = engine._own[1]
    both = await asyncio.gather(  # two reads at once (two versions' reads) queue for the one connection
        engine.read_small_own("SELECT value FROM system_value WHERE key = $1", "portal_version"),
        engine.read_small_own("SELECT pg_sleep(0.05), value FROM system_value WHERE key = $1", "portal_version"),
    )
    assert [rows[0]["value"] for rows in both] == ["v-pg2", "v-pg2"] and engine._own[1] is kept


async def test_the_public_tender_pdf_is_kept_and_still_answers_304_and_a_member_still_obtains_it(client):
    from procurement.tenders.tables import Tender, TenderDocumentReceipt

    await TenderDocumentReceipt.delete(force=True)
    tender = await Tender.select(Tender.id).where(Tender.status == TenderStatus.PUBLISHED).first()
    url = f"/tenders/{tender['id']}/document.pdf"
    client.cookies.clear()
    first = await client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF-")
    assert (url, b"") in {key[:2] for key in public_pages._pages}  # kept for the public
    again = await client.get(url)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    kept_304 = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert kept_304.status_code == 304 and kept_304.content == b""
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200

    await page_login(client, "yile")  # a member's download is built for it and counts as obtained
    member = await client.get(url)
    assert member.status_code == 200 and member.headers["cache-control"] == "no-store"
    obtained = await TenderDocumentReceipt.count().where(TenderDocumentReceipt.tender == tender["id"])
    assert obtained >= 1
