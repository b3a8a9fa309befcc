"""JSON API of the service catalogue."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from procurement.catalogue import services
from procurement.catalogue.schemas import CatalogueItemIn, CatalogueItemOut
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
