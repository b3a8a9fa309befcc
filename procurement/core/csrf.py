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

import re
from typing import Any

from litestar.datastructures import Cookie, MutableScopeHeaders
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

    def _set_cookie_if_needed(self, message: Any, token: str) -> None:
        """Litestar's ``Set-Cookie`` for the new token, made from the header Litestar makes
        once per process for a stand-in value (issue 11: building it through ``SimpleCookie``
        cost a third of a kept dashboard sent to a client without the cookie). A token is
        hexadecimal, never quoted; any other value goes through Litestar's own code."""
        if not _HEX.fullmatch(token):
            super()._set_cookie_if_needed(message=message, token=token)
            return
        if self._cookie_parts is None:
            self._cookie_parts = _cookie_parts(self)
        before, after = self._cookie_parts
        MutableScopeHeaders.from_message(message).add("set-cookie", before + token + after)

    _cookie_parts: tuple[str, str] | None = None

    def _bypassed(self, scope: Scope) -> bool:
        from litestar.middleware._utils import should_bypass_middleware

        return should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        )


_HEX = re.compile("[0-9a-f]+")
_STAND_IN = "0123456789abcdef" * 4


def _cookie_parts(middleware: CSRFMiddleware) -> tuple[str, str]:
    """The ``Set-Cookie`` value Litestar writes for the CSRF cookie, split where the token goes."""
    config = middleware.config
    header = Cookie(
        key=config.cookie_name,
        value=_STAND_IN,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    ).to_header(header="")
    before, found, after = header.partition(_STAND_IN)
    assert found and _STAND_IN not in after
    return before, after


def csrf_middleware(config: Any) -> DefineMiddleware:
    return DefineMiddleware(KeepingCSRFMiddleware, config=config)
