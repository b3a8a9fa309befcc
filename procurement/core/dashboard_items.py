"""Dashboard items from packages that procurement does not import (the contracts
package): a package registers, per role, an async provider ``(user) -> items``
when it subscribes (its ``Package.subscribe``), and the dashboard adds what the
providers return after its own items.

The items are the dashboard's ``TodoItem`` schema (``procurement.dashboard.schemas``,
which a package above may import); core only keeps the list, so it is typed loosely
here. A provider returns ``None`` for an item it has nothing to show. Registration
is idempotent, as every package registration is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from procurement.core.auth import CurrentUser

Provider = Callable[[CurrentUser], Awaitable[Sequence[Any]]]

_providers: dict[str, list[Provider]] = {}


def register(role: str, provider: Provider) -> None:
    """Add ``provider`` to the dashboard of every user whose role is ``role``."""
    found = _providers.setdefault(str(role), [])
    if provider not in found:
        found.append(provider)


def providers(role: str) -> list[Provider]:
    """The providers registered for ``role``, in the order they registered."""
    return list(_providers.get(str(role), ()))


async def items_for(user: CurrentUser) -> list[Any]:
    """Every registered provider's items for ``user`` (``None`` entries kept for the caller to drop)."""
    out: list[Any] = []
    for provider in providers(user.role):
        out.extend(await provider(user))
    return out
