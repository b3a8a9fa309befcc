"""The core registry through which packages procurement does not import add dashboard
items: per role, in registration order, registered once however often a package subscribes."""

from __future__ import annotations

from procurement.core import dashboard_items
from procurement.core.auth import CurrentUser


def user(role: str) -> CurrentUser:
    return CurrentUser(1, "u", "用户", role, 1, "机构", None, 0, "", "cli")


async def test_a_provider_registered_twice_answers_once_and_only_for_its_role():
    async def first(u: CurrentUser) -> list[str | None]:
        return [f"first:{u.username}", None]

    async def second(u: CurrentUser) -> list[str]:
        return ["second"]

    role = "test_role_dashboard_items"
    dashboard_items.register(role, first)
    dashboard_items.register(role, first)
    dashboard_items.register(role, second)
    assert dashboard_items.providers(role) == [first, second]
    assert await dashboard_items.items_for(user(role)) == ["first:u", None, "second"]
    assert await dashboard_items.items_for(user("test_role_nobody")) == []


def test_the_contracts_package_registers_items_for_both_parties():
    from contracts import dashboard
    from procurement.core.actors import Role

    dashboard.register()
    assert dashboard.officer_items in dashboard_items.providers(Role.OFFICER)
    assert dashboard.provider_items in dashboard_items.providers(Role.ORG_MEMBER)
    assert dashboard_items.providers(Role.EXPERT) == []
