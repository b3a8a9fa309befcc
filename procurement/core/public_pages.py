"""Whole public pages as the public sees them, kept per portal version until the clock
changes what they show (issue 11: the portal's pages and API under load).

A page served to someone not signed in, without a flash message and without a form
that posts (no CSRF field), shows nothing of who asks. Such a page is kept here as
the bytes that were sent, under a key of what the request names (path, query, the
language), and sent again while both of these hold:

- the portal's version in the database is still the one the page was built under
  (``portal_cache``: a trigger changes it in the same transaction as any notice,
  tender or tender file, so a publication through one process shows on every
  process at its next request);
- the clock is still inside the window in which the page would render the same: from
  the moment it was built to the next Beijing minute (the footer shows the time to
  the minute) or to the first moment something it shows follows the clock, whichever
  is sooner. Code that derives what it shows from the clock (a tender's public status
  from its deadline, which dates of a timeline are past) reports that moment with
  ``changes_at``; a page built while nothing collects ignores the call.

A signed-in user, a flash message, a page that rendered a CSRF field, a status other
than 200: built and sent as usual, never kept. With no version row (a database wiped
under a running process) nothing is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import MediaType, Request
from litestar.response import Response, Template

from procurement.core import clock, i18n, portal_cache
from procurement.core.csrf import CSRF_RENDERED
from procurement.core.web import FLASH_COOKIE, etag_matches

MAX_PAGES = 256  # a public page is 10–60 KB: ~15 MB at most
HTML = MediaType.HTML  # Litestar adds the charset

changes_at = clock.changes_at  # what is shown reads otherwise from that moment on (see ``clock``)


@dataclass(frozen=True, slots=True)
class _Kept:
    version: str
    built_at: datetime
    until: datetime
    body: bytes
    media_type: MediaType | str
    headers: tuple[tuple[str, str], ...]


_pages: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()


def _next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _for_anyone(request: Request) -> bool:
    scope = request.scope
    return scope.get("user") is None and scope["method"] == "GET" and FLASH_COOKIE not in request.cookies


@dataclass(frozen=True, slots=True)
class _Probe:
    """What a request's lookup read: the portal's version, the moment and the key."""

    version: str | None
    now: datetime
    key: tuple[Any, ...]


_PROBED = "procurement.public_page_probe"  # scope key: ``kept_page`` looked and found nothing


def _look(request: Request, version: str | None) -> tuple[_Probe, Response | None]:
    """The kept response for this request if it is still what the page would show."""
    now = clock.now()
    key = (request.scope["path"], request.scope.get("query_string", b""), id(i18n.active()))
    probe = _Probe(version, now, key)
    kept = _pages.get(key)
    if kept is None or kept.version != version or not kept.built_at <= now < kept.until:
        return probe, None
    _pages.move_to_end(key)
    headers = dict(kept.headers)
    etag = next((value for name, value in kept.headers if name.lower() == "etag"), None)
    if etag and etag_matches(request.headers.get("if-none-match", ""), etag):
        return probe, Response(b"", status_code=304, media_type=kept.media_type, headers=headers)
    return probe, Response(kept.body, media_type=kept.media_type, headers=headers)


async def kept_page(request: Request) -> Response | None:
    """``before_request`` of a handler that answers through :func:`public_page`: the kept
    response before Litestar parses and validates the handler's parameters (issue 11: for
    the API's ten query parameters that was a third of a kept answer's time). A page is
    kept only under a query that was built with status 200, so the same query would pass
    the same validation. Without a kept response the handler runs, and ``public_page``
    uses the version read here instead of reading it again."""
    if not _for_anyone(request):
        return None
    probe, response = _look(request, await portal_cache.current_version())
    if response is None:
        request.scope[_PROBED] = probe  # type: ignore[literal-required]
    return response


async def public_page(request: Request, build: Callable[[], Awaitable[Response]]) -> Response:
    """The page ``build`` makes, or the same bytes kept from an earlier request while
    they are still what ``build`` would make (see the module's docstring). ``build``
    returns a page template, or a response whose content is already bytes (the API's
    JSON, a public PDF); a kept response with an ``ETag`` answers a matching
    ``If-None-Match`` with 304, as ``build`` would. A handler declared with
    ``before_request=kept_page`` has been looked up already."""
    if not _for_anyone(request):
        return await build()
    probe: _Probe | None = request.scope.pop(_PROBED, None)  # type: ignore[misc]
    with portal_cache.one_version(None if probe is None else (probe.version,)):
        if probe is None:
            probe, kept = _look(request, await portal_cache.current_version())
            if kept is not None:
                return kept
        version, now, key = probe.version, probe.now, probe.key
        with clock.watching_changes() as seen:
            response = await build()
            if response.status_code not in (None, 200) or response.cookies:
                return response
            if isinstance(response, Template):
                body = render(request, response)
            elif isinstance(response.content, bytes):
                body = response.content  # already encoded (the API's JSON)
            else:
                return response
    media_type = response.media_type or HTML
    sent = Response(body, media_type=media_type, headers=dict(response.headers))
    if version is None or request.scope.get(CSRF_RENDERED):
        return sent
    until = min([_next_minute(now), *(m for m in seen if m > now)])
    _pages[key] = _Kept(version, now, until, body, media_type, tuple(response.headers.items()))
    _pages.move_to_end(key)
    while len(_pages) > MAX_PAGES:
        _pages.popitem(last=False)
    return sent


def render(request: Request, response: Template) -> bytes:
    """The template response's body, as Litestar would render it."""
    engine = request.app.template_engine
    assert engine is not None and response.template_name is not None  # every page is a named template
    context = response.create_template_context(request)
    return engine.get_template(response.template_name).render(**context).encode(response.encoding)


def clear() -> None:
    _pages.clear()
