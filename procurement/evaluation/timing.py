"""What a panel waits on (design.md, Time-driven work): the report's 2-working-day
deadline (rule 26) until the chair delivers it, then, for 磋商, the buyer's
5 working days after which the top-ranked bid is deemed chosen (awards does the
deeming). The panel's ``next_check_at`` is computed here from its state and
stored whenever one of those dates changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procurement.core import clock
from procurement.evaluation.tables import Panel
from procurement.tenders.states import Method, TenderStatus
from procurement.tenders.tables import Tender


def next_check(panel: dict[str, Any], tender: dict[str, Any]) -> datetime | None:
    """The earliest moment something is due on this panel; None when nothing waits."""
    if tender["status"] != TenderStatus.EVALUATING:
        return None
    if panel["report_delivered_at"] is None:
        if panel["report_due_on"] is not None and panel["overdue_notified_at"] is None:
            return clock.after_local_day(panel["report_due_on"])
        return None
    if tender["method"] == Method.CONSULTATION and panel["award_due_on"] is not None:
        return clock.after_local_day(panel["award_due_on"])
    return None


async def compute(panel_id: int) -> datetime | None:
    """The panel's next check as its state stands now."""
    panel = await Panel.select().where(Panel.id == panel_id).first()
    if panel is None:
        return None
    tender = await Tender.select(Tender.status, Tender.method).where(Tender.id == panel["tender"]).first()
    return next_check(panel, tender) if tender else None


async def schedule(panel_id: int) -> datetime | None:
    """Store the panel's next check from its state (in the caller's transaction)."""
    due = await compute(panel_id)
    await Panel.update({Panel.next_check_at: due}).where(Panel.id == panel_id)
    return due
