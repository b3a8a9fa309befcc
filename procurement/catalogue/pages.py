"""Web pages of the catalogue: the service categories a social organization follows
(a new tender in one is announced in its members' inboxes)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Response

from procurement.catalogue import services
from procurement.core.actors import Role
from procurement.core.i18n import _
from procurement.core.web import form_action, page, redirect, require_user

Form = URLEncodedBody[dict[str, Any]]
TEMPLATE = "procurement/catalogue/follow.html"


class CataloguePages(Controller):
    include_in_schema = False

    @get("/org/categories")
    async def categories(self, request: Request) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        return page(request, TEMPLATE, {"followed": await services.followed_categories(user)})

    @post("/org/categories")
    async def change(self, request: Request, data: Form) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        category = str(data.get("category", ""))
        follow = data.get("follow") == "1"

        async def action() -> Response:
            if follow:
                await services.follow_category(user, category)
                return redirect("/org/categories", _("已关注该服务类别，有新项目发布时会通知您。"))
            await services.unfollow_category(user, category)
            return redirect("/org/categories", _("已取消关注该服务类别。"))

        return await form_action(
            request, TEMPLATE, data, action, {"followed": await services.followed_categories(user)}
        )
