"""Issue 11: what makes the portal fast must not change what it shows. The
portal's cached reads are dropped the moment a notice or a tender changes, even
when the change bypasses this process (a raw write, as another process's
transaction would be); the CSRF cookie is kept while valid and set only on a page
with a form. SQLite, or PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from datetime import timedelta

from piccolo.querystring import QueryString

from procurement.accounts.tables import Organization
from procurement.core import clock, db
from procurement.core.portal_cache import current_version
from procurement.tenders.states import TENDER_TABLE, TenderStatus
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import published_tender
from tests.integration.conftest import csrf_from, page_login


async def _insert_notice_behind_the_apps_back(title: str) -> int:
    """A notice written by plain SQL, as another app process would write it."""
    buyer = await Organization.select(Organization.id, Organization.name).where(Organization.kind == "bureau").first()
    assert buyer is not None
    await db.get_engine().run_querystring(
        QueryString(
            "INSERT INTO notice (notice_type, tender, tender_version, buyer, buyer_name, method, category, "
            "title, content, published_at) VALUES ({}, NULL, 1, {}, {}, {}, {}, {}, {}, {})",
            "procurement",
            buyer["id"],
            buyer["name"],
            "open_tender",
            "elderly",
            title,
            "正文",
            clock.now() + timedelta(seconds=1),
        )
    )
    rows = await db.get_engine().run_querystring(QueryString("SELECT id FROM notice WHERE title = {}", title))
    return rows[0]["id"]


async def test_a_notice_written_by_another_process_shows_at_once_on_every_cached_portal_read(client):
    for url in ("/", "/notices", "/notices.atom", "/api/v1/notices/"):  # warm every cached read
        assert (await client.get(url)).status_code == 200
        assert (await client.get(url)).status_code == 200
    before = await current_version()
    notice_id = await _insert_notice_behind_the_apps_back("跨进程可见的新公告")
    assert await current_version() != before
    for url in ("/", "/notices", "/notices.atom"):
        assert "跨进程可见的新公告" in (await client.get(url)).text, url
    api = (await client.get("/api/v1/notices/")).json()
    assert api["items"][0]["title"] == "跨进程可见的新公告"

    warm = await client.get(f"/notices/{notice_id}")
    assert "跨进程可见的新公告" in warm.text
    await db.get_engine().run_querystring(
        QueryString("UPDATE notice SET title = {} WHERE id = {}", "已更正的公告标题", notice_id)
    )
    assert "已更正的公告标题" in (await client.get(f"/notices/{notice_id}")).text
    await db.get_engine().run_querystring(QueryString("DELETE FROM notice WHERE id = {}", notice_id))
    assert (await client.get(f"/notices/{notice_id}")).status_code == 404
    assert "已更正的公告标题" not in (await client.get("/notices")).text


async def test_a_publication_through_the_service_changes_the_portal_version_in_its_transaction(client):
    await client.get("/notices")
    before = await current_version()
    tender = await published_tender(client, title="版本号随发布而变的项目")
    assert await current_version() != before
    assert tender["title"] in (await client.get("/notices")).text
    assert tender["title"] in (await client.get("/")).text


async def test_the_buyer_filter_lists_each_buyer_with_notices_once(client):
    page = await client.get("/notices")
    bureau = await Organization.select(Organization.id, Organization.name).where(Organization.kind == "bureau").first()
    assert bureau is not None
    assert page.text.count(f'value="{bureau["id"]}"') >= 1
    others = await Organization.select(Organization.id).where(Organization.kind == "social_org")
    for org in others:  # organizations that published nothing are not offered
        assert f'<option value="{org["id"]}"' not in page.text


async def test_a_page_without_a_form_sets_no_csrf_cookie(client):
    client.cookies.clear()
    for url in ("/", "/notices"):
        response = await client.get(url)
        assert response.status_code == 200
        assert "csrftoken" not in response.headers.get("set-cookie", ""), url


async def test_a_valid_csrf_cookie_is_kept_and_not_issued_again(client):
    client.cookies.clear()
    first = await client.get("/login")
    assert "csrftoken=" in first.headers.get("set-cookie", "")
    token = client.cookies.get("csrftoken")
    again = await client.get("/login")
    assert "csrftoken" not in again.headers.get("set-cookie", "")
    assert csrf_from(again.text) == token
    assert client.cookies.get("csrftoken") == token
    response = await page_login(client, "officer")  # the kept cookie still passes the form check
    assert response.status_code == 303, response.text


async def test_a_csrf_cookie_with_a_wrong_signature_is_replaced(client):
    client.cookies.clear()
    stale = "f" * 128  # as if signed with an old secret
    response = await client.get("/login", headers={"Cookie": f"csrftoken={stale}"})
    issued = response.headers.get("set-cookie", "")
    assert "csrftoken=" in issued and stale not in issued
    assert csrf_from(response.text) != stale
    assert (await page_login(client, "officer")).status_code == 303


async def test_a_public_tender_pdf_has_a_strong_etag_and_a_matching_one_gets_304(client):
    client.cookies.clear()
    tender = await Tender.select(Tender.id).where(Tender.status == TenderStatus.PUBLISHED).first()
    url = f"/tenders/{tender['id']}/document.pdf"
    first = await client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF-")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = await client.get(url)
    assert again.headers["etag"] == etag and again.content == first.content  # the same bytes, from the cache

    not_modified = await client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert (await client.get(url, headers={"If-None-Match": '"something-else"'})).status_code == 200
    api = await client.get(f"/api/v1/tenders/{tender['id']}/document", headers={"If-None-Match": etag})
    assert api.status_code == 304

    await page_login(client, "officer")  # served to a signed-in user: never stored (core/security.py)
    signed = await client.get(url)
    assert signed.status_code == 200 and signed.headers["cache-control"] == "no-store"
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304


async def test_a_pdf_behind_a_login_is_private_and_not_stored_yet_answers_304(client):
    draft = await Tender.select(Tender.id).where(Tender.status == TenderStatus.DRAFT).first()
    client.cookies.clear()
    await page_login(client, "officer")
    url = f"/tenders/{draft['id']}/document.pdf"
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert (await client.get(url, headers={"If-None-Match": response.headers["etag"]})).status_code == 304

    client.cookies.clear()  # signed out: the draft is still refused, whatever the browser holds
    refused = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert refused.status_code == 404


async def test_the_public_tender_page_follows_the_database_and_the_clock_though_kept_per_version(client):
    """Issue 11: the public's tender page is kept per portal version; a raw change to the
    tender (another process) shows at once, and so does the public status when the bid
    deadline passes with no write at all."""
    tender = await published_tender(client, title="按版本缓存的项目页")
    client.cookies.clear()
    url = f"/tenders/{tender['id']}"
    for _ in range(2):  # the second request is served from what the first kept
        page = await client.get(url)
        assert page.status_code == 200 and "按版本缓存的项目页" in page.text and 'id="ask"' not in page.text
    await db.get_engine().run_querystring(
        QueryString("UPDATE tender SET title = {} WHERE id = {}", "另一进程改过的标题", tender["id"])
    )
    assert "另一进程改过的标题" in (await client.get(url)).text
    before = (await client.get(url)).text
    deadline = await Tender.select(Tender.bid_deadline).where(Tender.id == tender["id"]).first()
    clock.freeze(deadline["bid_deadline"] + timedelta(minutes=1))
    try:
        after = (await client.get(url)).text
    finally:
        clock.freeze(None)
    # the public status and the timeline follow the clock, not the version
    published, closed = (TENDER_TABLE.public_label(s) for s in (TenderStatus.PUBLISHED, TenderStatus.CLOSED))
    assert published != closed
    assert f">{published}<" in before and f">{closed}<" not in before
    assert f">{closed}<" in after and after.count('class="past"') > before.count('class="past"')
    await page_login(client, "xingfujia")
    signed_in = (await client.get(url)).text
    assert 'id="ask"' in signed_in and csrf_from(signed_in)  # a signed-in member still gets its own form
