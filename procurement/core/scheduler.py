"""Time-driven work (design.md, Time-driven work; invariant 10).

Packages register their sweeps here from their ``jobs.py``. Most are *due
sweeps*: an aggregate that waits on time stores ``next_check_at`` (computed
from its state, indexed), and the sweep takes the rows whose moment has
passed, earliest first, and hands each id to the owner's handler, which
applies what is due through the owner's service functions and returns a
``Due``: whether it acted, and the row's next check, which the sweep stores. Each item runs in its own transaction,
so one failing item is logged with its id and neither rolls back nor blocks
the others. Handlers re-check the state before acting, so running a sweep
twice, late, or in two processes does no harm, and reads never wait for it.

APScheduler 3 cannot share a job store between processes, so it only
supplies the ticking. On PostgreSQL a sweep runs under a session-level
advisory lock held on a connection of its own (another process skips that
sweep), and each item is taken with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
from piccolo.table import Table

from procurement.core import clock, db

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("procurement.scheduler")


@dataclass(frozen=True)
class Due:
    """What a handler did with one due row: whether it acted, and when to look again."""

    acted: bool
    next_check: datetime | None
    stored: bool = False  # the handler already wrote ``next_check`` (in the same UPDATE as its step)


Sweep = Callable[[], Awaitable[int | None]]
DueHandler = Callable[[int], Awaitable[Due]]

BATCH = 500


@dataclass(frozen=True)
class SweepJob:
    name: str
    func: Sweep
    interval_seconds: int | None = None  # None: the global interval


@dataclass(frozen=True)
class DueSweep:
    """Rows of ``model`` whose ``next_check_at`` has passed, handled one by one."""

    name: str
    model: type[Table]
    handle: DueHandler
    # Items handled at once on PostgreSQL, each in its own transaction on its own pooled
    # connection: only for handlers whose items touch rows of their own (plus the audit
    # chain, which serializes its writers itself). SQLite has one writer: always 1.
    concurrency: int = 1

    async def __call__(self) -> int:
        return await run_due(self)


class SweepRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, SweepJob] = {}

    def register(self, name: str, func: Sweep, interval_seconds: int | None = None) -> None:
        if name in self._jobs:
            if self._jobs[name].func == func:
                return  # a package registered twice (tests build several apps)
            raise ValueError(f"sweep {name!r} is registered twice")
        self._jobs[name] = SweepJob(name, func, interval_seconds)

    def register_due(
        self, name: str, model: type[Table], handle: DueHandler, interval_seconds: int | None = None
    ) -> None:
        """A sweep over ``model.next_check_at``; ``handle(id)`` returns the row's next check."""
        existing = self._jobs.get(name)
        if existing is not None and isinstance(existing.func, DueSweep) and existing.func.handle == handle:
            return
        self.register(name, DueSweep(name, model, handle), interval_seconds)

    def jobs(self) -> list[SweepJob]:
        return list(self._jobs.values())

    def get(self, name: str) -> SweepJob:
        return self._jobs[name]


registry = SweepRegistry()


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")


async def _take(sweep: DueSweep, row_id: int, now: datetime) -> bool:
    """Lock one due row for this transaction; False if it is no longer due or another
    process holds it (PostgreSQL: ``FOR UPDATE SKIP LOCKED``).

    On PostgreSQL the same statement turns off the wait for the WAL flush at this
    transaction's commit (``synchronous_commit`` for this transaction only, issue 11:
    the flush was most of an item's time). Safe for a due item alone: a crash can lose
    only the last fraction of a second of committed items, each whole (its status with
    its audit row, the chain intact), and their ``next_check_at`` is then still past,
    so the next run does them again (invariant 10); any later commit that waits for
    its flush, a person's or the next item's, makes every earlier one durable too."""
    model = sweep.model
    key: Column = model._meta.primary_key
    due: Column = cast(Any, model).next_check_at  # every due-swept table has one
    where = (key == row_id) & (due <= now)
    if db.is_sqlite():
        return await db.lock(model, where, skip_locked=True)
    query = (
        model.select(key, QueryString("set_config('synchronous_commit', 'off', true) AS async_commit"))
        .where(where)
        .lock_rows(skip_locked=True)
    )
    return bool(await query)


async def run_item(sweep: DueSweep, row_id: int) -> bool:
    """Handle one due row in its own transaction; True if the handler acted."""
    now = clock.now()
    model = sweep.model
    async with db.transaction():
        if not await _take(sweep, row_id, now):
            return False
        outcome = await sweep.handle(row_id)
        if outcome.stored:
            return outcome.acted
        await model.update({cast(Any, model).next_check_at: outcome.next_check}).where(
            model._meta.primary_key == row_id
        )
    return outcome.acted


async def run_due(sweep: DueSweep) -> int:
    """Every due row, earliest first, each in its own transaction; returns on how many
    the handler acted. A failing row is logged with its id and tried again next tick."""
    model = sweep.model
    key: Column = model._meta.primary_key
    due: Column = cast(Any, model).next_check_at  # every due-swept table has one
    tried: set[int] = set()
    handled = 0
    while True:
        now = clock.now()
        rows = await model.select(key).where(due <= now).order_by(due).order_by(key).limit(BATCH + len(tried))
        fresh = [r[key._meta.name] for r in rows if r[key._meta.name] not in tried]
        if not fresh:
            return handled
        tried.update(fresh)
        width = 1 if db.is_sqlite() else max(1, sweep.concurrency)
        if width == 1:
            for row_id in fresh:
                handled += await _run_logged_item(sweep, row_id)
            continue
        # A few items at once, each its own transaction: the round trips of one overlap
        # another's (the audit chain's lock still orders their audit rows).
        pending = iter(fresh)
        workers = [_drain(sweep, pending) for _ in range(min(width, len(fresh)))]
        handled += sum(await asyncio.gather(*workers))


async def _drain(sweep: DueSweep, pending: Iterator[int]) -> int:
    """One of a sweep's concurrent workers: the next id nobody has taken, until none is left."""
    done = 0
    for row_id in pending:
        done += await _run_logged_item(sweep, row_id)
    return done


async def _run_logged_item(sweep: DueSweep, row_id: int) -> int:
    try:
        return int(await run_item(sweep, row_id))
    except Exception:  # one item must not stop the others; its next_check_at stays, so it is retried
        log.exception("sweep %s: item %s failed", sweep.name, row_id)
        return 0


async def run_sweep(job: SweepJob) -> int | None:
    """Run one sweep once; skipped (None) when another process is running it."""
    engine = db.get_engine()
    if not isinstance(engine, PostgresEngine):
        return await job.func()
    # A session-level lock on a connection of its own: the items' transactions
    # come and go on the pool while this connection keeps the sweep to one process.
    connection = await engine.get_new_connection()
    try:
        got = await connection.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(job.name))
        if not got:
            log.info("sweep %s: running in another process, skipped", job.name)
            return None
        try:
            return await job.func()
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _lock_key(job.name))
    finally:
        await connection.close()


async def _run_logged(job: SweepJob) -> None:
    try:
        done = await run_sweep(job)
        if done:
            log.info("sweep %s: %s item(s) handled", job.name, done)
    except Exception:  # a failing sweep must not stop the others; it runs again next tick
        log.exception("sweep %s failed", job.name)


def build_scheduler(interval_seconds: int) -> AsyncIOScheduler:
    """An AsyncIOScheduler with every registered sweep, each also run once at start."""
    # Imported here: a server with the scheduler off never loads APScheduler (issue 11, cold start).
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

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
