"""What every role's to-do list shares: how many entries a card shows, what counts as
soon or late, and how an item is made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from procurement.bids.states import BidStatus
from procurement.core import clock
from procurement.dashboard.schemas import TodoEntry, TodoItem
from procurement.tenders.states import TenderStatus

SHOWN = 5  # entries per card; the count says how many there are in all
CLOSING_SOON = timedelta(days=7)
URGENT = timedelta(days=1)
IN_EVALUATION = (TenderStatus.OPENED, TenderStatus.EVALUATING)
BEFORE_OPENING = (BidStatus.DRAFT, BidStatus.SUBMITTED, BidStatus.WITHDRAWN)


def soon(moment: datetime | None, now: datetime) -> bool:
    """Due within a day (a kept page is told when that turns: ``clock.changes_at``)."""
    if moment is None:
        return False
    clock.changes_at(moment - URGENT)
    return moment - now < URGENT


def until(moment: datetime) -> datetime:
    """``moment``, reported as a moment from which what is shown reads otherwise (a row
    listed while its deadline is ahead)."""
    clock.changes_at(moment)
    return moment


def late(day: date | None, today: date) -> bool:
    """A due day (Beijing calendar) that has passed."""
    return day is not None and today > day


def grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows grouped by ``key``, in the order they came."""
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def item(
    key: str, title: str, entries: list[TodoEntry], *, empty: str, count: int | None = None, **kw: Any
) -> TodoItem:
    """A card: ``count`` defaults to the number of entries; the card shows the first few."""
    return TodoItem(
        key=key, title=title, count=len(entries) if count is None else count, entries=entries[:SHOWN], empty=empty, **kw
    )
