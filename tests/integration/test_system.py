"""System machinery on a real database: the audit chain under concurrency and
tampering, the training clock, the working-day calendar entries, the sweep
scheduler and the SQLite engine's settings."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from piccolo.querystring import QueryString

from procurement.core import audit, clock, db
from procurement.core.calendar import get_default_calendar
from procurement.core.scheduler import SweepJob, run_sweep
from procurement.core.tables import AuditEvent, UserSession
from procurement.settings import get_settings
from tests.integration.conftest import api_login


async def test_concurrent_writers_never_fork_the_audit_chain(client):
    async def write(i: int) -> None:
        async with db.transaction():
            await audit.record("test.concurrent", "test", i, after={"i": i})

    await asyncio.gather(*[write(i) for i in range(30)])
    report = await audit.verify_chain()
    assert report.ok, report
    prev_hashes = [r["prev_hash"] for r in await AuditEvent.select(AuditEvent.prev_hash)]
    assert len(prev_hashes) == len(set(prev_hashes)), "two rows claim the same predecessor: the chain forked"


async def test_a_rolled_back_change_leaves_no_audit_row(client):
    before = await AuditEvent.count()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await audit.record("test.rolled_back", "test", 1)
            raise RuntimeError("the change fails after its audit row was written")
    assert await AuditEvent.count() == before
    assert (await audit.verify_chain()).ok


async def test_tampering_with_a_row_is_found_by_the_verify_command(client):
    rows = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)
    victim = rows[len(rows) // 2]["id"]
    await db.get_engine().run_querystring(
        QueryString("UPDATE audit_event SET after = {} WHERE id = {}", '{"status":"forged"}', victim)
    )
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_id == victim

    env = {**os.environ}
    result = subprocess.run(
        [sys.executable, "-m", "procurement.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"id={victim}" in result.stdout


async def test_deleting_a_row_is_found_too(client):
    rows = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)
    await AuditEvent.delete().where(AuditEvent.id == rows[3]["id"])
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_id == rows[4]["id"]


async def test_the_audit_log_is_for_administrators_and_pages_backwards(client):
    officer = await api_login(client, "officer")
    assert (await client.get("/api/v1/audit-events/", headers=officer)).status_code == 403
    admin = await api_login(client, "admin")
    first = (await client.get("/api/v1/audit-events/?limit=5", headers=admin)).json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    second = (
        await client.get("/api/v1/audit-events/", params={"limit": 5, "cursor": first["next_cursor"]}, headers=admin)
    ).json()
    # Rows carry no id (it would show where sealed rows sit): the second page is older and different.
    assert max(i["at"] for i in second["items"]) <= min(i["at"] for i in first["items"])
    assert not {repr(i) for i in second["items"]} & {repr(i) for i in first["items"]}
    bad = await client.get("/api/v1/audit-events/", params={"cursor": "not-a-cursor"}, headers=admin)
    assert bad.status_code == 422 and "翻页" in bad.json()["errors"]["cursor"]
    verify = (await client.get("/api/v1/audit-events/verify", headers=admin)).json()
    assert verify["ok"] is True


async def test_advance_clock_is_404_unless_time_travel_is_on(client):
    admin = await api_login(client, "admin")
    response = await client.post("/api/v1/clock/advance", headers=admin, json={"days": 1})
    assert response.status_code == 404


async def test_an_administrator_moves_the_training_clock_forward(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "time_travel", True)
    admin = await api_login(client, "admin")
    officer = await api_login(client, "officer")
    assert (await client.post("/api/v1/clock/advance", headers=officer, json={"days": 1})).status_code == 403
    before = clock.now()
    moved = await client.post("/api/v1/clock/advance", headers=admin, json={"minutes": 90})
    assert moved.status_code == 200, moved.text
    assert moved.json()["offset_seconds"] == 90 * 60
    assert clock.now() - before >= timedelta(minutes=90)
    assert await AuditEvent.count().where(AuditEvent.action == "clock.advanced") == 1
    # Only forward: a zero or negative move is refused.
    assert (await client.post("/api/v1/clock/advance", headers=admin, json={"days": 0})).status_code == 422
    assert (await client.post("/api/v1/clock/advance", headers=admin, json={"days": -1})).status_code == 400
    # Sessions (12 hours) expire by the moved clock, the mover's own included.
    assert (await client.post("/api/v1/clock/advance", headers=admin, json={"days": 1})).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=officer)).status_code == 401
    assert (await client.get("/api/v1/auth/me", headers=admin)).status_code == 401


async def test_calendar_entries_fill_a_year_the_package_does_not_cover(client):
    admin = await api_login(client, "admin")
    # The demo records 2027 as "official schedule not published yet"; take that back first.
    assert (await client.delete("/api/v1/calendar/years/2027/weekends-only", headers=admin)).status_code == 200
    years = {y["year"]: y["source"] for y in (await client.get("/api/v1/calendar/years", headers=admin)).json()}
    assert years[2027] == "fallback"
    added = await client.post(
        "/api/v1/calendar/entries", headers=admin, json={"day": "2027-01-01", "is_working_day": False, "name": "元旦"}
    )
    assert added.status_code == 201, added.text
    assert get_default_calendar().is_working_day(date(2027, 1, 1)) is False
    years = {y["year"]: y["source"] for y in (await client.get("/api/v1/calendar/years", headers=admin)).json()}
    assert years[2027] == "entered"
    duplicate = await client.post(
        "/api/v1/calendar/entries", headers=admin, json={"day": "2027-01-01", "is_working_day": True}
    )
    assert duplicate.status_code == 422 and "已录入" in duplicate.json()["errors"]["day"]
    entry_id = added.json()["id"]
    assert (await client.delete(f"/api/v1/calendar/entries/{entry_id}", headers=admin)).status_code == 200
    assert get_default_calendar().is_working_day(date(2027, 1, 1)) is True  # a Friday, weekends-only again


async def test_only_administrators_enter_holidays(client):
    officer = await api_login(client, "officer")
    response = await client.post(
        "/api/v1/calendar/entries", headers=officer, json={"day": "2027-02-06", "is_working_day": False}
    )
    assert response.status_code == 403


async def test_the_session_sweep_is_idempotent(client):
    await api_login(client, "officer")
    await UserSession.update({UserSession.expires_at: clock.now() - timedelta(days=2)}, force=True)
    job = SweepJob("test.sessions", __import__("procurement.accounts.services", fromlist=["x"]).purge_expired_sessions)
    assert await run_sweep(job) == 1
    assert await run_sweep(job) == 0


async def test_a_sweep_held_by_another_process_is_skipped(client):
    """PostgreSQL: an advisory lock per sweep. SQLite has one scheduler process
    (design.md), so there the sweep simply runs."""
    import asyncpg

    from procurement.core.scheduler import _lock_key

    calls = []

    async def sweep() -> int:
        calls.append(1)
        return 1

    job = SweepJob("test.locked", sweep)
    if db.is_sqlite():
        assert await run_sweep(job) == 1 and calls == [1]
        return
    other = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        await other.execute("BEGIN")
        await other.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(job.name))
        assert await run_sweep(job) is None and calls == []
        await other.execute("COMMIT")
        assert await run_sweep(job) == 1 and calls == [1]
    finally:
        await other.close()


async def test_the_engine_reuses_connections_wal_on_sqlite_a_pool_on_postgresql(client):
    engine = db.get_engine()
    if not db.is_sqlite():
        assert engine.pool is not None  # opened in the lifespan / by db.start()
        before = engine.pool.get_size()
        for _ in range(50):
            await engine.run_querystring(QueryString("SELECT 1"))
        assert engine.pool.get_size() == before <= engine.pool.get_max_size()
        return
    mode = await engine.run_querystring(QueryString("PRAGMA journal_mode"))
    assert mode[0]["journal_mode"] == "wal"
    timeout = await engine.run_querystring(QueryString("PRAGMA busy_timeout"))
    assert list(timeout[0].values())[0] == db.BUSY_TIMEOUT_MS
    opened_before = engine._open
    for _ in range(50):
        await engine.run_querystring(QueryString("SELECT 1"))
    assert engine._open == opened_before <= engine.pool_size


async def test_the_administrators_dashboard_shows_the_last_check_of_the_chain_and_a_break_found_anywhere(client):
    """The dashboard shows a full check of the chain at most ``RECENT_CHECK`` old (issue 11:
    a walk of the whole log on every render grows with the log); a break found by the audit
    page shows on the dashboard at once, and an older check is made again."""
    from procurement.system import audit_log
    from tests.integration.conftest import page_login

    async def set_after(row_id: int, value: str) -> None:
        await db.get_engine().run_querystring(
            QueryString("UPDATE audit_event SET after = {} WHERE id = {}", value, row_id)
        )

    start = clock.now()
    clock.freeze(start)
    try:
        await page_login(client, "admin")
        page = await client.get("/dashboard")
        assert "审计日志完整" in page.text and "校验于" in page.text
        rows = await AuditEvent.select(AuditEvent.id, AuditEvent.after).order_by(AuditEvent.id)
        victim = rows[len(rows) // 2]
        await set_after(victim["id"], '{"status":"forged"}')
        assert "审计日志完整" in (await client.get("/dashboard")).text, "the check of a moment ago is shown"
        assert (await client.get("/admin/audit")).status_code == 200  # the audit page checks the whole chain
        assert "审计日志被破坏" in (await client.get("/dashboard")).text, "its finding shows at once"
        await set_after(victim["id"], victim["after"])
        assert "审计日志被破坏" in (await client.get("/dashboard")).text
        clock.freeze(start + audit_log.RECENT_CHECK + timedelta(seconds=1))
        assert "审计日志完整" in (await client.get("/dashboard")).text, "an older check is made again"
    finally:
        clock.freeze(None)


async def test_sqlite_writers_wait_their_turn_without_holding_pooled_connections(client):
    """Issue 11: write transactions of one process queue on the engine's writer lock, not in
    SQLite's busy handler holding a pooled connection each: while one writer holds the
    database, more writers than the pool has connections wait, a read still gets a
    connection, and every writer then commits in turn."""
    if not db.is_sqlite():
        return
    engine = db.get_engine()
    first_inside, release = asyncio.Event(), asyncio.Event()
    order: list[int] = []

    async def writer(n: int) -> None:
        async with db.transaction():
            await engine.run_querystring(QueryString("SELECT 1"))
            order.append(n)
            if n == 0:
                first_inside.set()
                await release.wait()

    first = asyncio.create_task(writer(0))
    await first_inside.wait()
    waiting = [asyncio.create_task(writer(n)) for n in range(1, engine.pool_size + 3)]
    await asyncio.sleep(0.05)
    # A hang guard far below the busy timeout: without the writer lock the waiting writers
    # hold every pooled connection until the first one commits, and this read waits with them.
    rows = await asyncio.wait_for(engine.run_querystring(QueryString("SELECT 2 AS two")), timeout=10)
    assert rows == [{"two": 2}]
    assert order == [0] and not any(task.done() for task in waiting)
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == list(range(engine.pool_size + 3))  # first come, first served


async def test_a_sqlite_writer_waiting_for_another_of_its_process_fails_after_the_busy_timeout(client, monkeypatch):
    """The writer lock's wait is bounded like SQLite's busy handler: a write transaction
    opened in a context that does not join the open one (which here waits for it) fails
    with "database is locked" instead of hanging for ever."""
    if not db.is_sqlite():
        return
    import contextvars
    import sqlite3

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)

    async def other_writer() -> None:
        async with db.transaction():
            await db.get_engine().run_querystring(QueryString("SELECT 1"))

    async with db.transaction():
        other = asyncio.get_running_loop().create_task(other_writer(), context=contextvars.Context())
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await other
    await other_writer()  # the lock is free again


async def test_a_sqlite_transaction_sends_its_begin_with_its_first_statement_and_still_locks_there(client):
    """Issue 11: the BEGIN IMMEDIATE of a write transaction goes to the connection's thread with
    its first statement, one hop instead of two. The write lock is still taken by then: another
    connection cannot write until the commit. A transaction with no statement commits nothing,
    and one whose first statement fails rolls back and returns its connection clean."""
    if not db.is_sqlite():
        return
    import sqlite3

    engine = db.get_engine()
    other = sqlite3.connect(get_settings().sqlite_path, timeout=0, isolation_level=None)
    try:
        async with db.transaction() as transaction:
            assert not transaction.connection.in_transaction  # nothing sent yet
            await engine.run_querystring(QueryString("SELECT 1"))
            assert transaction.connection.in_transaction
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # committed: the lock is free again
        other.execute("ROLLBACK")

        async with db.transaction() as transaction:
            pass  # no statement: nothing to commit, and no error for it
        assert not transaction.connection.in_transaction

        with pytest.raises(sqlite3.OperationalError):
            async with db.transaction() as transaction:
                await engine.run_querystring(QueryString("SELECT * FROM no_such_table"))
        assert not transaction.connection.in_transaction
        before = await AuditEvent.count()
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await audit.record("test.rolled_back", "test", 1)
                raise RuntimeError("after the first statement")
        assert await AuditEvent.count() == before
        other.execute("BEGIN IMMEDIATE")  # neither left the write lock held
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert (await audit.verify_chain()).ok  # the hash the append's statement computed matches Python's


async def test_a_sqlite_transaction_cancelled_during_its_first_statement_leaves_no_lock_and_no_open_transaction(
    client,
):
    """The BEGIN travels with the first statement (issue 11): a caller cancelled while that
    statement still runs on the connection's thread must still end the transaction after it
    (the ROLLBACK queued behind it), so no pooled connection stays in a transaction holding
    the write lock."""
    if not db.is_sqlite():
        return
    import sqlite3

    engine = db.get_engine()
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n"

    async def writer() -> None:
        async with db.transaction():
            await engine.run_querystring(QueryString(slow))

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await engine.run_querystring(QueryString("SELECT 1"))  # behind the slow statement on some connection
    other = sqlite3.connect(get_settings().sqlite_path, timeout=5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the cancelled transaction does not hold the write lock
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert not any(connection.in_transaction for connection in engine._idle)
