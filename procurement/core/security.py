"""Security headers on every response: pages, API, static files, PDFs and errors.

What each response gets:

- ``Content-Security-Policy`` (``PAGE_CSP``): scripts, styles, images, fonts and
  XHR only from this origin; no inline script, no inline style, no ``eval``, no
  plugins (``object-src 'none'``), no ``<base>`` pointing elsewhere, forms post
  only here, and no page may be framed (``frame-ancestors 'none'``). The
  templates hold no ``<script>`` body, no ``on…=`` handler and no ``style=``
  attribute (tests/integration/test_web_hardening.py renders pages as every
  role and fails on one), so ``'unsafe-inline'`` is needed neither for
  scripts nor for styles: the little styling a page needs is a class in
  ``static/css/app.css``. The PDFs (templates/pdf) keep their ``<style>``
  blocks: WeasyPrint reads them on the server, no browser applies this policy
  to them.
- A PDF response gets ``PDF_CSP`` instead, which keeps the framing and base/form
  rules but not the resource rules: the viewer that Chromium-based browsers
  (and the older Chromium cores of the 360 / QAX browsers common on government
  intranets) wrap around a PDF is an HTML page with inline styles and a plugin
  element that a strict policy on the PDF response breaks (Chromium issue
  271452). A PDF runs no page script, so nothing is lost.
- ``X-Frame-Options: DENY`` (``frame-ancestors`` for browsers that predate it),
  ``X-Content-Type-Options: nosniff`` (an uploaded file is never read as HTML
  or script whatever its bytes), ``Referrer-Policy: same-origin`` (links to
  other sites do not carry our URLs, which name tenders and bids).
- ``Cache-Control: no-store`` on whatever is served to a signed-in user
  (``scope["user"]``, set by the session middleware) and on every answer to a
  POST/PUT/PATCH/DELETE (the login answers carry a token or set the session
  cookie): a shared office PC's browser cache or a proxy must not keep a bid
  page or a receipt. ``/static/`` and the Atom feed keep their own caching, and
  so do public pages read without signing in. A document behind a login
  (``core.web.pdf_response``) says ``private, no-store`` itself, which is kept;
  its ``ETag`` still spares a client that keeps its own copy the download.
- ``Strict-Transport-Security`` only when ``PROCUREMENT_COOKIE_SECURE`` is on
  (the deployment is HTTPS-only), read per response so a changed setting
  applies. One year, without ``includeSubDomains``: a bureau's intranet domain
  often has other, older services on plain HTTP that this app has no say over.

Why no library: the kept candidate, PyPI ``secure`` (2.x), applies one fixed
header set through an ASGI middleware or a response hook. Its middleware, put
in Litestar's ``middleware=[…]``, wraps only matched routes, so a 404 for an
unknown path and a 405 would go without headers; and its policy cannot vary
per request, which ``Cache-Control`` (signed in or not) and the PDF policy
need. What would remain of it here is the building of five constant strings.
So the headers are set by Litestar's own ``before_send`` hook
(``security_headers``), which sees every ``http.response.start`` the app sends,
errors and static files included, after the session middleware has filled in
``scope["user"]``.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from procurement.settings import get_settings

PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PDF_CSP = "; ".join(["base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])
HSTS = "max-age=31536000"

ALWAYS: dict[str, str] = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}

# Served the same to everyone whoever asks: their caching is their own.
PUBLIC_ALWAYS = ("/static/",)
PUBLIC_FEEDS = frozenset({"/notices.atom"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def must_not_be_stored(scope: Scope) -> bool:
    """True when the response is private to this request: a signed-in user's, or a write's."""
    path = scope.get("path", "")
    if path.startswith(PUBLIC_ALWAYS) or path in PUBLIC_FEEDS:
        return False
    return scope.get("user") is not None or scope.get("method", "GET") not in SAFE_METHODS


_ALWAYS_ENCODED = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in ALWAYS.items()]
_PAGE_CSP = (b"content-security-policy", PAGE_CSP.encode("latin-1"))
_PDF_CSP = (b"content-security-policy", PDF_CSP.encode("latin-1"))
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", HSTS.encode("latin-1"))
_REPLACED = frozenset({b"content-security-policy", *(k for k, _v in _ALWAYS_ENCODED)})


async def security_headers(message: Message, scope: Scope) -> None:
    """Litestar ``before_send`` hook: add the headers to the start of every HTTP response.

    A coroutine on purpose: Litestar runs a plain-function hook in a worker thread, once
    per ASGI message (two thread hops per response). One pass over the response's headers
    with the added ones encoded once (issue 11: this runs on every response)."""
    if message["type"] != "http.response.start":
        return
    headers: list[tuple[bytes, bytes]] = []
    content_type = cache_control = b""
    for key, value in message.get("headers") or ():
        name = key.lower()
        if name in _REPLACED:
            continue
        if name == b"content-type":
            content_type = value
        elif name == b"cache-control":
            cache_control = value
        headers.append((key, value))
    headers.append(_PDF_CSP if content_type.lower().startswith(b"application/pdf") else _PAGE_CSP)
    headers.extend(_ALWAYS_ENCODED)
    if must_not_be_stored(scope) and b"no-store" not in cache_control:
        headers[:] = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
        headers.append(_NO_STORE)
    if get_settings().cookie_secure:
        headers[:] = [(k, v) for k, v in headers if k.lower() != _HSTS[0]]
        headers.append(_HSTS)
    message["headers"] = headers
