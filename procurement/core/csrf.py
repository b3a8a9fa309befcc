"""The CSRF cookie: kept while it is valid, issued only to a page that has a form.

Litestar's own middleware gives every GET without the cookie a freshly signed
token and a ``Set-Cookie`` header, whether or not the page holds a form, and
keeps whatever ``csrftoken`` cookie a browser sends, even one signed with an
old secret, which then fails every form until the browser drops it. Here:

- a browser's cookie that carries a valid signature is used as it is, and no
  ``Set-Cookie`` is sent again;
- a missing or forged cookie gets a new token, and the cookie goes out only
  when the page rendered ``csrf_input`` (a form that posts): the public
  portal read without signing in sets no cookie at all, so a proxy may keep it;
- writes are checked exactly as Litestar checks them (the same code and the same
  "CSRF token verification failed" error, which core/web.py turns into the
  "page expired" message).
"""

from __future__ import annotations

from typing import Any

from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

# Set in the scope when a page rendered the hidden token field.
CSRF_RENDERED = "procurement.csrf_rendered"


class CSRFInput:
    """The hidden ``_csrf_token`` field of a form; rendering it marks the request,
    so the middleware knows the page needs the cookie."""

    __slots__ = ("_html", "_scope")

    def __init__(self, scope: Scope, html: str) -> None:
        self._scope, self._html = scope, html

    def __html__(self) -> str:
        self._scope[CSRF_RENDERED] = True  # type: ignore[literal-required]
        return self._html

    __str__ = __html__


class KeepingCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF middleware that keeps a valid cookie and sets one only when a form needs it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in self.config.safe_methods or self._bypassed(scope):
            await super().__call__(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookie = request.cookies.get(self.config.cookie_name)
        state = ScopeState.from_scope(scope)
        if cookie and self._decode_csrf_token(cookie) is not None:
            state.csrf_token = cookie
            await self.app(scope, receive, send)
            return
        token = state.csrf_token = generate_csrf_token(secret=self.config.secret)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get(CSRF_RENDERED):
                message.setdefault("headers", [])
                self._set_cookie_if_needed(message=message, token=token)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _bypassed(self, scope: Scope) -> bool:
        from litestar.middleware._utils import should_bypass_middleware

        return should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        )


def csrf_middleware(config: Any) -> DefineMiddleware:
    return DefineMiddleware(KeepingCSRFMiddleware, config=config)
