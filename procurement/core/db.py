"""Database engines and the one way services open a transaction.

SQLite (the default) gets a small pool of long-lived connections with WAL, a
busy timeout and foreign keys on; Piccolo's own engine opens a new connection
for every query and leaves the journal in rollback mode. Write transactions on
SQLite are IMMEDIATE, so two writers queue on the busy timeout instead of
failing with "database is locked" when a read lock cannot be upgraded.

PostgreSQL gets Piccolo's asyncpg pool, opened and closed in the app lifespan,
and one connection of its own per event loop for the portal version's read.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any, cast

import aiosqlite
import asyncpg
from piccolo.columns.combination import Combinable
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import AsyncBatch, SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

log = logging.getLogger("procurement.db")

BUSY_TIMEOUT_MS = 15_000

# A function of every pooled SQLite connection: the SHA-256 (hex) of a text's UTF-8 bytes.
SHA256_HEX = "procurement_sha256_hex"


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _begin_then_fetchall(connection: aiosqlite.Connection, begin: str, query: str, args: Any) -> list[Any]:
    """On the connection's thread: the transaction's BEGIN, then its first statement."""
    raw = connection._conn
    raw.execute(begin)
    return raw.execute(query, args).fetchall()


class _PooledTransaction(SQLiteTransaction):
    """A Piccolo SQLite transaction that borrows a pooled connection and gives it back."""

    engine: PooledSQLiteEngine
    _writer: asyncio.Lock | None = None
    # The BEGIN not sent yet: it goes with the transaction's first statement, in the same hop
    # to the connection's thread (issue 11: every hop waits for a busy event loop to come back,
    # and an IMMEDIATE transaction holds this process's writer lock all the while).
    _pending_begin: str | None = None

    async def get_connection(self):
        return await self.engine.acquire()

    async def begin(self) -> None:
        self._pending_begin = f"BEGIN {self.transaction_type.value}"

    def take_pending_begin(self) -> str | None:
        pending, self._pending_begin = self._pending_begin, None
        return pending

    async def commit(self) -> None:
        if self.take_pending_begin() is None:  # else no statement ran: nothing to commit
            await self._end("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        if self.take_pending_begin() is None:
            await self._end("ROLLBACK")
        self._rolled_back = True

    async def _end(self, statement: str) -> None:
        """COMMIT or ROLLBACK, queued on the connection's thread after any statement still
        running there (a cancelled caller's), so it ends exactly what was begun. Refused with
        "no transaction is active" only when the BEGIN itself failed (say, a lock held by
        another process for longer than the busy timeout): nothing to end then."""
        try:
            await self.connection.execute(statement)
        except sqlite3.OperationalError:
            if self.connection.in_transaction:
                raise

    async def savepoint(self, name: str | None = None):
        pending = self.take_pending_begin()  # a savepoint needs its transaction begun
        if pending is not None:
            await self.connection.execute(pending)
        return await super().savepoint(name)

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None or self.transaction_type is not TransactionType.immediate:
            return await super().__aenter__()
        # One IMMEDIATE transaction of this process at a time, the others queued here
        # in turn: SQLite's own busy handler would have them sleep and retry (1, 2, 5 …
        # 100 ms), holding a pooled connection meanwhile, long after the lock is free.
        # Waiting is bounded like the busy handler's: a writer never waits for ever
        # (say, for a transaction that waits for it), it fails as SQLite would.
        writer = self.engine.writer_lock()
        try:
            await asyncio.wait_for(writer.acquire(), BUSY_TIMEOUT_MS / 1000)
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked (waited for this process's other writer)") from None
        try:
            result = await super().__aenter__()
        except BaseException:
            writer.release()
            raise
        self._writer = writer
        return result

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            try:
                await self.engine.release(self.connection)
                self.engine.current_transaction.reset(self.context)
            finally:
                if self._writer is not None:
                    self._writer.release()
                    self._writer = None
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite with reused connections (WAL, busy timeout, foreign keys)."""

    def __init__(self, path: str, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self.pool_size = pool_size
        self._idle: list[aiosqlite.Connection] = []
        self._open = 0
        self._cond: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: asyncio.Lock | None = None
        self._writer_loop: asyncio.AbstractEventLoop | None = None
        self._probes: dict[int, sqlite3.Connection] = {}  # read_small_now's, one per thread

    async def _new_connection(self) -> aiosqlite.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = 1")
        # SHA-256 for a statement (the audit chain's append: the row and its hash in one statement).
        await connection.create_function(SHA256_HEX, 1, _sha256_hex, deterministic=True)
        return connection

    def _condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._cond is None or self._loop is not loop:
            # A new event loop (a new CLI command, a test session): start afresh.
            self._cond, self._loop = asyncio.Condition(), loop
            self._idle, self._open = [], 0
        return self._cond

    def writer_lock(self) -> asyncio.Lock:
        """The lock this process's write (IMMEDIATE) transactions take in turn, one per event loop."""
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer_loop is not loop:
            self._writer, self._writer_loop = asyncio.Lock(), loop
        return self._writer

    async def acquire(self) -> aiosqlite.Connection:
        cond = self._condition()
        async with cond:
            while not self._idle and self._open >= self.pool_size:
                await cond.wait()
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return await self._new_connection()
        except BaseException:
            async with cond:
                self._open -= 1
                cond.notify()
            raise

    async def release(self, connection: aiosqlite.Connection) -> None:
        cond = self._condition()
        healthy = True
        try:
            if connection.in_transaction:
                await connection.rollback()
        except Exception:  # a broken connection is dropped, not reused
            healthy = False
        async with cond:
            if healthy:
                self._idle.append(connection)
            else:
                self._open -= 1
                await _close_quietly(connection)
            cond.notify()

    async def close_pool(self) -> None:
        probe = self._probes.pop(threading.get_ident(), None)
        if probe is not None:
            probe.close()
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for connection in idle:
            await _close_quietly(connection)

    async def get_connection(self):  # used by Piccolo's transaction()/batch()
        return await self.acquire()

    # Every aiosqlite call is a hop to the connection's thread and back: Piccolo's
    # execute, fetchall and cursor close (and its "PRAGMA foreign_keys" before
    # each query in a transaction) make three or four per query. One
    # execute_fetchall does it all in one; foreign keys are on for every pooled
    # connection from the start (_new_connection), and SQLite >= 3.35 returns
    # inserted keys with RETURNING.

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        connection = await self.acquire()
        try:
            return list(await connection.execute_fetchall(query, args or []))
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic", table=None):
        current = self.current_transaction.get()
        begin = current.take_pending_begin() if isinstance(current, _PooledTransaction) else None
        if begin is None:
            return list(await connection.execute_fetchall(query, args or []))
        # The transaction's first statement: its BEGIN goes along, in the same hop.
        return list(await connection._execute(_begin_then_fetchall, connection, begin, query, args or []))

    async def batch(self, query, batch_size: int = 100, node=None):
        # A batch holds its cursor open for a long time and closes the
        # connection at the end: give it a connection of its own.
        connection = await SQLiteEngine.get_connection(self)
        return AsyncBatch(connection=connection, query=query, batch_size=batch_size)

    def transaction(self, transaction_type=TransactionType.deferred, allow_nested=True):
        return _PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    def read_small_now(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]] | None:
        """A one-row read by a unique key answered on the calling (event-loop) thread, or
        None when it cannot be answered at once (then the caller reads as usual).

        For the portal's and the dashboards' versions and the session of a signed-in
        request, read on every request (issue 11): the hop to
        a pooled connection's thread and back costs several times the read itself.
        Never waits: the connection is read-only with a busy timeout of 0, so a lock
        makes it answer "busy" (None) instead of blocking the loop; in WAL mode readers
        are not locked out by writers anyway. A connection of its own per thread, so
        it sees what was last committed, like any other connection outside a transaction.
        """
        probe = self._probes.get(threading.get_ident())
        try:
            if probe is None:
                probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
                probe.row_factory = sqlite3.Row
                probe.execute("PRAGMA query_only = 1")
                self._probes[threading.get_ident()] = probe
            return [dict(row) for row in probe.execute(sql, args).fetchall()]
        except sqlite3.Error:
            log.debug("a read on the loop's thread was refused; reading through the pool", exc_info=True)
            return None


class OwnConnectionPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, plus ``read_small_own``: a one-row read on a connection
    kept for it alone (one per event loop), not taken from the pool.

    For the portal's version, read on every public request (issue 11): taking a pooled
    connection and giving it back cost about as much as the read (in-process, 0.13 ms
    through the pool against 0.06–0.08 ms on a connection of its own). The caller
    (``portal_cache.SharedFreshRead``) has at most one read of a version under way per loop;
    reads of different versions queue for the connection (``_own_lock``), each begun only
    after its caller asked. It runs no transaction and keeps no session state, and sees
    what was last committed, like a pooled connection outside a transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._own: tuple[asyncio.AbstractEventLoop, Any] | None = None
        self._own_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    async def read_small_own(self, sql: str, *args: Any) -> list[dict[str, Any]] | None:
        """The rows of ``sql`` (``$1`` placeholders), or None when the connection of its own
        cannot be had or fails (the caller then reads through the pool); a failed
        connection is dropped and opened again at the next read."""
        loop = asyncio.get_running_loop()
        if self._own_lock is None or self._own_lock[0] is not loop:
            self._own_lock = (loop, asyncio.Lock())
        async with self._own_lock[1]:
            return await self._read_own(loop, sql, args)

    async def _read_own(
        self, loop: asyncio.AbstractEventLoop, sql: str, args: tuple[Any, ...]
    ) -> list[dict[str, Any]] | None:
        own = self._own
        try:
            if own is None or own[0] is not loop or own[1].is_closed():
                connection = await asyncpg.connect(**self.config, statement_cache_size=16)
                if self._own is not None:  # closed, or left by an earlier event loop (a test, a CLI command)
                    await _terminate(self._own[1])
                own = self._own = (loop, connection)
            rows = await own[1].fetch(sql, *args)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.debug("the version read on a connection of its own failed; reading through the pool", exc_info=True)
            if own is not None and self._own is own:
                self._own = None
                await _terminate(own[1])
            return None
        return [dict(row) for row in rows]

    async def close_own(self) -> None:
        own, self._own = self._own, None
        if own is None:
            return
        if own[0] is not asyncio.get_running_loop():
            await _terminate(own[1])
            return
        try:
            await own[1].close(timeout=2)
        except Exception:
            log.debug("closing the version read's connection failed", exc_info=True)


async def _terminate(connection: Any) -> None:
    try:
        connection.terminate()
    except Exception:
        log.debug("dropping a PostgreSQL connection failed", exc_info=True)


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:
        log.debug("closing a SQLite connection failed", exc_info=True)


def make_engine(settings) -> Engine:
    if settings.is_postgres:
        dsn = settings.database_url.replace("postgres://", "postgresql://", 1)
        return OwnConnectionPostgresEngine(config={"dsn": dsn})
    return PooledSQLiteEngine(path=str(settings.sqlite_path))


_conf: Any = None


def get_engine() -> Engine:
    """``piccolo_conf.DB``, read on every call (a test may replace it). The module is kept after
    the first call: ``from … import DB`` on every call asked the module for ``__path__`` through
    its ``__getattr__`` each time (issue 11: a due sweep calls this several times per item)."""
    global _conf
    if _conf is None:
        import procurement.piccolo_conf as conf

        _conf = conf
    return cast(Engine, _conf.DB)


def is_sqlite() -> bool:
    return isinstance(get_engine(), SQLiteEngine)


def transaction():
    """Open the one write transaction of a use case (IMMEDIATE on SQLite).

    Nested calls join the outer transaction, so a service may call another.
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def fetch_raw(sql: str, *args: Any) -> list[Any]:
    """PostgreSQL: ``sql`` with ``$n`` parameters in the current transaction (or on a pooled
    connection), without Piccolo's query building. For a few fixed statements on a hot path
    (issue 11): asyncpg prepares each text once per connection and keeps it."""
    engine = get_engine()
    assert isinstance(engine, PostgresEngine)
    current = engine.current_transaction.get()
    if current is not None:
        return await current.connection.fetch(sql, *args)
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return await connection.fetch(sql, *args)
    connection = await engine.get_new_connection()
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def fetchval_raw(sql: str, *args: Any) -> Any:
    """:func:`fetch_raw`'s first column of its first row (None when no row)."""
    rows = await fetch_raw(sql, *args)
    return rows[0][0] if rows else None


def in_transaction() -> bool:
    return get_engine().current_transaction.get() is not None


def bind_tables(engine: Engine) -> None:
    """Give every table class loaded so far the engine Piccolo's ``engine_finder`` would
    find (``piccolo_conf.DB``): the same object, without importing ``piccolo.conf.apps``
    (Piccolo's migration machinery and black, ~0.25 s) on a table's first query.
    A table defined later still finds it through ``engine_finder``."""
    pending = list(Table.__subclasses__())
    while pending:
        table = pending.pop()
        pending.extend(table.__subclasses__())
        if table._meta._db is None:
            table._meta.db = engine


async def _released(connection: Any) -> None:
    """What a pooled PostgreSQL connection needs on its way back to the pool: nothing
    beyond asyncpg's own step before this (rolling back a transaction left open).

    asyncpg's default runs ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``,
    one more round trip per query outside a transaction and per transaction (issue 11).
    The system leaves no session state on a pooled connection: settings are per
    transaction (``set_config(…, true)``), advisory locks are transaction locks, and the
    sweeps' session lock and any LISTEN use connections of their own, outside the pool."""


async def start() -> None:
    engine = get_engine()
    bind_tables(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_released)


async def stop() -> None:
    engine = get_engine()
    if isinstance(engine, OwnConnectionPostgresEngine):
        await engine.close_own()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


async def ping() -> None:
    """Raise if the database cannot answer (used by /healthz)."""
    from piccolo.querystring import QueryString

    await get_engine().run_querystring(QueryString("SELECT 1"))


def is_unique_violation(exc: BaseException) -> bool:
    """True for a UNIQUE constraint failure on either database."""
    import sqlite3

    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        UniqueViolationError = ()
    if isinstance(exc, UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


async def lock(model: type[Table], where: Combinable, *, skip_locked: bool = False) -> bool:
    """Lock the rows of ``model`` matching ``where`` until the transaction ends;
    True if any row matched (and, with ``skip_locked``, was not held by another
    transaction, which is then passed over instead of waited for).

    The one row-lock helper. On PostgreSQL a ``SELECT … FOR UPDATE`` of the key
    only (a join cannot be locked). SQLite has no row locks: there the IMMEDIATE
    write transaction already holds the database's single write lock.
    """
    query = model.select(model._meta.primary_key).where(where)
    if not is_sqlite():
        query = query.lock_rows(skip_locked=skip_locked)
    return bool(await query)


async def random_id(model: type[Table]) -> int:
    """A fresh primary key that says nothing about how many rows came before.

    For rows whose ids people see (bids, their documents, bid bonds): a
    sequential id would let an organization creating two drafts learn that
    someone else started one in between (invariant 2). 31 random bits within
    the range of an INTEGER column; a taken one (vanishingly rare) is drawn again.
    """
    key = model._meta.primary_key
    while True:
        candidate = random_key()
        if not await model.exists().where(key == candidate):
            return candidate


def random_key() -> int:
    """A candidate for :func:`random_id`, for an insert that checks it itself
    (``ON CONFLICT (id) DO NOTHING RETURNING id``, drawing again when nothing returns)."""
    return secrets.randbelow(2**31 - 1 - RANDOM_ID_FLOOR) + RANDOM_ID_FLOOR


RANDOM_ID_FLOOR = 10_000_000  # above every sequential id a deployment reaches before switching
