"""Sealed audit rows: rows that no reader may see yet (invariant 2, widened to the audit log).

Before a tender's opening nobody but the bidder may learn that a bid exists, and
the audit log records every step of a bid. Which rows are sealed is not known
here: bids and their tenders sit above system. So the sub-domain that knows
registers a predicate (``add_sealed_rows``, wired in ``procurement/package.py``):
it receives a batch of audit rows and returns the ids of those to hide. The rows
stay in the chain and are verified like any other; only reading hides them.

Fails closed: with no predicate registered, nothing can tell a sealed row from
another, so the audit log is not shown at all (``AuditSealMissing``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

from procurement.core.errors import DomainError
from procurement.core.i18n import N_

SealedRows = Callable[[Sequence[Mapping[str, Any]]], Awaitable[Collection[int]]]
_predicates: list[SealedRows] = []


class AuditSealMissing(DomainError):
    """No sub-domain has said which audit rows are sealed: refuse rather than show them."""

    status_code = 503
    code = "audit-seal-missing"
    title = N_("审计日志暂不能查看：系统未加载投标密封规则，请联系系统运维人员检查安装。")


def add_sealed_rows(predicate: SealedRows) -> None:
    """Let a higher sub-domain name the audit rows that must stay hidden for now."""
    if predicate not in _predicates:
        _predicates.append(predicate)


def registered() -> bool:
    return bool(_predicates)


async def sealed_ids(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """The ids among ``rows`` that some registered predicate seals."""
    if not _predicates:
        raise AuditSealMissing()
    hidden: set[int] = set()
    if not rows:
        return hidden
    for predicate in _predicates:
        hidden |= set(await predicate(rows))
    return hidden


async def visible(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    hidden = await sealed_ids(rows)
    return [r for r in rows if r["id"] not in hidden]
