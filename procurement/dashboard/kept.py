"""Dashboards kept whole in each process while nothing they show has changed (issue 11:
an organization's dashboard took ~9 ms a request, a dozen queries and the page's render).

The officer's and the organization member's dashboard is kept as the bytes that were
sent, per user and per what the page shows of the session (name, role, organization,
unread count, language), and sent again while all of these hold:

- the database's ``dashboard_version`` is still the one the page was built under.
  Triggers change it in the same transaction as any change to any table those
  dashboards read (migrations ``2026-12-07T12:45``, procurement's and the contracts'):
  a bid, a contract, a payment, a notification, written by any process, shows at the
  next request of every process. The version is read before the data: with the
  session, in the same statement (``accounts.services.resolve_session_and_version``,
  put in the request's scope by the session middleware), or else as the portal's is
  (``portal_cache.current_version``);
- the clock is still inside the window in which the page renders the same: until the
  next Beijing minute (the page shows today's date and the time to the minute; every
  due *day* turns at a Beijing midnight, a minute boundary) or the first moment the
  builders reported with ``clock.changes_at`` (a bid deadline passing, a deadline
  coming within a day), whichever is sooner.

What stays per request: the session is resolved on every request before this (a
logout, a disabled account or organization, a changed role apply at once: the key
holds the role and the organization), the CSRF field is put into the kept bytes for
each request from the request's own token (the page is kept with a marker in its
place), and a request with a flash message is built and sent as usual, never kept.
Other roles' dashboards (the administrator's audit check, the expert's, finance's,
the evaluator's) are built each time. With no version row nothing is kept.
"""

from __future__ import annotations

import asyncio
import html
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from litestar import MediaType, Request
from litestar.response import Response, Template
from litestar.types import Scope
from litestar.utils.scope.state import ScopeState

from procurement.accounts.states import Role
from procurement.core import clock, i18n, portal_cache
from procurement.core.auth import CurrentUser
from procurement.core.csrf import CSRF_RENDERED, CSRFInput
from procurement.core.web import FLASH_COOKIE

VERSION_KEY = portal_cache.DASHBOARD_VERSION_KEY
KEPT_ROLES = frozenset({Role.ORG_MEMBER, Role.OFFICER})
MAX_PAGES = 512  # a dashboard is 15–40 KB: ~20 MB at most
_MARK = f"<!--csrf-input-{secrets.token_hex(8)}-->"  # where the request's CSRF field goes


@dataclass(frozen=True, slots=True)
class _Kept:
    version: str
    built_at: datetime
    until: datetime
    parts: tuple[bytes, ...]  # the body, split where the CSRF field goes
    media_type: MediaType | str
    headers: tuple[tuple[str, str], ...]


_pages: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
_building: dict[tuple[Any, ...], asyncio.Future[_Kept | None]] = {}  # page key and version → its build


def _key(request: Request, user: CurrentUser) -> tuple[Any, ...]:
    """Everything the page shows that the dashboard's version does not fix."""
    return (
        request.scope["path"],
        id(i18n.active()),
        user.id,
        user.role,
        user.organization_id,
        user.organization_kind,
        user.display_name,
        user.organization_name,
        user.unread,
    )


def _next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _keepable(request: Request, user: CurrentUser) -> bool:
    return user.role in KEPT_ROLES and request.scope["method"] == "GET" and FLASH_COOKIE not in request.cookies


async def kept_page(request: Request, user: CurrentUser, build: Callable[[], Awaitable[Response]]) -> Response:
    """The dashboard ``build`` makes, or the bytes kept from an earlier request while they
    are still what ``build`` would make (see the module's docstring)."""
    if not _keepable(request, user):
        return await build()
    scope: dict[str, Any] = request.scope  # type: ignore[assignment]
    if portal_cache.DASHBOARD_VERSION_SCOPE in scope:  # read with the session (one round trip)
        version = scope[portal_cache.DASHBOARD_VERSION_SCOPE]
    else:
        version = await portal_cache.current_version(VERSION_KEY)
    now = clock.now()
    key = _key(request, user)
    kept = _pages.get(key)
    if kept is not None and kept.version == version and kept.built_at <= now < kept.until:
        _pages.move_to_end(key)
        return _send(request, kept.parts, kept.media_type, kept.headers)
    if version is None:
        return await _build(request, build, None, now, key)
    # One build per page and version at a time: requests that miss while it runs (a burst of
    # one user's tabs, or a load test's connections at once) wait for it and are sent what it
    # kept, as a later request would be, instead of each building the same page (issue 11: 16
    # cold builds at once took 0.7 s). If it keeps nothing, each of them builds its own.
    loop = asyncio.get_running_loop()
    flight = (key, version)
    running = _building.get(flight)
    if running is not None and running.get_loop() is loop:
        shared = await asyncio.shield(running)
        now = clock.now()
        if shared is not None and shared.built_at <= now < shared.until:
            return _send(request, shared.parts, shared.media_type, shared.headers)
        return await _build(request, build, version, now, key)
    future: asyncio.Future[_Kept | None] = loop.create_future()
    _building[flight] = future
    kept_now: _Kept | None = None
    try:
        response = await _build(request, build, version, now, key)
        kept_now = _pages.get(key)
        if kept_now is not None and kept_now.built_at != now:
            kept_now = None  # not this build's
    finally:
        future.set_result(kept_now)
        if _building.get(flight) is future:
            del _building[flight]
    return response


async def _build(
    request: Request, build: Callable[[], Awaitable[Response]], version: str | None, now: datetime, key: tuple[Any, ...]
) -> Response:
    """Build the page, send it, and keep it when it can be kept (``version`` known)."""
    with clock.watching_changes() as seen:
        response = await build()
    if response.status_code not in (None, 200) or response.cookies or not isinstance(response, Template):
        return response
    parts = _render(request, response)
    media_type = response.media_type or MediaType.HTML
    headers = tuple(response.headers.items())
    sent = _send(request, parts, media_type, headers)
    if version is None:
        return sent
    until = min([_next_minute(now), *(m for m in seen if m > now)])
    _pages[key] = _Kept(version, now, until, parts, media_type, headers)
    _pages.move_to_end(key)
    while len(_pages) > MAX_PAGES:
        _pages.popitem(last=False)
    return sent


def _render(request: Request, response: Template) -> tuple[bytes, ...]:
    """The page as Litestar would render it, with a marker where each CSRF field goes."""
    engine = request.app.template_engine
    assert engine is not None and response.template_name is not None  # every page is a named template
    context = response.create_template_context(request)
    context["csrf_input"] = CSRFInput(cast(Scope, {}), _MARK)
    body = engine.get_template(response.template_name).render(**context)
    return tuple(part.encode(response.encoding) for part in body.split(_MARK))


def _send(
    request: Request, parts: tuple[bytes, ...], media_type: MediaType | str, headers: tuple[tuple[str, str], ...]
) -> Response:
    """The kept page with this request's CSRF field (and the mark that the page has a form,
    for the CSRF cookie), as the template's ``csrf_input`` renders it."""
    if len(parts) == 1:
        body = parts[0]
    else:
        request.scope[CSRF_RENDERED] = True  # type: ignore[literal-required]
        token = ScopeState.from_scope(request.scope).csrf_token
        token = token if isinstance(token, str) else ""  # Litestar's Empty when there is none
        field = f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />'
        body = field.encode().join(parts)
    return Response(body, media_type=media_type, headers=dict(headers))


def clear() -> None:
    _pages.clear()
    _building.clear()
