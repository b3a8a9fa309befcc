"""Use cases of the service catalogue (rule 7)."""

from __future__ import annotations

from procurement.accounts import policies
from procurement.catalogue.schemas import CatalogueItemIn, CatalogueItemOut
from procurement.catalogue.states import CATEGORY_LABELS, Category
from procurement.catalogue.tables import CatalogueItem
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _


def _out(row: dict) -> CatalogueItemOut:
    return CatalogueItemOut(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        category=row["category"],
        category_label=CATEGORY_LABELS.get(row["category"], row["category"]),
        description=row["description"],
        is_active=row["is_active"],
    )


async def list_items(*, active_only: bool = True, category: str | None = None) -> list[CatalogueItemOut]:
    query = CatalogueItem.select().order_by(CatalogueItem.code)
    if active_only:
        query = query.where(CatalogueItem.is_active == True)
    if category:
        query = query.where(CatalogueItem.category == category)
    return [_out(r) for r in await query]


async def create_item(user: CurrentUser, data: CatalogueItemIn) -> CatalogueItemOut:
    """An administrator adds an item; the six excluded kinds of rule 7 are the
    administrator's responsibility (the catalogue is published by the finance department)."""
    policies.can_manage_system(user).require()
    errors = {}
    if data.category not in set(Category):
        errors["category"] = _("请选择服务类别。")
    if await CatalogueItem.exists().where(CatalogueItem.code == data.code.upper()):
        errors["code"] = _("该目录编码已存在。")
    if errors:
        raise ValidationFailed(field_errors=errors)
    async with db.transaction():
        rows = await CatalogueItem.insert(
            CatalogueItem(
                code=data.code.upper(),
                name=data.name,
                category=data.category,
                description=data.description,
                created_at=clock.now(),
            )
        ).returning(*CatalogueItem.all_columns())
        await audit.record(
            "catalogue.created",
            "catalogue_item",
            rows[0]["id"],
            actor=actor_of(user),
            after={"code": data.code.upper(), "name": data.name},
        )
    return _out(rows[0])
