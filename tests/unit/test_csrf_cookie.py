"""Issue 11: the CSRF cookie's ``Set-Cookie`` header, made from a kept template, is byte
for byte the one Litestar's own middleware writes, whatever the cookie's settings."""

from __future__ import annotations

import pytest
from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token

from procurement.core.csrf import KeepingCSRFMiddleware


async def _app(scope, receive, send):  # never called
    raise AssertionError


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"cookie_secure": True, "cookie_samesite": "strict", "cookie_path": "/x", "cookie_domain": "example.gov.cn"},
        {"cookie_httponly": True, "cookie_name": "other"},
    ],
)
def test_the_csrf_cookie_header_is_litestars(settings):
    config = CSRFConfig(secret="s" * 32, **settings)
    ours, theirs = KeepingCSRFMiddleware(_app, config), CSRFMiddleware(_app, config)
    for token in (generate_csrf_token(config.secret), generate_csrf_token(config.secret), "not hex; quoted"):
        mine: dict = {"type": "http.response.start", "headers": []}
        litestar: dict = {"type": "http.response.start", "headers": []}
        ours._set_cookie_if_needed(message=mine, token=token)
        theirs._set_cookie_if_needed(message=litestar, token=token)
        assert mine["headers"] == litestar["headers"] and len(mine["headers"]) == 1
