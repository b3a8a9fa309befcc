"""Use cases of the service catalogue (rule 7), and the service categories a social
organization follows: its users are told of every new tender in them (issue 15 §3)."""

from __future__ import annotations

from collections.abc import Iterable

from procurement.accounts import policies
from procurement.accounts.tables import User
from procurement.catalogue import policies as catalogue_policies
from procurement.catalogue.schemas import (
    CatalogueItemIn,
    CatalogueItemOut,
    FollowedCategoriesOut,
    FollowedCategoryOut,
)
from procurement.catalogue.states import CATEGORY_LABELS, Category
from procurement.catalogue.tables import CatalogueItem, CategoryFollow
from procurement.core import audit, clock, db
from procurement.core.actors import Role
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


# --------------------------------------------------------------------------- followed categories


async def _followed(org_id: int) -> set[str]:
    rows = await CategoryFollow.select(CategoryFollow.category).where(CategoryFollow.organization == org_id)
    return {r["category"] for r in rows}


async def followed_categories(user: CurrentUser) -> FollowedCategoriesOut:
    """Every service category, with whether the user's organization follows it."""
    catalogue_policies.can_follow(user).require()
    assert user.organization_id is not None  # can_follow: a social organization's member
    followed = await _followed(user.organization_id)
    return FollowedCategoriesOut(
        categories=[
            FollowedCategoryOut(category=c.value, label=CATEGORY_LABELS[c], followed=c.value in followed)
            for c in Category
        ]
    )


def _checked_category(category: str) -> str:
    if category not in set(Category):
        raise ValidationFailed(field_errors={"category": _("请选择服务类别。")})
    return category


async def follow_category(user: CurrentUser, category: str) -> FollowedCategoriesOut:
    """The organization follows a category; following it again changes nothing."""
    actor = catalogue_policies.can_follow(user).acting(user)
    category = _checked_category(category)
    org_id = user.organization_id
    assert org_id is not None
    try:
        async with db.transaction():
            if not await CategoryFollow.exists().where(
                (CategoryFollow.organization == org_id) & (CategoryFollow.category == category)
            ):
                await CategoryFollow.insert(
                    CategoryFollow(organization=org_id, category=category, followed_by=user.id, created_at=clock.now())
                )
                await audit.record(
                    "catalogue.category_followed", "organization", org_id, actor=actor, after={"category": category}
                )
    except Exception as exc:
        if not db.is_unique_violation(exc):  # a colleague followed it at the same moment: done
            raise
    return await followed_categories(user)


async def unfollow_category(user: CurrentUser, category: str) -> FollowedCategoriesOut:
    """The organization stops following a category; unfollowing one it does not follow changes nothing."""
    actor = catalogue_policies.can_follow(user).acting(user)
    category = _checked_category(category)
    org_id = user.organization_id
    async with db.transaction():
        gone = (
            await CategoryFollow.delete()
            .where((CategoryFollow.organization == org_id) & (CategoryFollow.category == category))
            .returning(CategoryFollow.id)
        )
        if gone:
            await audit.record(
                "catalogue.category_unfollowed", "organization", org_id, actor=actor, after={"category": category}
            )
    return await followed_categories(user)


async def follower_user_ids(category: str, *, organizations: Iterable[int] | None = None) -> list[int]:
    """The active members of the organizations that follow ``category`` (only those among
    ``organizations`` when given: an invited tender tells only the invited)."""
    query = CategoryFollow.select(CategoryFollow.organization).where(CategoryFollow.category == category)
    org_ids = {r["organization"] for r in await query}
    if organizations is not None:
        org_ids &= set(organizations)
    if not org_ids:
        return []
    users = await User.select(User.id).where(
        User.organization.is_in(sorted(org_ids)) & (User.role == Role.ORG_MEMBER) & (User.is_active == True)
    )
    return sorted({u["id"] for u in users})
