"""The signed-in person's workspace: each role's dashboard (工作台).

Top of the layers: its to-do list comes from ``dashboard.services``, which reads
what waits for the user in every sub-domain. The officer's and the organization's
are kept whole while nothing they show changes (``dashboard.kept``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response

from procurement.accounts.states import ROLE_LABELS, Role
from procurement.core.auth import CurrentUser
from procurement.core.web import page, require_user
from procurement.dashboard import kept, services
from procurement.system import audit_log
from procurement.system import services as system


class DashboardPages(Controller):
    include_in_schema = False

    @get("/dashboard")
    async def dashboard(self, request: Request) -> Response:
        user = require_user(request)
        return await kept.kept_page(request, user, lambda: _build(request, user))


async def _build(request: Request, user: CurrentUser) -> Response:
    ctx: dict[str, Any] = {
        "inbox": await system.list_inbox(user, limit=5),
        "role_label": ROLE_LABELS[Role(user.role)],
        "todo": await services.dashboard(user),
    }
    if user.role == Role.ADMIN:
        ctx["audit"] = await audit_log.recent_audit_check(user)
    return page(request, "procurement/dashboard/dashboard.html", ctx)
