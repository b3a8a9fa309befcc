"""Web hardening (core/security.py, core/storage.py): the security headers on
every kind of response, HSTS only behind HTTPS, no inline script, handler or
style on any page any role reaches, and hostile file names refused through the
real upload routes with a 422 in Chinese, nothing saved. SQLite, or PostgreSQL
with DATABASE_URL."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from procurement.bids.tables import BidDocument
from procurement.core.security import PAGE_CSP, PDF_CSP
from procurement.settings import get_settings
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login, csrf_from, page_login

PUBLIC_TENDER = "清波街道居家养老上门服务项目"


# --------------------------------------------------------------------------- helpers


def assert_security_headers(response: httpx.Response, *, csp: str = PAGE_CSP) -> None:
    headers = response.headers
    assert headers.get("content-security-policy") == csp, (response.url, headers.get("content-security-policy"))
    assert headers.get("x-frame-options") == "DENY", response.url
    assert headers.get("x-content-type-options") == "nosniff", response.url
    assert headers.get("referrer-policy") == "same-origin", response.url
    assert len(headers.get_list("content-security-policy")) == 1, response.url


def is_no_store(response: httpx.Response) -> bool:
    return "no-store" in response.headers.get("cache-control", "")


async def signed_in(client: httpx.AsyncClient, username: str) -> None:
    """A fresh browser that signed in through the login form."""
    client.cookies.clear()
    response = await page_login(client, username)
    assert response.status_code == 303, response.text


class InlineCode(HTMLParser):
    """Everything in a page that a ``script-src 'self'; style-src 'self'`` policy
    would block: script bodies, scripts without src, ``on…=`` handlers,
    ``javascript:`` URLs, ``style=`` attributes and ``<style>`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.found.append(f"<{tag} style=…>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.found.append("<script> without src")
        elif tag == "style":
            self.found.append("<style> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]!r}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


_LINK = re.compile(r'(?:href|action)="(/[^"#]*)')
_SKIP = re.compile(r"^/(?:static/|schema|api/|logout)|\.(?:pdf|atom)$|/documents/\d+$")


async def crawl(client: httpx.AsyncClient, seeds: list[str], *, limit: int = 45, per_shape: int = 2) -> dict[str, str]:
    """GET the seeds and the pages they link to (same site, no downloads), at most
    ``per_shape`` pages per URL shape (/notices/1 and /notices/2 are one shape)."""
    seen: dict[str, str] = {}
    shapes: dict[str, int] = {}
    queue = list(seeds)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        shape = re.sub(r"\d+", "N", path)
        if url in seen or _SKIP.search(path) or shapes.get(shape, 0) >= per_shape:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = await client.get(url)
        if response.status_code in (301, 302, 303, 307):
            continue
        assert_security_headers(response)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        seen[url] = response.text
        queue.extend(u.replace("&amp;", "&") for u in _LINK.findall(response.text))
    return seen


# --------------------------------------------------------------------------- the headers


async def test_a_public_page_has_the_headers_and_keeps_its_own_caching(client):
    response = await client.get("/notices")

    assert response.status_code == 200
    assert_security_headers(response)
    assert not is_no_store(response)
    assert "strict-transport-security" not in response.headers


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    directives = dict(d.strip().split(" ", 1) for d in PAGE_CSP.split(";"))

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert "unsafe" not in PAGE_CSP and "nonce" not in PAGE_CSP and "*" not in PAGE_CSP
    assert "frame-ancestors 'none'" in PDF_CSP and "unsafe" not in PDF_CSP


async def test_a_signed_in_page_is_not_stored(client):
    await signed_in(client, "officer")

    for url in ("/dashboard", "/bureau/tenders", "/notices"):  # the portal too: it shows who is signed in
        response = await client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert response.headers["cache-control"] == "no-store", url


async def test_the_login_answers_are_not_stored(client):
    form = await client.get("/login")
    assert not is_no_store(form)
    response = await client.post(
        "/login",
        data={
            "username": "xingfujia",
            "password": "Shangcheng2026",
            "next": "/dashboard",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert response.status_code == 303 and "sid" in response.cookies
    assert_security_headers(response)
    assert is_no_store(response)

    client.cookies.clear()  # an API client, not the browser
    api = await client.post("/api/v1/auth/login", json={"username": "officer", "password": "Shangcheng2026"})
    assert api.status_code == 200 and "token" in api.json()
    assert_security_headers(api)
    assert is_no_store(api)


async def test_api_responses_have_the_headers_and_a_signed_in_callers_are_not_stored(client):
    headers = await api_login(client, "officer")
    private = await client.get("/api/v1/tenders/", headers=headers)
    public = await client.get("/api/v1/notices/")
    health = await client.get("/healthz")

    for response in (private, public, health):
        assert response.status_code == 200, response.text
        assert_security_headers(response)
    assert is_no_store(private)
    assert not is_no_store(public) and not is_no_store(health)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/no-such-page", 404),  # no route at all: answered before any middleware
        ("GET", "/api/v1/no-such-thing", 404),
        ("DELETE", "/notices", 405),
        ("GET", "/admin/users", 303),  # a page that needs a login: the redirect
        ("GET", "/tenders/999999999", 404),  # a route whose handler raises
        ("GET", "/api/v1/tenders/999999999", 404),
        ("GET", "/api/v1/eligibility/profile", 401),
    ],
)
async def test_error_answers_have_the_headers(client, method, url, status):
    response = await client.request(method, url)

    assert response.status_code == status, response.text
    assert_security_headers(response)


async def test_an_error_page_for_a_signed_in_user_has_the_headers_and_is_not_stored(client):
    await signed_in(client, "xingfujia")
    response = await client.get("/admin/users")

    assert response.status_code == 403 and "系统管理员" in response.text
    assert_security_headers(response)
    assert is_no_store(response)


async def test_static_files_have_the_headers_and_keep_their_caching_even_for_a_signed_in_user(client):
    for signed in (False, True):
        if signed:
            await signed_in(client, "officer")
        for url in ("/static/css/app.css", "/static/js/app.js", "/static/js/tender-form.js", "/static/favicon.svg"):
            response = await client.get(url)
            assert response.status_code == 200, url
            assert_security_headers(response)
            assert not is_no_store(response), url
        missing = await client.get("/static/js/missing.js")
        assert missing.status_code == 404
        assert_security_headers(missing)


async def test_the_atom_feed_keeps_its_caching_and_a_pdf_gets_the_pdf_policy(client):
    await signed_in(client, "officer")
    feed = await client.get("/notices.atom")
    assert feed.status_code == 200
    assert_security_headers(feed)
    assert not is_no_store(feed)

    client.cookies.clear()
    tender = await Tender.select(Tender.id).where(Tender.title == PUBLIC_TENDER).first()
    pdf = await client.get(f"/tenders/{tender['id']}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert_security_headers(pdf, csp=PDF_CSP)
    assert not is_no_store(pdf)

    await signed_in(client, "officer")
    assert is_no_store(await client.get(f"/tenders/{tender['id']}/document.pdf"))  # a file served to a user


async def test_hsts_is_sent_only_when_the_session_cookie_is_https_only(client, monkeypatch):
    urls = ("/", "/static/css/app.css", "/api/v1/notices/", "/no-such-page")
    for url in urls:
        assert "strict-transport-security" not in (await client.get(url)).headers, url

    monkeypatch.setattr(get_settings(), "cookie_secure", True)
    for url in urls:
        response = await client.get(url)
        assert response.headers.get("strict-transport-security") == "max-age=31536000", url
        assert_security_headers(response)


# --------------------------------------------------------------------------- no inline code on any page


def test_the_inline_code_check_finds_what_it_looks_for():
    planted = (
        '<p style="color:red">a</p><button onclick="go()">b</button><script>alert(1)</script>'
        '<a href="javascript:void(0)">c</a><style>p{}</style><script src="/static/js/app.js"></script>'
        '<form onsubmit="return false"></form><select onChange="x()"></select>'
    )

    found = inline_code(planted)

    assert found == [
        "<p style=…>",
        "<button onclick=…>",
        "<script> without src",
        "inline script: 'alert(1)'",
        "<a href=javascript:…>",
        "<style> element",
        "<form onsubmit=…>",
        "<select onchange=…>",
    ]
    assert inline_code('<script src="/static/js/upload.js" defer></script><p class="hint">x</p>') == []


ROLES = {
    None: ["/", "/notices", "/verify", "/login", "/register"],
    "admin": ["/dashboard", "/admin/users", "/admin/organizations", "/admin/calendar", "/admin/audit", "/inbox"],
    "officer": ["/dashboard", "/bureau/tenders", "/bureau/tenders/new", "/bureau/bid-bonds", "/admin/organizations"],
    "finance": ["/dashboard", "/bureau/bid-bonds"],
    "xingfujia": ["/dashboard", "/org/tenders", "/org/bids", "/org/profile", "/inbox"],
    "expert1": ["/dashboard", "/review"],
    "pinggu": ["/dashboard", "/notices"],
}


async def test_no_page_any_role_reaches_holds_inline_script_handlers_or_styles(client):
    tender = await published_tender(client)
    bid, _headers = await draft_bid(client, "xingfujia", tender)
    rendered: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    for username, seeds in ROLES.items():
        if username is None:
            client.cookies.clear()
        else:
            await signed_in(client, username)
        extra = [f"/org/bids/{bid['id']}", f"/org/tenders/{tender['id']}/bid"] if username == "xingfujia" else []
        pages = await crawl(client, seeds + extra)
        rendered[str(username)] = len(pages)
        for url, html in pages.items():
            if found := inline_code(html):
                problems[f"{username} {url}"] = found
    assert not problems, problems
    # The sample is real: every role's own pages, the tender form and the bid with its upload.
    assert all(count >= 2 for count in rendered.values()), rendered
    assert sum(rendered.values()) >= 60, rendered


async def test_the_tender_form_and_the_bid_page_load_their_behaviour_from_static_files(client):
    tender = await published_tender(client)
    bid, _headers = await draft_bid(client, "xingfujia", tender)
    await signed_in(client, "officer")
    form = await client.get("/bureau/tenders/new")
    assert form.status_code == 200
    assert '<script src="/static/js/tender-form.js"></script>' in form.text
    assert 'data-methods="invited_tender"' in form.text and inline_code(form.text) == []
    script = await client.get("/static/js/tender-form.js")
    assert script.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert 'getElementById("tender-form")' in script.text

    await signed_in(client, "xingfujia")
    page = await client.get(f"/org/bids/{bid['id']}")
    assert page.status_code == 200
    assert 'src="/static/js/upload.js"' in page.text and inline_code(page.text) == []


# --------------------------------------------------------------------------- hostile names through the upload routes


def files_in_store() -> set[Path]:
    root = Path(get_settings().files_dir)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def stored_documents(bid_id: int) -> int:
    return await BidDocument.count().where(BidDocument.bid == bid_id)


HOSTILE_NAMES = [
    pytest.param("长" * 297 + ".pdf", "文件名过长（301 个字，最多 200 个字）", id="301-characters"),
    pytest.param("a" * 9996 + ".pdf", "文件名过长（最多 200 个字）", id="10000-characters"),
    pytest.param("很" * 9996 + ".pdf", "文件名过长（最多 200 个字）", id="10000-chinese-characters"),
    pytest.param("invoice\u202efdp.exe", "文件名「invoicefdp.exe」含有不可见的控制字符 U+202E", id="bidi-override"),
    pytest.param("报价\n单.pdf", "含有不可见的控制字符 U+000A", id="newline"),
]


@pytest.mark.parametrize(("name", "message"), HOSTILE_NAMES)
async def test_a_hostile_name_through_the_api_is_a_422_in_chinese_and_nothing_is_saved(client, name, message):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    before = files_in_store()

    response = await upload(client, headers, bid["id"], name, PDF + b"hostile name")

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert message in response.json()["detail"], response.json()
    assert_security_headers(response)
    assert await stored_documents(bid["id"]) == 0
    assert files_in_store() == before


@pytest.mark.parametrize(("name", "message"), HOSTILE_NAMES)
async def test_a_hostile_name_through_the_upload_page_is_a_422_in_chinese_and_nothing_is_saved(client, name, message):
    tender = await published_tender(client)
    bid, _headers = await draft_bid(client, "xingfujia", tender)
    await signed_in(client, "xingfujia")
    token = csrf_from((await client.get(f"/org/bids/{bid['id']}")).text)
    before = files_in_store()

    response = await client.post(
        f"/org/bids/{bid['id']}/documents",
        data={"_csrf_token": token},
        files={"file": (name, PDF + b"hostile name, page", "application/pdf")},
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text
    assert_security_headers(response)
    assert await stored_documents(bid["id"]) == 0
    assert files_in_store() == before


async def test_a_name_at_the_limit_is_accepted_and_ends_with_the_detected_type(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)

    response = await upload(client, headers, bid["id"], "标" * 196 + ".exe", PDF + b"a pdf named exe")

    assert response.status_code == 201, response.text
    assert response.json()["name"] == "标" * 196 + ".pdf"
    assert response.json()["doc_type"] == "pdf"


async def test_a_zip_bomb_named_docx_is_refused_through_the_api(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/media/image1.png", b"\x00" * (8 * 1024 * 1024))

    response = await upload(client, headers, bid["id"], "方案.docx", buffer.getvalue())

    assert response.status_code == 422, response.text
    assert "压缩炸弹" in response.json()["detail"]
    assert await stored_documents(bid["id"]) == 0
