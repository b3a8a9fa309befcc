"""Time-driven sweeps of the procurement package (see core/scheduler.py)."""

from __future__ import annotations

from procurement.accounts import services as accounts
from procurement.bids import opening
from procurement.core.scheduler import registry
from procurement.evaluation import awards, challenges, ranking
from procurement.tenders import services as tenders

registry.register("accounts.expire_sessions", accounts.purge_expired_sessions, interval_seconds=3600)
registry.register("tenders.close_due", tenders.close_due_tenders)
registry.register("bids.open_due", opening.open_due_tenders)
registry.register("evaluation.report_overdue", ranking.flag_overdue_reports, interval_seconds=600)
registry.register("evaluation.deem_awards", awards.deem_due_awards, interval_seconds=600)
registry.register("evaluation.publicity_end", awards.end_due_publicity, interval_seconds=600)
registry.register("evaluation.challenge_overdue", challenges.flag_overdue_answers, interval_seconds=600)
