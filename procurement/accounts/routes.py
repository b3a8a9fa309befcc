"""JSON API of accounts: sessions, organizations, users. Thin: parse, call one
service, return its schema."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.accounts import services
from procurement.accounts.schemas import (
    CreateOrganizationIn,
    CreateUserIn,
    LoginIn,
    LoginOut,
    MeOut,
    OrganizationList,
    OrganizationOut,
    RegisterOrganizationIn,
    RejectOrganizationIn,
    UserOut,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import client_ip, require_user


class AuthController(Controller):
    path = "/auth"
    tags = [N_("账号与会话")]

    @post("/login", operation_id="Login", status_code=HTTP_200_OK, responses=problems(400, 401, 422, 429))
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> LoginOut:
        """Sign in with a username and password; returns a bearer token."""
        token, user, expires = await services.login(
            data.username,
            data.password,
            ip=client_ip(request.scope),
            user_agent=request.headers.get("user-agent", ""),
        )
        return LoginOut(token=token, expires_at=expires, csrf_token=user.csrf_token, user=services.me_out(user))

    @post("/logout", operation_id="Logout", status_code=HTTP_200_OK, responses=problems(401, 403))
    async def logout(self, request: Request) -> dict[str, bool]:
        """End the current session (the token stops working at once)."""
        await services.logout(require_user(request))
        return {"ok": True}

    @get("/me", operation_id="GetMe", responses=problems(401))
    async def me(self, request: Request) -> MeOut:
        """The signed-in user, their role and organization."""
        return services.me_out(require_user(request))


class OrganizationController(Controller):
    path = "/organizations"
    tags = [N_("机构")]

    @get("/", operation_id="ListOrganizations", responses=problems(400, 401, 403))
    async def list_organizations(
        self,
        request: Request,
        status: Annotated[str | None, QueryParameter(max_length=20)] = None,
        kind: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> OrganizationList:
        """Organizations, for bureau staff and administrators."""
        return await services.list_organizations(
            require_user(request), status=status, kind=kind, limit=limit, offset=offset
        )

    @post("/", operation_id="CreateOrganization", status_code=HTTP_201_CREATED, responses=problems(400, 401, 403, 422))
    async def create_organization(self, request: Request, data: JSONBody[CreateOrganizationIn]) -> OrganizationOut:
        """An administrator adds an organization of any kind, active at once."""
        return await services.create_organization(require_user(request), data)

    @post("/register", operation_id="RegisterOrganization", status_code=HTTP_201_CREATED, responses=problems(400, 422))
    async def register(self, request: Request, data: JSONBody[RegisterOrganizationIn]) -> OrganizationOut:
        """A social organization registers itself; it waits for a bureau officer's approval."""
        return await services.register_organization(data, ip=client_ip(request.scope))

    @get("/{org_id:int}", operation_id="GetOrganization", responses=problems(401, 403, 404))
    async def get_organization(self, request: Request, org_id: Id) -> OrganizationOut:
        return await services.get_organization(require_user(request), org_id)

    @post(
        "/{org_id:int}/approve",
        operation_id="ApproveOrganization",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def approve(self, request: Request, org_id: Id) -> OrganizationOut:
        """Approve a pending registration (bureau officer or administrator)."""
        return await services.approve_organization(require_user(request), org_id)

    @post(
        "/{org_id:int}/reject",
        operation_id="RejectOrganization",
        status_code=HTTP_200_OK,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def reject(self, request: Request, org_id: Id, data: JSONBody[RejectOrganizationIn]) -> OrganizationOut:
        """Reject a pending registration with a reason the organization will see."""
        return await services.reject_organization(require_user(request), org_id, data.reason)


class UserController(Controller):
    path = "/users"
    tags = [N_("用户")]

    @get("/", operation_id="ListUsers", responses=problems(400, 401, 403))
    async def list_users(
        self,
        request: Request,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[UserOut]:
        return await services.list_users(require_user(request), limit=limit, offset=offset)

    @post("/", operation_id="CreateUser", status_code=HTTP_201_CREATED, responses=problems(400, 401, 403, 422))
    async def create_user(self, request: Request, data: JSONBody[CreateUserIn]) -> UserOut:
        """An administrator creates an account for a person in an organization."""
        return await services.create_user(require_user(request), data)
