"""What the public portal reads, kept in each process until something it shows changes.

The database holds the portal's version: a ``system_value`` row
(``portal_version``) that triggers set to a new random value in the same
transaction as any change to a notice, a tender or a tender's attached file
(migration ``2026-12-06T21:45``). A cached entry remembers the version it was
read under and is used only while the database still says that version. So a
publication through any process is seen by every other process at its next
request, with no message between processes. The version is read before the
data, and both come from committed transactions: an entry kept under a version
holds data at least as new as that version, never older.

Reading the version is one primary-key lookup per request that uses the cache;
without the row (a database wiped under a running process) nothing is cached.
Only data is cached here, never a rendered page (whole pages for the public are
kept by ``public_pages``, under this same version): who is signed in, the flash
message and the CSRF field stay per request, and so does anything computed
from the clock (a tender's public status is derived from its deadline when the
data is turned into a schema). A page may keep a rendered *fragment* that shows
none of those (the notice list's filters and rows, ``notices/pages.py``), keyed
by everything it shows that is not fixed by the version: the query, the
language, and the rows' ids with their clock-derived statuses.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from piccolo.querystring import QueryString

from procurement.core import db

T = TypeVar("T")

VERSION_KEY = "portal_version"
# The officer's and the organization's dashboards' version (``dashboard.kept``), read with
# the session (``accounts.services.resolve_session_and_version``) into the request's scope.
DASHBOARD_VERSION_KEY = "dashboard_version"
DASHBOARD_VERSION_SCOPE = "procurement.dashboard_version"
_VERSION_SQL = "SELECT value FROM system_value WHERE key = {}"
MAX_ENTRIES = 128  # a page of 20 notices holds ~60 KB: ~8 MB (of 100-row API pages, ~40 MB) at most


# Inside ``one_version()``: the version read by the first lookup, for the lookups after it.
_memo: ContextVar[dict[str, str | None] | None] = ContextVar("portal_version_memo", default=None)


@contextmanager
def one_version(read: tuple[str | None] | None = None) -> Iterator[None]:
    """Inside the block the portal's version is read from the database once (issue 11: a
    page that reads the cache several times, the notice list and its buyers, made one
    query per read). For a page handler that only reads: everything it shows then comes
    from one version. Outside a block every lookup reads the version afresh; a block
    inside another shares the outer one's version. ``read``: the portal's version as this
    request already read it (``(version,)``, ``public_pages.kept_page``), used instead of
    a second read."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({} if read is None else {VERSION_KEY: read[0]})
    try:
        yield
    finally:
        _memo.reset(token)


async def current_version(key: str = VERSION_KEY) -> str | None:
    """The portal's version (or another trigger-kept version named ``key``: the
    dashboards' ``dashboard_version``) as the database says now (None when the row is
    missing)."""
    memo = _memo.get()
    if memo is not None and key in memo:
        return memo[key]
    engine = db.get_engine()
    rows = None
    if db.in_transaction():  # sees the transaction's own writes
        rows = await engine.run_querystring(QueryString(_VERSION_SQL, key))
    elif isinstance(engine, db.PooledSQLiteEngine):
        rows = engine.read_small_now(_VERSION_SQL.format("?"), (key,))
    if rows is None:
        shared = _shared_reads.get(key)
        if shared is None:
            shared = _shared_reads[key] = SharedFreshRead()
        rows = await shared.get(functools.partial(_read_version, key))
    version = rows[0]["value"] if rows else None
    if memo is not None:
        memo[key] = version
    return version


async def _read_version(key: str) -> list[dict[str, Any]]:
    engine = db.get_engine()
    if isinstance(engine, db.OwnConnectionPostgresEngine):
        rows = await engine.read_small_own(_VERSION_SQL.format("$1"), key)
        if rows is not None:
            return rows
    return await engine.run_querystring(QueryString(_VERSION_SQL, key))


class SharedFreshRead:
    """One read for the callers that wait together, each read begun after every caller
    it answers had asked (issue 11: under load on PostgreSQL every public request read
    the version with a round trip of its own).

    A caller with no read under way reads at once. Callers that ask while a read is under
    way do not take its answer (it began before they asked, and may miss a commit made
    since); they wait together for the next read, begun as soon as that one ends, and
    share its answer. So an answer is never older than the moment its caller asked, and
    under N concurrent requests there is about one read per round trip, not N.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = False
        self._waiting: asyncio.Future[Any] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(self, read: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a test, a CLI command): start afresh
            self._loop, self._busy, self._waiting = loop, False, None
        if self._busy:
            if self._waiting is None:
                self._waiting = loop.create_future()
                # Waiters all cancelled: the error of their read is not reported as never retrieved.
                self._waiting.add_done_callback(lambda f: f.cancelled() or f.exception())
            return cast(T, await asyncio.shield(self._waiting))
        self._busy = True
        try:
            return await read()
        finally:
            self._next(read)

    def _next(self, read: Callable[[], Awaitable[Any]]) -> None:
        """The read under way has ended: begin the one the waiting callers share, if any."""
        waiting, self._waiting = self._waiting, None
        if waiting is None:
            self._busy = False
            return

        async def shared() -> None:
            try:
                value = await read()
            except BaseException as exc:  # the waiters get the error, as their own read would
                if not waiting.done():
                    waiting.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                if not waiting.done():
                    waiting.set_result(value)
            finally:
                self._next(read)

        task = asyncio.get_running_loop().create_task(shared())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


_shared_reads: dict[str, SharedFreshRead] = {}  # one per version key


class PortalCache:
    """A bounded map from a key to what a loader returned under a portal version."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        version = await current_version()
        if version is not None:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return hit[1]
        value = await load()
        if version is not None:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()


portal = PortalCache()
