"""Issue 15 §2 with real processes on one database: many due items, then two app
processes with the scheduler on and three ``procurement scheduler`` processes started at
once. PostgreSQL (``DATABASE_URL``): every process runs the sweeps, and no item is
applied twice nor any message written twice (advisory lock per sweep, ``FOR UPDATE SKIP
LOCKED`` per item). SQLite: the first app process runs the sweeps; each other process
says so in one log line and does nothing else."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from procurement.accounts.tables import Organization
from procurement.bids import bonds
from procurement.bids.tables import BidBond
from procurement.core import clock, db, timetravel
from procurement.core.tables import AuditEvent, InboxItem, SchedulerRun
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import published_tender

TENDERS = 8
LOCK_LINE = "runs the sweeps on this SQLite database"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PROCUREMENT_SCHEDULER_ENABLED": "true",
        "PROCUREMENT_SCHEDULER_INTERVAL_SECONDS": "2",
        "PROCUREMENT_TIME_TRAVEL": "true",
        "PROCUREMENT_LOG_LEVEL": "WARNING",
    }


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "procurement.cli", *args],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


async def _healthy(port: int, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
        for _ in range(160):
            if process.poll() is not None:
                raise AssertionError(f"procurement serve exited with {process.returncode}")
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError("procurement serve did not start")


async def _wait_for_exit(processes: list[subprocess.Popen], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while any(p.poll() is None for p in processes):
        if time.monotonic() > deadline:
            raise AssertionError("a scheduler process did not stop in time")
        await asyncio.sleep(0.25)


async def _settled(ids: list[int], seconds: float) -> None:
    """Until none of ``ids`` waits on a moment that has passed (the clock jumped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        due = await Tender.count().where(Tender.id.is_in(ids) & (Tender.next_check_at <= clock.now()))
        if due == 0:
            return
        await asyncio.sleep(0.5)
    raise AssertionError("the due tenders were not all handled in time")


async def _bonds_flagged(ids: list[int], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await BidBond.count().where(BidBond.id.is_in(ids) & BidBond.overdue_notified_at.is_null()) == 0:
            return
        await asyncio.sleep(0.5)
    raise AssertionError("the overdue bonds were not all flagged in time")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def test_several_processes_apply_each_due_step_once_and_write_each_message_once(client, tmp_path):
    made = [await published_tender(client, title=f"多进程测试{n}") for n in range(TENDERS)]
    ids = [t["id"] for t in made]
    # Messages due too: paid bid bonds of tenders still open, each past its refund day after
    # the jump (rule 29), each telling the buyer's officers and finance once.
    later = [await published_tender(client, title=f"多进程保证金{n}", deadline_days=60) for n in range(3)]
    orgs = [o["id"] for o in await Organization.select(Organization.id).where(Organization.kind == "social_org")]
    due_on = clock.today_local() + timedelta(days=3)
    for tender in later:
        for n, org in enumerate(orgs):  # amounts apart: each bond's message reads differently
            await bonds.record_bond(tender["id"], org, 500_000 + 100 * n)
    await BidBond.update(
        {
            BidBond.paid_at: clock.now(),
            BidBond.refund_due_on: due_on,
            BidBond.next_check_at: clock.after_local_day(due_on),
        }
    ).where(BidBond.tender.is_in([t["id"] for t in later]))
    bond_ids = [b["id"] for b in await BidBond.select(BidBond.id).where(BidBond.tender.is_in([t["id"] for t in later]))]
    assert len(bond_ids) >= 6
    before = (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first())["id"]
    inbox_before = await InboxItem.count()
    # The shared clock (time travel, kept in the database) jumps past every deadline.
    await timetravel.advance(timedelta(days=40))

    ports = [_free_port(), _free_port()]
    processes: list[subprocess.Popen] = []
    logs = [tmp_path / f"process-{n}.log" for n in range(5)]
    try:
        first = _start(["serve", "--port", str(ports[0])], logs[0])
        processes.append(first)
        await _healthy(ports[0], first)  # on SQLite this one holds the scheduler's lock
        second = _start(["serve", "--port", str(ports[1])], logs[1])
        schedulers = [_start(["scheduler", "--for", "5"], log) for log in logs[2:]]
        processes += [second, *schedulers]
        await _healthy(ports[1], second)
        await _wait_for_exit(schedulers, 60)
        assert [p.returncode for p in schedulers] == [0, 0, 0]
        await _settled(ids, 30)
        await _bonds_flagged(bond_ids, 30)
    finally:
        _stop(processes)

    # Each tender closed once and opened once, whoever did it.
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.entity_id).where(
        (AuditEvent.id > before) & (AuditEvent.entity_type == "tender")
    )
    for tender_id in ids:
        for action in ("tender.close", "tender.open"):
            count = sum(1 for r in rows if r["action"] == action and r["entity_id"] == str(tender_id))
            assert count == 1, (tender_id, action, count)
    steps = [(r["action"], r["entity_id"]) for r in rows]
    assert len(steps) == len(set(steps)), sorted(steps)
    flagged = await AuditEvent.select(AuditEvent.entity_id).where(
        (AuditEvent.id > before) & (AuditEvent.action == "bid_bond.refund_overdue")
    )
    assert sorted(int(r["entity_id"]) for r in flagged) == sorted(bond_ids)  # each bond once
    # No message twice: one inbox item per event, person and link.
    items = await InboxItem.select(
        InboxItem.recipient, InboxItem.event, InboxItem.link, InboxItem.title, InboxItem.body
    ).order_by(InboxItem.id)
    new = items[inbox_before:]
    assert len([i for i in new if i["event"] == "bid_bond.refund_overdue"]) >= len(bond_ids)
    keys = [(i["recipient"], i["event"], i["link"], i["title"], i["body"]) for i in new]
    assert len(keys) == len(set(keys))

    texts = [log.read_text(errors="replace") for log in logs]
    runners = {r["process"] for r in await SchedulerRun.select(SchedulerRun.process)}
    if db.is_sqlite():
        # The first app process ran every sweep; each other process said so once, and ran none.
        assert len(runners) == 1, runners
        assert texts[0].count(LOCK_LINE) == 0
        for text in texts[1:]:
            assert text.count(LOCK_LINE) == 1, text
    else:
        assert len(runners) >= 2, runners  # the sweeps really ran in several processes
        assert all(LOCK_LINE not in text for text in texts)


async def test_scheduler_once_catches_up_runs_each_sweep_once_and_exits(client, tmp_path):
    made = [await published_tender(client, title=f"单次运行{n}") for n in range(2)]
    ids = [t["id"] for t in made]
    await timetravel.advance(timedelta(days=40))
    log = tmp_path / "once.log"
    process = _start(["scheduler", "--once"], log)
    try:
        await _wait_for_exit([process], 60)
    finally:
        _stop([process])
    assert process.returncode == 0, log.read_text(errors="replace")
    statuses = {r["status"] for r in await Tender.select(Tender.status).where(Tender.id.is_in(ids))}
    assert statuses <= {"failed", "opened", "evaluating"}, statuses  # closed and opened (no bids: 废标)
    sweeps = {r["sweep"] for r in await SchedulerRun.select(SchedulerRun.sweep)}
    assert {"scheduler.catch_up", "tenders.close_due", "bids.open_due", "system.audit_anchor"} <= sweeps
