"""Time-driven sweeps of the procurement package (see core/scheduler.py)."""

from __future__ import annotations

from procurement.accounts import services as accounts
from procurement.bids import opening
from procurement.core.scheduler import registry
from procurement.tenders import services as tenders

registry.register("accounts.expire_sessions", accounts.purge_expired_sessions, interval_seconds=3600)
registry.register("tenders.close_due", tenders.close_due_tenders)
registry.register("bids.open_due", opening.open_due_tenders)
