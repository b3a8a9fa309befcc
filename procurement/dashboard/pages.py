"""The signed-in person's workspace: each role's dashboard (工作台).

Top of the layers: it reads what waits for the user in every sub-domain, through
their services."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response

from procurement.accounts import services as accounts
from procurement.accounts.states import ROLE_LABELS, OrgStatus, Role
from procurement.core.web import page, require_user
from procurement.system import services as system


class DashboardPages(Controller):
    include_in_schema = False

    @get("/dashboard")
    async def dashboard(self, request: Request) -> Response:
        user = require_user(request)
        inbox = await system.list_inbox(user, limit=5)
        ctx: dict[str, Any] = {"inbox": inbox, "role_label": ROLE_LABELS[Role(user.role)]}
        if user.role in (Role.OFFICER, Role.ADMIN):
            ctx["pending"] = (await accounts.list_organizations(user, status=OrgStatus.PENDING, limit=20)).items
        if user.role == Role.ADMIN:
            ctx["calendar_warning"] = await system.calendar_warning_years()
            ctx["audit"] = await system.verify_audit(user)
        return page(request, "procurement/dashboard/dashboard.html", ctx)
