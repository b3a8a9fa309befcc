"""JSON API of the service catalogue."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from procurement.catalogue import services
from procurement.catalogue.schemas import CatalogueItemIn, CatalogueItemOut, FollowCategoryIn, FollowedCategoriesOut
from procurement.catalogue.states import Category
from procurement.core.api import problems
from procurement.core.i18n import N_
from procurement.core.web import require_user


class CatalogueController(Controller):
    path = "/catalogue"
    tags = [N_("指导性目录")]

    @get("/", operation_id="ListCatalogueItems", responses=problems(400))
    async def list_items(self, category: Annotated[Category | None, QueryParameter()] = None) -> list[CatalogueItemOut]:
        """The purchasable service items (rule 7), public."""
        return await services.list_items(category=category)

    @post("/", operation_id="CreateCatalogueItem", status_code=HTTP_201_CREATED, responses=problems(400, 401, 403, 422))
    async def create(self, request: Request, data: JSONBody[CatalogueItemIn]) -> CatalogueItemOut:
        return await services.create_item(require_user(request), data)

    @get("/followed", operation_id="ListFollowedCategories", responses=problems(401, 403))
    async def followed(self, request: Request) -> FollowedCategoriesOut:
        """The service categories, with those the caller's organization follows (a new tender
        in a followed category is announced in its members' inboxes)."""
        return await services.followed_categories(require_user(request))

    @post("/followed", operation_id="FollowCategory", status_code=200, responses=problems(400, 401, 403, 422))
    async def follow(self, request: Request, data: JSONBody[FollowCategoryIn]) -> FollowedCategoriesOut:
        return await services.follow_category(require_user(request), data.category)

    @delete(
        "/followed/{category:str}",
        operation_id="UnfollowCategory",
        status_code=200,
        responses=problems(400, 401, 403, 422),
    )
    async def unfollow(self, request: Request, category: FromPath[str]) -> FollowedCategoriesOut:
        return await services.unfollow_category(require_user(request), category)
