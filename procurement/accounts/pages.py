"""Web pages of accounts: login, registration, and the administration of
organizations and users.

Thin like the API: each handler parses the form, calls one service and
renders; ``form_action`` shows the same form again when a service refuses.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Response

from procurement.accounts import services
from procurement.accounts.schemas import CreateOrganizationIn, CreateUserIn, RegisterOrganizationIn
from procurement.accounts.states import ORG_KIND_LABELS, ROLE_LABELS
from procurement.core.api import Id
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import (
    SESSION_COOKIE,
    client_ip,
    current_user,
    form_action,
    page,
    parse_form,
    redirect,
    require_user,
)
from procurement.settings import get_settings

Form = URLEncodedBody[dict[str, Any]]


def _safe_next(value: str | None) -> str:
    """Only local paths, so a login link cannot send anyone to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/dashboard"


class PublicPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Response:
        if current_user(request):
            return redirect(_safe_next(next))
        return page(
            request,
            "procurement/accounts/login.html",
            {"next": _safe_next(next), "demo_password": get_settings().demo_password},
        )

    @post("/login")
    async def login(self, request: Request, data: Form) -> Response:
        target = _safe_next(data.get("next"))

        async def action() -> Response:
            token, _unused, _unused = await services.login(
                str(data.get("username", "")),
                str(data.get("password", "")),
                ip=client_ip(request.scope),
                user_agent=request.headers.get("user-agent", ""),
            )
            response = redirect(target)
            settings = get_settings()
            response.set_cookie(
                Cookie(
                    key=SESSION_COOKIE,
                    value=token,
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=settings.cookie_secure,
                    max_age=settings.session_hours * 3600,
                )
            )
            return response

        return await form_action(
            request,
            "procurement/accounts/login.html",
            data,
            action,
            {"next": target, "demo_password": get_settings().demo_password},
        )

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        user = current_user(request)
        if user:
            await services.logout(user)
        response = redirect("/", _("您已安全退出。"))
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/register")
    async def register_form(self, request: Request) -> Response:
        return page(request, "procurement/accounts/register.html", {"min_length": get_settings().password_min_length})

    @post("/register")
    async def register(self, request: Request, data: Form) -> Response:
        async def action() -> Response:
            form = {k: v for k, v in data.items() if k != "password2"}
            form["password_confirm"] = data.get("password2", "")
            try:
                registration = parse_form(RegisterOrganizationIn, form)
            except ValidationFailed as exc:
                # Every field's problem at once: the schema's (required, phone…) and the rules' (code, username…).
                problems = await services.registration_problems(form)
                raise ValidationFailed(field_errors={**problems, **exc.field_errors}) from None
            await services.register_organization(registration, ip=client_ip(request.scope))
            return redirect("/login", _("注册已提交，请等待民政局审核。审核结果会在登录页提示。"))

        return await form_action(
            request,
            "procurement/accounts/register.html",
            data,
            action,
            {"min_length": get_settings().password_min_length},
        )


class AdminPages(Controller):
    path = "/admin"
    include_in_schema = False

    async def _orgs_context(self, request: Request, status: str | None) -> dict[str, Any]:
        user = require_user(request)
        orgs = await services.list_organizations(user, status=status or None, limit=200)
        return {
            "orgs": orgs,
            "status_filter": status or "",
            "kinds": ORG_KIND_LABELS,
            "parents": await services.organization_choices(),
        }

    @get("/organizations")
    async def organizations(self, request: Request, status: FromQuery[str | None] = None) -> Response:
        return page(request, "procurement/accounts/admin_organizations.html", await self._orgs_context(request, status))

    @post("/organizations")
    async def create_organization(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            org = await services.create_organization(user, parse_form(CreateOrganizationIn, data))
            return redirect("/admin/organizations", _("已创建机构「{name}」。").format(name=org.name))

        return await form_action(
            request,
            "procurement/accounts/admin_organizations.html",
            data,
            action,
            await self._orgs_context(request, None),
        )

    @post("/organizations/{org_id:int}/approve")
    async def approve(self, request: Request, org_id: Id) -> Response:
        org = await services.approve_organization(require_user(request), org_id)
        return redirect("/admin/organizations?status=pending", _("已通过「{name}」的注册。").format(name=org.name))

    @post("/organizations/{org_id:int}/reject")
    async def reject(self, request: Request, org_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            org = await services.reject_organization(user, org_id, str(data.get("reason", "")))
            return redirect("/admin/organizations?status=pending", _("已驳回「{name}」的注册。").format(name=org.name))

        return await form_action(
            request,
            "procurement/accounts/admin_organizations.html",
            data,
            action,
            await self._orgs_context(request, "pending"),
        )

    async def _users_context(self, request: Request) -> dict[str, Any]:
        user = require_user(request)
        return {
            "users": await services.list_users(user, limit=500),
            "roles": ROLE_LABELS,
            "orgs": await services.organization_choices(),
            "min_length": get_settings().password_min_length,
        }

    @get("/users")
    async def users(self, request: Request) -> Response:
        return page(request, "procurement/accounts/admin_users.html", await self._users_context(request))

    @post("/users")
    async def create_user(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            created = await services.create_user(user, parse_form(CreateUserIn, data))
            return redirect("/admin/users", _("已创建用户「{name}」。").format(name=created.display_name))

        return await form_action(
            request, "procurement/accounts/admin_users.html", data, action, await self._users_context(request)
        )

    @post("/users/{user_id:int}/active")
    async def set_active(self, request: Request, user_id: Id, data: Form) -> Response:
        changed = await services.set_user_active(require_user(request), user_id, data.get("active") == "1")
        return redirect("/admin/users", _("已更新用户「{name}」。").format(name=changed.display_name))
