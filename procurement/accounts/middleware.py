"""Who is signed in: the session middleware of the app."""

from __future__ import annotations

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from procurement.accounts.services import resolve_session_and_version
from procurement.core import timetravel
from procurement.core.portal_cache import DASHBOARD_VERSION_SCOPE
from procurement.core.web import SESSION_COOKIE, check_api_csrf, client_ip, cookie_value
from procurement.settings import get_settings


class SessionMiddleware(ASGIMiddleware):
    """Puts the signed-in user (or None) in ``scope["user"]`` for every request.

    A bearer token (API clients) or the ``sid`` cookie (browsers) names a
    server-side session; logout revokes it for every process at once.
    """

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return scope["path"].startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", []))
        token, via = None, "cookie"
        authz = headers.get("authorization", "")
        if authz.lower().startswith("bearer "):
            token, via = authz[7:].strip(), "bearer"
        else:
            token = cookie_value(headers.get("cookie", ""), SESSION_COOKIE)
        if get_settings().time_travel:
            await timetravel.load_offset()
        user, version = (
            await resolve_session_and_version(token, via=via, ip=client_ip(scope)) if token else (None, None)
        )
        scope["user"] = user
        if user is not None:  # read with the session, before anything the page reads (dashboard.kept)
            scope[DASHBOARD_VERSION_SCOPE] = version  # type: ignore[literal-required]
        scope["auth"] = via if scope["user"] else None
        if scope["path"].startswith("/api/"):
            check_api_csrf(scope, headers.get("x-csrftoken", ""))
        await next_app(scope, receive, send)
