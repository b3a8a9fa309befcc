"""Time-driven work (design.md, Time-driven work; invariant 10).

Packages register idempotent *sweeps* here (from their ``jobs.py``). A sweep
re-reads the database and applies whatever is due through the same service
functions people call, so running it twice, late, or in two processes at once
does no harm. APScheduler 3 cannot share a job store between processes, so it
only supplies the ticking; on PostgreSQL each sweep also takes a transaction
advisory lock so that two processes never run the same sweep together.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from procurement.core import db

log = logging.getLogger("procurement.scheduler")

Sweep = Callable[[], Awaitable[int | None]]


@dataclass(frozen=True)
class SweepJob:
    name: str
    func: Sweep
    interval_seconds: int | None = None  # None: the global interval


class SweepRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, SweepJob] = {}

    def register(self, name: str, func: Sweep, interval_seconds: int | None = None) -> None:
        if name in self._jobs:
            raise ValueError(f"sweep {name!r} is registered twice")
        self._jobs[name] = SweepJob(name, func, interval_seconds)

    def jobs(self) -> list[SweepJob]:
        return list(self._jobs.values())

    def get(self, name: str) -> SweepJob:
        return self._jobs[name]


registry = SweepRegistry()


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")


async def run_sweep(job: SweepJob) -> int | None:
    """Run one sweep once; skipped when another process holds its lock."""
    engine = db.get_engine()
    if isinstance(engine, PostgresEngine):
        async with engine.transaction():
            got = await engine.run_querystring(
                QueryString("SELECT pg_try_advisory_xact_lock({}) AS got", _lock_key(job.name))
            )
            if not got[0]["got"]:
                log.info("sweep %s: running in another process, skipped", job.name)
                return None
            return await job.func()
    return await job.func()


async def _run_logged(job: SweepJob) -> None:
    try:
        done = await run_sweep(job)
        if done:
            log.info("sweep %s: %s item(s) handled", job.name, done)
    except Exception:  # a failing sweep must not stop the others; it runs again next tick
        log.exception("sweep %s failed", job.name)


def build_scheduler(interval_seconds: int) -> AsyncIOScheduler:
    """An AsyncIOScheduler with every registered sweep, each also run once at start."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in registry.jobs():
        scheduler.add_job(
            _run_logged,
            "interval",
            args=[job],
            seconds=job.interval_seconds or interval_seconds,
            id=job.name,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler
