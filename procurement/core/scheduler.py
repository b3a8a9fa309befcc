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
sweep), and each item is taken with ``FOR UPDATE SKIP LOCKED``. On SQLite one
process only runs the scheduler: it holds a lock file in the var directory
(:func:`hold_sqlite_lock`); another process says so in one log line and runs none.

Every run of a sweep is written to ``scheduler_run`` (issue 15 §2: its process,
times, items handled, acted on and failed, the first error), the oldest pruned.
When the scheduler starts it first *catches up* (:func:`catch_up`): every due item of
every due sweep, merged in the order of their due times, so that after a stop (or a
jump of the clock) the transitions happen in the order they were due; each audit row
written for a due item carries the due time it stood for (``audit.due_moment``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import hashlib
import heapq
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from procurement.core import audit, clock, db

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("procurement.scheduler")
T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    """What a handler did with one due row: whether it acted, and when to look again."""

    acted: bool
    next_check: datetime | None
    stored: bool = False  # the handler already wrote ``next_check`` (in the same UPDATE as its step)


Sweep = Callable[[], Awaitable[int | None]]
DueHandler = Callable[[int], Awaitable[Due]]
TakenHandler = Callable[[dict[str, Any]], Awaitable[Due]]

BATCH = 500
RUNS_KEPT = 50  # ``scheduler_run`` rows kept per sweep: the operations page shows the latest
PROCESS = f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass
class RunStats:
    """What one run of a sweep did with its items (``scheduler_run``)."""

    handled: int = 0
    acted: int = 0
    failed: int = 0
    error: str = ""

    def failure(self, text: str) -> None:
        self.failed += 1
        if not self.error:
            self.error = text[:2000]


_stats: contextvars.ContextVar[RunStats | None] = contextvars.ContextVar("sweep_stats", default=None)


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
    # Optionally, the handler of the row as the sweep locked it: the columns named in
    # ``reads`` (besides the key and ``next_check_at``) come with the statement that takes
    # the row, so the handler does not read them again (issue 11: one round trip per item).
    # ``handle(id)`` stays the same step for a caller that has only the id.
    taken: TakenHandler | None = None
    reads: tuple[str, ...] = ()
    # Every item that acts writes an audit row (a transition): on PostgreSQL the claim takes
    # the audit chain's lock too, so the transition writes its row with its UPDATE in one
    # statement (issue 11). The lock is held for the item's short transaction either way.
    audited: bool = False

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


def run_on_server_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the event loop the web server uses (uvloop where it is
    installed, ``procurement serve``), for the scheduler process: a due sweep's time goes to
    its round trips, and uvloop's costs about half the default loop's (issue 11)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")


async def _take(sweep: DueSweep, row_id: int, now: datetime) -> dict[str, Any] | None:
    """Lock one due row for this transaction and return its key, ``next_check_at`` (the
    moment it was due) and the columns the sweep ``reads``; None if it is no longer due
    or another process holds it (PostgreSQL: ``FOR UPDATE SKIP LOCKED``).

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
        if not await db.lock(model, where, skip_locked=True):
            return None
        columns = [key, due, *(model._meta.get_column_by_name(name) for name in sweep.reads)]
        return await model.select(*columns).where(key == row_id).first()
    rows = await db.fetch_raw(_take_sql(model, sweep.reads, sweep.audited), row_id, now)
    return dict(rows[0]) if rows else None


@functools.lru_cache(maxsize=64)
def _take_sql(model: type[Table], reads: tuple[str, ...], audited: bool) -> str:
    """:func:`_take`'s statement on PostgreSQL (the key ``$1``, now ``$2``): one prepared
    statement per sweep, without Piccolo's query building (issue 11: it was most of the claim)."""
    meta = model._meta
    due: Column = cast(Any, model).next_check_at
    columns = [meta.primary_key, due, *(meta.get_column_by_name(name) for name in reads)]
    chosen = ", ".join(f'"{c._meta.db_column_name}" AS "{c._meta.name}"' for c in columns)
    key = meta.primary_key._meta.db_column_name
    if audited:  # the chain's lock (audit.chain_locked_here); a row skipped ends its transaction at once
        chosen += f", {audit.LOCK_CHAIN_SQL} AS chain"
    return (
        f"SELECT {chosen}, set_config('synchronous_commit', 'off', true) AS async_commit"
        f' FROM {meta.get_formatted_tablename()} WHERE "{key}" = $1 AND "{due._meta.db_column_name}" <= $2'
        " FOR UPDATE SKIP LOCKED"
    )


async def run_item(sweep: DueSweep, row_id: int) -> bool:
    """Handle one due row in its own transaction; True if the handler acted."""
    now = clock.now()
    model = sweep.model
    async with db.transaction():
        taken = await _take(sweep, row_id, now)
        if taken is None:
            return False
        # The audit rows this item writes carry the due time it stands for (issue 15 §2).
        held = audit.chain_locked_here() if sweep.audited and not db.is_sqlite() else contextlib.nullcontext()
        with audit.due_moment(taken[cast(Any, model).next_check_at._meta.name]), held:
            outcome = await (sweep.handle(row_id) if sweep.taken is None else sweep.taken(taken))
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
    stats = _stats.get()
    if stats is not None:
        stats.handled += 1
    try:
        acted = int(await run_item(sweep, row_id))
    except Exception as exc:  # one item must not stop the others; its next_check_at stays, so it is retried
        log.exception("sweep %s: item %s failed", sweep.name, row_id)
        if stats is not None:
            stats.failure(f"#{row_id}: {type(exc).__name__}: {exc}")
        return 0
    if stats is not None:
        stats.acted += acted
    return acted


async def _recorded(job: SweepJob) -> int | None:
    """Run ``job`` once and write its ``scheduler_run`` row (a sweep's own failure too)."""
    stats = RunStats()
    token = _stats.set(stats)
    started = clock.now()
    done: int | None = None
    try:
        done = await job.func()
    except Exception as exc:
        stats.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        _stats.reset(token)
        if not isinstance(job.func, DueSweep):  # a plain sweep counts only what it did
            stats.handled = stats.acted = int(done or 0)
        await _write_run(job.name, started, stats)
    return done


async def _write_run(name: str, started: datetime, stats: RunStats) -> None:
    """One ``scheduler_run`` row, and the oldest rows of this sweep beyond the kept number."""
    from procurement.core.tables import SchedulerRun

    try:
        await SchedulerRun.insert(
            SchedulerRun(
                sweep=name[:60],
                process=PROCESS,
                started_at=started,
                finished_at=clock.now(),
                handled=stats.handled,
                acted=stats.acted,
                failed=stats.failed,
                error=stats.error,
            )
        )
        keep = RUNS_KEPT
        cutoff = (
            await SchedulerRun.select(SchedulerRun.id)
            .where(SchedulerRun.sweep == name)
            .order_by(SchedulerRun.id, ascending=False)
            .offset(keep)
            .first()
        )
        if cutoff is not None:
            await SchedulerRun.delete().where((SchedulerRun.sweep == name) & (SchedulerRun.id <= cutoff["id"]))
    except Exception:  # the log of runs must never stop a sweep
        log.exception("sweep %s: its run could not be recorded", name)


async def run_sweep(job: SweepJob) -> int | None:
    """Run one sweep once; skipped (None) when another process is running it."""
    engine = db.get_engine()
    if not isinstance(engine, PostgresEngine):
        return await _recorded(job)
    # A session-level lock on a connection of its own: the items' transactions
    # come and go on the pool while this connection keeps the sweep to one process.
    connection = await engine.get_new_connection()
    try:
        got = await connection.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(job.name))
        if not got:
            log.info("sweep %s: running in another process, skipped", job.name)
            return None
        try:
            return await _recorded(job)
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _lock_key(job.name))
    finally:
        await connection.close()


async def run_sweep_logged(job: SweepJob) -> None:
    """:func:`run_sweep`, its result or failure logged (never raised)."""
    await _run_logged(job)


async def _run_logged(job: SweepJob) -> None:
    try:
        done = await run_sweep(job)
        if done:
            log.info("sweep %s: %s item(s) handled", job.name, done)
    except Exception:  # a failing sweep must not stop the others; it runs again next tick
        log.exception("sweep %s failed", job.name)
    except asyncio.CancelledError:
        # The process is stopping (the scheduler shut down with the app): the item under
        # way rolled back or committed whole, and what is still due stays due (its
        # next_check_at), for the next start. Not a failure: no traceback in the log.
        log.info("sweep %s stopped with the process; what is due runs at the next start", job.name)


def _due_sweeps() -> list[DueSweep]:
    return [job.func for job in registry.jobs() if isinstance(job.func, DueSweep)]


async def _due_rows(sweep: DueSweep, now: datetime) -> list[tuple[datetime, int]]:
    model = sweep.model
    key: Column = model._meta.primary_key
    due: Column = cast(Any, model).next_check_at
    rows = await model.select(key, due).where(due <= now).order_by(due).order_by(key).limit(BATCH)
    return [(r[due._meta.name], r[key._meta.name]) for r in rows]


async def _current_due(sweep: DueSweep, row_id: int) -> datetime | None:
    model = sweep.model
    due: Column = cast(Any, model).next_check_at
    row = await model.select(due).where(model._meta.primary_key == row_id).first()
    return row[due._meta.name] if row else None


async def catch_up(sweeps: list[DueSweep] | None = None) -> int:
    """Every due item of every due sweep, one at a time, in the order of their due times
    (issue 15 §2): after a stop or a jump of the clock, a tender closes before it opens
    and an award is deemed before its contract's signing deadline. A handler's next step
    of the same row, already due, goes back into the order at its own due time. Each
    (sweep, row, due time) is tried once; failures are logged and left for the next tick.
    On PostgreSQL the sweeps another process is running are left out (their advisory locks)."""
    engine = db.get_engine()
    chosen = list(sweeps if sweeps is not None else _due_sweeps())
    connection = None
    if isinstance(engine, PostgresEngine):
        connection = await engine.get_new_connection()
        held = []
        for sweep in chosen:
            if await connection.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(sweep.name)):
                held.append(sweep)
        chosen = held
    stats = RunStats()
    token = _stats.set(stats)
    started = clock.now()
    try:
        return await _catch_up(chosen)
    finally:
        _stats.reset(token)
        if connection is not None:
            try:
                for sweep in chosen:
                    await connection.execute("SELECT pg_advisory_unlock($1)", _lock_key(sweep.name))
            finally:
                await connection.close()
        if stats.handled or stats.failed:
            await _write_run(CATCH_UP, started, stats)


CATCH_UP = "scheduler.catch_up"
MAX_STEPS = 20  # steps of one row in one catch-up (a tender: closed, opened; a contract: a few moments)


async def _catch_up(sweeps: list[DueSweep]) -> int:
    order = {sweep.name: i for i, sweep in enumerate(sweeps)}
    by_name = {sweep.name: sweep for sweep in sweeps}
    tried: set[tuple[str, int, datetime]] = set()
    steps: dict[tuple[str, int], int] = {}
    acted = 0
    while True:
        now = clock.now()
        heap: list[tuple[datetime, int, int, str]] = []
        horizon: datetime | None = None  # beyond it, a sweep with more rows than one batch may have earlier ones
        for sweep in sweeps:
            rows = await _due_rows(sweep, now)
            if len(rows) == BATCH:
                horizon = rows[-1][0] if horizon is None else min(horizon, rows[-1][0])
            for due_at, row_id in rows:
                if (sweep.name, row_id, due_at) not in tried and steps.get((sweep.name, row_id), 0) < MAX_STEPS:
                    heap.append((due_at, order[sweep.name], row_id, sweep.name))
        if not heap:
            return acted
        heapq.heapify(heap)
        if heap[0][0] > (horizon or heap[0][0]):
            horizon = None  # only failed rows fill the batch: go on past them rather than stop
        while heap and (horizon is None or heap[0][0] <= horizon):
            due_at, rank, row_id, name = heapq.heappop(heap)
            sweep = by_name[name]
            current = await _current_due(sweep, row_id)  # another sweep's step may have moved it
            if current is None or current > clock.now():
                continue
            if current != due_at:
                heapq.heappush(heap, (current, rank, row_id, name))
                continue
            if (name, row_id, due_at) in tried or steps.get((name, row_id), 0) >= MAX_STEPS:
                continue  # done, or a handler that keeps finding itself due: left to its own sweep
            tried.add((name, row_id, due_at))
            steps[(name, row_id)] = steps.get((name, row_id), 0) + 1
            acted += await _run_logged_item(sweep, row_id)
            # The same row's next step may be due already: back into the order, for every
            # sweep over this table (the tender's closing, then its opening).
            for other in sweeps:
                if other.model is sweep.model:
                    following = await _current_due(other, row_id)
                    if following is not None and following <= clock.now():
                        heapq.heappush(heap, (following, order[other.name], row_id, other.name))


# ----------------------------------------------------------------------------- SQLite: one scheduler

LOCK_FILE = "scheduler.lock"
_lock_handle: Any = None


def hold_sqlite_lock(var_dir: Path) -> bool:
    """On SQLite only one process runs the sweeps: True if this process holds (or now
    takes) the lock file ``var/scheduler.lock``; False, with one log line, if another does.
    The lock goes with the process (an exclusive ``flock``), so a crash leaves none behind."""
    global _lock_handle
    if _lock_handle is not None:
        return True
    import fcntl

    var_dir.mkdir(parents=True, exist_ok=True)
    handle = open(var_dir / LOCK_FILE, "a+")  # held open for the process's life
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        log.warning(
            "scheduler: another process (%s) runs the sweeps on this SQLite database; this one runs none", holder
        )
        return False
    handle.seek(0)
    handle.truncate()
    handle.write(PROCESS)
    handle.flush()
    _lock_handle = handle
    return True


def may_run_scheduler() -> bool:
    """Whether this process may start the sweeps (always on PostgreSQL: advisory locks
    keep each sweep to one process at a time)."""
    if not db.is_sqlite():
        return True
    from procurement.settings import get_settings

    return hold_sqlite_lock(get_settings().var_dir)


def build_scheduler(interval_seconds: int) -> AsyncIOScheduler:
    """An AsyncIOScheduler with every registered sweep. At start it first catches up
    (:func:`catch_up`, every due item in the order of its due time), then runs every
    sweep once and on its interval from then on."""
    # Imported here: a server with the scheduler off never loads APScheduler (issue 11, cold start).
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = registry.jobs()
    for job in jobs:
        scheduler.add_job(
            _run_logged,
            "interval",
            args=[job],
            seconds=job.interval_seconds or interval_seconds,
            id=job.name,
            next_run_time=None,  # paused until the catch-up is done
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def start_after_catch_up() -> None:
        try:
            done = await catch_up()
            if done:
                log.info("scheduler: caught up, %s due item(s) applied in order", done)
        except Exception:  # the sweeps still start; each catches up on its own
            log.exception("scheduler: catch-up failed")
        start = datetime.now(UTC)
        for i, job in enumerate(jobs):
            # one after another, a moment apart: the first runs after the catch-up
            scheduler.modify_job(job.name, next_run_time=start + timedelta(milliseconds=10 * i))

    scheduler.add_job(start_after_catch_up, id=CATCH_UP, next_run_time=datetime.now(UTC), misfire_grace_time=None)
    return scheduler
