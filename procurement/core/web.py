"""The web layer's shared machinery: who is signed in, rendering pages,
turning errors into problem+json or a Chinese page, and parsing forms.

Routes stay thin: parse, call one service, render. Domain errors raised by
services arrive here and become, under ``/api``, problem+json; on pages, the
same form shown again with the message and each field's error beside it
(``form_action``), or an error page.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote, unquote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, UploadFile
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap, Scope
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from procurement.core import clock, memory, money, pdf
from procurement.core.auth import CurrentUser
from procurement.core.csrf import CSRFInput
from procurement.core.errors import DomainError, NotAuthenticated, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.storage import MAX_NAME_LENGTH, content_disposition
from procurement.settings import get_settings

log = logging.getLogger("procurement.web")

T = TypeVar("T", bound=BaseModel)

SESSION_COOKIE = "sid"
FLASH_COOKIE = "flash"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# --------------------------------------------------------------------------- who is signed in


async def uploaded_bytes(upload: UploadFile) -> bytes:
    """An uploaded file's bytes. Held in memory (up to Litestar's 1 MB spool), the buffer the
    parser wrote is handed over as it is (``BytesIO.getvalue`` shares it when nothing else
    holds it) instead of being copied by ``read()`` (issue 11: the copy, a fresh megabyte
    faulted in page by page on the event loop, was 0.4 ms of an upload's 3 ms there); a
    file the spool rolled to disk is read as before. The request is a large one: a second
    after the last of a burst, the process gives its freed heap pages back
    (``memory.trim_soon``)."""
    memory.trim_soon()
    spooled = upload.file
    buffer = getattr(spooled, "_file", None)  # SpooledTemporaryFile's buffer until it rolls over
    if not upload.rolled_to_disk and isinstance(buffer, io.BytesIO):
        return buffer.getvalue()
    await upload.seek(0)
    return await upload.read()


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _unused, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def current_user(request: ASGIConnection) -> CurrentUser | None:
    return request.scope.get("user")


def require_user(request: ASGIConnection, *roles: str) -> CurrentUser:
    """The signed-in user, or NotAuthenticated / PermissionDenied with a reason."""
    user = current_user(request)
    if user is None:
        raise NotAuthenticated()
    if roles and user.role not in roles:
        raise PermissionDenied(_("您没有权限访问此页面。"))
    return user


def check_api_csrf(scope: Scope, sent: str) -> None:
    """Cookie sessions must echo their CSRF token on API writes; bearer tokens need not.

    Called by the session middleware for every ``/api/`` request once it knows who is
    signed in (a route guard made Litestar copy the handler on every API call, reads
    included: issue 11). ``sent`` is the ``X-CSRFToken`` header."""
    if scope.get("method") not in UNSAFE_METHODS:
        return
    user = scope.get("user")
    if user is not None and user.via == "cookie" and not hmac.compare_digest(sent, user.csrf_token):
        raise PermissionDenied(
            _("缺少或错误的 CSRF 令牌：使用 Cookie 会话写入时请在 X-CSRFToken 头中带上登录时返回的 csrf_token。")
        )


# --------------------------------------------------------------------------- flash messages


def _sign(value: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def set_flash(response: Response, message: str, kind: str = "success") -> Response:
    value = f"{kind}|{message}"
    response.set_cookie(
        Cookie(
            key=FLASH_COOKIE,
            value=quote(value) + "." + _sign(value),
            path="/",
            httponly=True,
            samesite="lax",
            max_age=60,
        )
    )
    return response


def pop_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    encoded, _unused, sig = raw.rpartition(".")
    value = unquote(encoded)
    if not hmac.compare_digest(sig, _sign(value)):
        return None
    cast(dict[str, Any], request.scope).setdefault("_clear_flash", True)
    kind, _unused, message = value.partition("|")
    return kind, message


# --------------------------------------------------------------------------- rendering


def fmt_time(value) -> str:
    if value is None:
        return ""
    return clock.to_local(value).strftime("%Y-%m-%d %H:%M")


def fmt_date(value) -> str:
    """A date as people here read it; a datetime (an instant, stored in UTC) is first
    turned into Beijing time, so 01:48 on the 10th in Beijing shows as the 10th."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = clock.to_local(value)
    return value.strftime("%Y-%m-%d")


TEMPLATE_GLOBALS: dict[str, Any] = {
    "yuan": money.format_yuan,
    "wan": money.format_wan,
    "capital": money.to_chinese_capital,
    "fmt_time": fmt_time,
    "fmt_date": fmt_date,
}


class _Page(Template):
    """A page whose hidden CSRF field tells the CSRF middleware that the page needs
    the cookie (core/csrf.py): a page without a form sets none."""

    def create_template_context(self, request: Request) -> dict[str, Any]:
        context = super().create_template_context(request)
        context["csrf_input"] = CSRFInput(request.scope, context["csrf_input"])
        return context


def page(request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> Template:
    """Render a page with what every page needs (the user, the flash, the clock)."""
    ctx = {
        "request": request,
        "user": current_user(request),
        "flash": pop_flash(request),
        "now_local": clock.local_now(),
        "time_travel": get_settings().time_travel,
        "form": {},
        "errors": {},
        "message": None,
        **(context or {}),
    }
    response = _Page(template_name=template, context=ctx, status_code=status_code)
    if request.scope.get("_clear_flash"):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(path: str, message: str | None = None, kind: str = "success") -> Redirect:
    response = Redirect(path=path, status_code=303)
    if message:
        set_flash(response, message, kind)
    return response


async def form_action(
    request: Request,
    template: str,
    form: dict[str, Any],
    action: Callable[[], Awaitable[Response]],
    context: dict[str, Any] | None = None,
) -> Response:
    """Run a page's one service call; on a domain error show the same form again."""
    try:
        return await action()
    except DomainError as exc:
        safe_form = {k: v for k, v in form.items() if "password" not in k and k != "_csrf_token"}
        return page(
            request,
            template,
            {**(context or {}), "form": safe_form, "errors": exc.field_errors, "message": exc.message},
            status_code=exc.status_code,
        )


# --------------------------------------------------------------------------- parsing

_PYDANTIC_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Field required"), N_("必填。")),
    (re.compile(r"^String should have at least (\d+) characters?"), N_("至少 {0} 个字。")),
    (re.compile(r"^String should have at most (\d+) characters?"), N_("不能超过 {0} 个字。")),
    (re.compile(r"^Input should be a valid integer"), N_("请填写整数。")),
    (re.compile(r"^Input should be a valid number"), N_("请填写数字。")),
    (re.compile(r"^Input should be a valid boolean"), N_("请选择是或否。")),
    (re.compile(r"^Input should be a valid date"), N_("日期格式应为 YYYY-MM-DD。")),
    (re.compile(r"^Input should be a valid datetime"), N_("时间格式应为 YYYY-MM-DD HH:MM。")),
    (re.compile(r"^Input should be a valid string"), N_("请填写文字。")),
    (re.compile(r"^Input should be a valid (dictionary|object)"), N_("应为一个对象。")),
    (re.compile(r"^Input should be a valid (list|array)"), N_("应为一个列表。")),
    (re.compile(r"^Input should be greater than or equal to (\S+)"), N_("不能小于 {0}。")),
    (re.compile(r"^Input should be less than or equal to (\S+)"), N_("不能大于 {0}。")),
    (re.compile(r"^Input should be greater than (\S+)"), N_("必须大于 {0}。")),
    (re.compile(r"^Input should be less than (\S+)"), N_("必须小于 {0}。")),
    (re.compile(r"^Extra inputs are not permitted"), N_("不允许的字段。")),
    (re.compile(r"^(JSON|Invalid JSON)", re.I), N_("请求体不是有效的 JSON。")),
    (re.compile(r"^Value error, (.+)$"), "{0}"),
    (re.compile(r"^Input should be (.+)$"), N_("请选择有效的选项。")),  # enums, literals: keep last
]


def translate_message(message: str) -> str:
    """Pydantic's English validation messages, in Chinese."""
    for pattern, text in _PYDANTIC_MESSAGES:
        match = pattern.match(message or "")
        if match:
            return (_(text) if text != "{0}" else text).format(*match.groups())
    return _("格式不正确。")


def field_errors_from_pydantic(exc: PydanticValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "_"
        errors.setdefault(loc, translate_message(err.get("msg", "")))
    return errors


def parse_form(model: type[T], form: dict[str, Any], **extra: Any) -> T:
    """Build a schema from submitted form fields; errors come back in Chinese per field."""
    data = {k: v for k, v in form.items() if k != "_csrf_token" and v != ""}
    data.update(extra)
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(field_errors=field_errors_from_pydantic(exc)) from None


def yuan_field(fen: int | None) -> str:
    """An amount in fen as the yuan a form field shows ("" for none)."""
    return "" if fen is None else str(money.fen_to_decimal(fen))


def fen_field(raw: Any, field: str, errors: dict[str, str]) -> int | None:
    """A yuan amount typed in a form, as fen (core.money); a bad one is reported under ``field``."""
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return money.to_fen(text)
    except ValidationFailed as exc:
        errors[field] = exc.message
        return None


def checkbox(value: Any) -> bool:
    """A checkbox or yes/no field of a form."""
    return str(value or "").strip().lower() in ("1", "true", "on", "yes")


PUBLIC_DOCUMENT_CACHE = "public, max-age=0, must-revalidate"
PRIVATE_DOCUMENT_CACHE = "private, no-store"


def pdf_response(
    name: str, data: bytes, *, inline: bool = True, request: Request | None = None, public: bool = False
) -> Response:
    """A PDF to show in the browser (or, with ``inline=False``, to download), with a
    strong ``ETag`` of its bytes, and ``304 Not Modified`` when the browser already
    holds them (``If-None-Match``).

    ``Cache-Control``: a public document (the same for everyone, e.g. a published
    tender's 招标文件) is ``public`` and revalidated on every use (``max-age=0``), so
    the server still sees each download (an organization's first download of the
    tender documents starts its 质疑 period); a document behind a login is
    ``private, no-store``, and anything served to a signed-in user is not stored
    (core/security.py: a shared office PC keeps no bid or receipt).
    """
    etag = pdf.etag_of(data)
    headers = {
        "Content-Disposition": content_disposition(name, inline=inline),
        "ETag": etag,
        "Cache-Control": PUBLIC_DOCUMENT_CACHE if public else PRIVATE_DOCUMENT_CACHE,
    }
    if request is not None and etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(b"", status_code=304, media_type="application/pdf", headers=headers)
    return Response(data, media_type="application/pdf", headers=headers)


def etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == etag for candidate in if_none_match.split(","))


# --------------------------------------------------------------------------- errors


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz",)


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> Response:
    body = {"type": f"urn:procurement:problem:{code}", "title": title, "status": status, "detail": detail, "code": code}
    body.update({k: v for k, v in extra.items() if v})
    return Response(content=body, status_code=status, media_type="application/problem+json")


def _error_page(request: Request, status: int, message: str) -> Response:
    try:
        return page(request, "error.html", {"status": status, "message": message}, status_code=status)
    except Exception:
        return Response(content=message, status_code=status, media_type="text/plain; charset=utf-8")


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    if _is_api(request):
        return problem(
            exc.status_code, exc.translated_title, exc.message, exc.code, errors=exc.field_errors, **exc.extra
        )
    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        return redirect(f"/login?next={quote(request.url.path)}")
    return _error_page(request, exc.status_code, exc.message)


def _multipart_header_too_long(exc: BaseException) -> bool:
    """Litestar's multipart parser refuses a part whose header line is over 4 KB as a
    bare 400 ("Request Entity Too Large"); the parser's own error, kept as the
    context, says which limit it was. Our forms' field names are short, so in
    practice that line is long because of the file name in it."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None:
        if type(seen).__name__ == "ParserLimitReached" and "header length" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = str(exc.detail or "")
    if status == 400 and _multipart_header_too_long(exc):
        # The same answer as a long name that reached storage.check: 422, in Chinese.
        message = _("文件名过长（最多 {limit} 个字）。请改短文件名后重新上传。").format(limit=MAX_NAME_LENGTH)
        return domain_error_handler(request, ValidationFailed(message))
    if isinstance(exc, PermissionDeniedException) and "CSRF" in detail:
        message, code = _("页面已过期或表单校验失败，请刷新页面后重新提交。"), "csrf-failed"
    elif isinstance(exc, NotFoundException) or status == 404:
        message, code = _("找不到您要访问的页面。"), "not-found"
    elif status == 405:
        message, code = _("不支持此请求方式。"), "method-not-allowed"
    elif status == 413:
        message, code = (
            _("提交的内容过大，超出系统上限（{mb} MB）。").format(mb=get_settings().max_request_mb),
            "too-large",
        )
    elif status == 401:
        message, code = _("请先登录。"), "not-authenticated"
    elif status == 403:
        message, code = _("您没有权限访问此页面。"), "permission-denied"
    elif status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, detail)
        message, code = _("系统内部错误，已记录。请稍后重试或联系管理员。"), "server-error"
    else:
        message, code = _("请求格式不正确。"), "bad-request"
    errors: dict[str, str] = {}
    if isinstance(exc, ValidationException):
        code = "validation-failed"
        if "JSON" in detail or "decode" in detail.lower():
            message = _("请求体不是有效的 JSON。")
        for item in exc.extra or []:
            if isinstance(item, dict):
                key = str(item.get("key") or item.get("source") or "_")
                errors.setdefault(key, translate_message(str(item.get("message", ""))))
        if errors:
            message = _("请求内容不符合要求：") + "；".join(f"{k} {v}" for k, v in errors.items())
    if _is_api(request):
        headers = getattr(exc, "headers", None) or {}
        response = problem(status, message, message, code, errors=errors)
        for k, v in headers.items():
            response.headers[k] = v
        return response
    return _error_page(request, status, message)


def server_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if _is_api(request):
        return problem(
            500,
            _("系统内部错误，已记录。请稍后重试或联系管理员。"),
            _("系统内部错误，已记录。请稍后重试或联系管理员。"),
            "server-error",
        )
    return _error_page(request, 500, _("系统内部错误，已记录。请稍后重试或联系管理员。"))


def encoding_error_handler(request: Request, exc: UnicodeDecodeError) -> Response:
    """Bytes that are not UTF-8 where text was expected (e.g. a form field)."""
    message = _("请求内容的文字编码不正确（应为 UTF-8）。")
    if _is_api(request):
        return problem(400, message, message, "bad-encoding")
    return _error_page(request, 400, message)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    UnicodeDecodeError: encoding_error_handler,
    HTTPException: http_error_handler,
    Exception: server_error_handler,
}
