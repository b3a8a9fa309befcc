"""Time-driven sweeps of the procurement package (see core/scheduler.py).

Each sweep belongs to the sub-domain that owns what it changes; each
aggregate that waits on time stores ``next_check_at`` (tenders, panels,
awards, challenges, bid bonds) and its sweep takes the due rows one by one.
"""

from __future__ import annotations

from procurement.accounts import services as accounts
from procurement.awards import challenges
from procurement.awards import services as awards
from procurement.bids import bonds, opening
from procurement.core import outbox
from procurement.core.scheduler import SweepRegistry
from procurement.evaluation import ranking
from procurement.system import audit_log
from procurement.tenders import services as tenders


def register(registry: SweepRegistry) -> None:
    # Due sweeps are registered as themselves: the start-up catch-up merges their items by due time.
    registry.register("accounts.expire_sessions", accounts.purge_expired_sessions, interval_seconds=3600)
    registry.register("tenders.close_due", tenders.CLOSE_DUE)
    registry.register("bids.open_due", opening.OPEN_DUE)
    registry.register("evaluation.report_overdue", ranking.REPORTS_DUE, interval_seconds=600)
    registry.register("awards.deem_due", awards.DEEM_DUE, interval_seconds=600)
    registry.register("awards.publicity_end", awards.PUBLICITY_DUE, interval_seconds=600)
    registry.register("awards.challenge_overdue", challenges.OVERDUE_DUE, interval_seconds=600)
    registry.register("bids.bond_refund_overdue", bonds.BONDS_DUE, interval_seconds=3600)
    registry.register("system.audit_anchor", audit_log.anchor_daily, interval_seconds=3600)
    # The outbox (issue 15 §3): each message claimed before it is sent (core/outbox.py), so
    # this is safe beside the advisory lock too; the digest at the hour, once per user and day.
    registry.register("notify.send_email", outbox.send_due)
    registry.register("notify.daily_digest", outbox.send_daily_digests, interval_seconds=600)
    registry.register("notify.prune_outbox", outbox.prune_old, interval_seconds=86400)
