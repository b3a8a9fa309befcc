"""Domain events: how a lower sub-domain tells a higher one that something happened.

Imports run one way (tenders before bids before evaluation before awards), so
when a tender is cancelled, tenders cannot call bids to schedule the bid-bond
refunds. It emits ``tender.cancelled`` instead; bids subscribes to it when its
package registers (``procurement.package``). Handlers run in the emitter's
transaction, so a change and its consequences commit or roll back together.

An event nobody subscribed to is a wiring mistake, not a quiet no-op: emitting
before the packages registered raises, so a command that forgot to register
fails loudly instead of silently skipping the refunds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from procurement.core.errors import ConfigurationError

Handler = Callable[..., Awaitable[Any]]  # an event's handler returns None; a question's, its answer

_handlers: dict[str, list[Handler]] = defaultdict(list)
_registered = False


def subscribe(event: str, handler: Handler) -> None:
    """Run ``handler(**payload)`` whenever ``event`` is emitted (called at package registration)."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def mark_registered() -> None:
    """The packages have subscribed their handlers (``core.packages.register_all``)."""
    global _registered
    _registered = True


async def emit(event: str, **payload: Any) -> int:
    """Run every handler of ``event`` in the caller's transaction; returns how many ran."""
    if not _registered:
        raise ConfigurationError(f"event {event!r} emitted before the packages registered their handlers")
    handlers = list(_handlers.get(event, ()))
    for handler in handlers:
        await handler(**payload)
    return len(handlers)


async def ask(event: str, **payload: Any) -> list[Any]:
    """A question a lower sub-domain puts to a higher one (awards asking contracts whether
    the contract of an award is signed): every handler's answer, in the caller's transaction."""
    if not _registered:
        raise ConfigurationError(f"question {event!r} asked before the packages registered their handlers")
    return [await handler(**payload) for handler in list(_handlers.get(event, ()))]
