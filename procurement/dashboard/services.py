"""Each role's to-do list (工作台), read from the sub-domains that own the work.

The dashboard is the top layer. It asks the owning sub-domain where a service
answers the question (registrations, eligibility profiles, bid bonds, the
calendar, locked accounts, the inbox) and otherwise reads with one query per
item, never one per row, scoped by the relations the policies use: the
buyer's own tenders for its officers, the organization's own bids for its
members, the expert's own seats. It changes nothing.

Sealed bids (invariant 2): before a tender opens, nothing here says who bid or
how many. The officer's items about open tenders count questions and show
deadlines, never bids; bonds come from ``bids.bonds``, which hides the tender
and the bidder of a bond until the opening.

One module per role: ``bureau`` (the officer), ``bonds`` (finance, and the
officer's refunds), ``organization``, ``panels`` (the expert), ``admin`` (the
administrator and the evaluator; registrations for the officer too); ``todo``
holds what they share. Packages procurement does not import (contracts) add their
items through the ``core.dashboard_items`` registry; they follow the role's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from procurement.accounts.states import Role
from procurement.core import dashboard_items
from procurement.core.auth import CurrentUser
from procurement.dashboard import admin, bonds, bureau, organization, panels
from procurement.dashboard.schemas import Dashboard, TodoItem

_BUILDERS: dict[str, Callable[[CurrentUser], Awaitable[list[TodoItem | None]]]] = {
    Role.OFFICER: bureau.officer,
    Role.FINANCE: bonds.finance,
    Role.ORG_MEMBER: organization.organization,
    Role.EXPERT: panels.expert,
    Role.EVALUATOR: admin.evaluator,
    Role.ADMIN: admin.admin,
}


async def dashboard(user: CurrentUser) -> Dashboard:
    """The signed-in person's to-do list, in the order the work comes."""
    build = _BUILDERS.get(user.role)
    items = await build(user) if build else []
    items = [*items, *await dashboard_items.items_for(user)]
    return Dashboard(items=[i for i in items if i is not None])
