"""The seams the contracts half stands on, tried against a real database (SQLite
and PostgreSQL): the one transition function, relations that come from the data,
time-driven steps taken by the system, and sweeps that handle each due item in
its own transaction (invariants 3, 4, 10)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from procurement.core import audit, clock, db, events
from procurement.core.actors import SYSTEM, Actor, Relation
from procurement.core.errors import ConfigurationError, Conflict, InvalidTransition, PermissionDenied
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.tables import AuditEvent
from procurement.core.transitions import apply_transition
from procurement.tenders import services as tenders
from procurement.tenders.states import TENDER_TABLE
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import published_tender

OFFICER_OF_THE_BUYER = Actor(
    1, "经办人甲（officer）", role="bureau_officer", relations=frozenset({Relation.BUYER_OFFICER})
)
SOME_OFFICER = Actor(2, "经办人乙（qingbo）", role="bureau_officer")


async def _audit_rows(tender_id: int, action: str) -> list[dict]:
    return await AuditEvent.select().where((AuditEvent.entity_id == str(tender_id)) & (AuditEvent.action == action))


# --------------------------------------------------------------------------- the one function


async def test_a_transition_from_a_status_the_row_no_longer_has_is_refused_and_changes_nothing(client):
    tender = await published_tender(client)
    before = await AuditEvent.count()
    with pytest.raises(Conflict) as refused:
        # The caller read "draft" a moment ago; the row is published by now.
        await apply_transition(TENDER_TABLE, Tender, tender["id"], "draft", "publish", OFFICER_OF_THE_BUYER)
    assert refused.value.status_code == 409 and "已被他人处理" in refused.value.message
    assert await AuditEvent.count() == before
    assert (await Tender.select(Tender.status).where(Tender.id == tender["id"]).first())["status"] == "published"


async def test_an_officer_without_the_relation_to_the_tender_may_not_take_the_buyers_step(client):
    tender = await published_tender(client)
    with pytest.raises(PermissionDenied) as denied:
        await apply_transition(TENDER_TABLE, Tender, tender["id"], "published", "cancel", SOME_OFFICER)
    assert "民政局经办人（本项目采购人）" in denied.value.message
    with pytest.raises(PermissionDenied):  # the system's own step is not a person's
        await apply_transition(TENDER_TABLE, Tender, tender["id"], "published", "close", OFFICER_OF_THE_BUYER)
    with pytest.raises(InvalidTransition):
        await apply_transition(TENDER_TABLE, Tender, tender["id"], "published", "award", OFFICER_OF_THE_BUYER)
    assert (await Tender.select(Tender.status).where(Tender.id == tender["id"]).first())["status"] == "published"


async def test_a_transition_and_its_audit_row_roll_back_together(client):
    tender = await published_tender(client)
    before = await AuditEvent.count()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await apply_transition(
                TENDER_TABLE,
                Tender,
                tender["id"],
                "published",
                "cancel",
                OFFICER_OF_THE_BUYER,
                after={"reason": "测试"},
            )
            raise RuntimeError("what came after the step failed")
    assert await AuditEvent.count() == before
    assert (await Tender.select(Tender.status).where(Tender.id == tender["id"]).first())["status"] == "published"


async def test_of_many_simultaneous_transitions_of_one_row_exactly_one_happens(client):
    tender = await published_tender(client)

    async def cancel(n: int) -> str:
        try:
            async with db.transaction():
                await apply_transition(
                    TENDER_TABLE, Tender, tender["id"], "published", "cancel", OFFICER_OF_THE_BUYER, after={"n": n}
                )
            return "done"
        except Conflict:
            return "refused"

    results = await asyncio.gather(*[cancel(n) for n in range(12)])
    assert sorted(results) == ["done"] + ["refused"] * 11
    assert len(await _audit_rows(tender["id"], "tender.cancel")) == 1


async def test_time_driven_steps_are_taken_by_the_system_not_by_an_officer(client):
    tender = await published_tender(client)
    with clock.frozen(clock.now() + timedelta(days=26)):
        assert await tenders.close_due_tenders() >= 1
    [row] = await _audit_rows(tender["id"], "tender.close")
    assert row["actor_id"] is None and row["actor_label"] == SYSTEM.label


async def test_audit_rows_hashed_by_the_database_verify_whatever_they_hold(client):
    # On PostgreSQL the row's hash is computed by the INSERT itself (audit._PG_APPEND), on
    # SQLite in Python: either way the chain verifies, odd characters and a person's actor included.
    odd = 'a "quoted" \\ back\\slash, tab\tnew\nline \x01 王建国 🎉 \u2028'
    person = Actor(7, odd, role="bureau_officer", ip="10.0.0.8")
    async with db.transaction():
        first = await audit.record("test.odd", "tender", odd, actor=person, before={"x": odd}, after=odd)
    second = await audit.record("test.odd", "tender", 2, before=None, after=None)
    assert second == first + 1
    rows = await AuditEvent.select().where(AuditEvent.id.is_in([first, second])).order_by(AuditEvent.id)
    assert [r["actor_id"] for r in rows] == [7, None]
    assert rows[0]["actor_label"] == odd and rows[1]["prev_hash"] == rows[0]["hash"]
    for row in rows:
        assert row["hash"] == audit.row_hash(row["prev_hash"], row)
    assert (await audit.verify_chain()).ok


# --------------------------------------------------------------------------- sweeps, item by item


async def test_a_sweep_with_one_failing_item_still_applies_the_others(client, caplog):
    made = [await published_tender(client, title=f"逐项扫描测试{n}") for n in range(3)]
    ids = [t["id"] for t in made]
    broken = ids[1]

    async def step(tender_id: int) -> Due:
        if tender_id == broken:
            raise RuntimeError("this tender's handler fails")
        acted = await tenders.close_if_due(tender_id)
        return Due(acted, tenders.next_check(await tenders.load(tender_id)))

    sweep = DueSweep("test.close_one_by_one", Tender, step)
    with clock.frozen(clock.now() + timedelta(days=26)), caplog.at_level(logging.ERROR, "procurement.scheduler"):
        closed = await run_due(sweep)
    assert closed >= 2
    statuses = {r["id"]: r["status"] for r in await Tender.select(Tender.id, Tender.status).where(Tender.id.is_in(ids))}
    assert statuses == {ids[0]: "closed", broken: "published", ids[2]: "closed"}
    assert f"item {broken} failed" in caplog.text
    # The failing item keeps its next_check_at, so the next tick tries it again.
    due = (await Tender.select(Tender.next_check_at).where(Tender.id == broken).first())["next_check_at"]
    assert due is not None


async def test_two_sweeps_running_at_once_handle_each_due_item_once(client):
    made = [await published_tender(client, title=f"并发扫描测试{n}") for n in range(4)]
    with clock.frozen(clock.now() + timedelta(days=26)):
        results = await asyncio.gather(tenders.close_due_tenders(), tenders.close_due_tenders())
    assert sum(results) >= len(made)
    for tender in made:
        assert len(await _audit_rows(tender["id"], "tender.close")) == 1


async def test_sweeps_racing_with_several_workers_each_close_every_tender_once_and_keep_one_chain(client):
    # Three runs of the closing sweep at once (on PostgreSQL each with 4 items at a time on
    # the pool): every tender closed once, with one audit row standing for its due time and
    # its opening stored as the next check, and the audit chain unforked (rule 4 lock order).
    made = [await published_tender(client, title=f"多路扫描测试{n}") for n in range(10)]
    ids = [t["id"] for t in made]
    later = clock.now() + timedelta(days=26)
    with clock.frozen(later):
        results = await asyncio.gather(*[tenders.close_due_tenders() for _ in range(3)])
    assert sum(results) >= len(made)
    rows = await Tender.select(Tender.id, Tender.status, Tender.next_check_at, Tender.opening_at).where(
        Tender.id.is_in(ids)
    )
    assert {r["status"] for r in rows} == {"closed"}
    assert all(r["next_check_at"] == r["opening_at"] for r in rows)
    for tender in made:
        [row] = await _audit_rows(tender["id"], "tender.close")
        assert '"due_at"' in row["after"] and row["actor_id"] is None
    assert (await audit.verify_chain()).ok


async def test_an_item_failing_midway_through_its_transition_is_left_due_and_closed_next_run(client):
    # The transition's statements (the conditional UPDATE and the audit row, on PostgreSQL one
    # statement after a claim that took the chain's lock) have run when the process "dies"
    # before the commit: the item's transaction rolls back whole, so it is still due.
    tender = await published_tender(client, title="中途失败扫描测试")
    due_before = (await Tender.select(Tender.next_check_at).where(Tender.id == tender["id"]).first())["next_check_at"]
    close = tenders.CLOSE_DUE

    async def dies_before_commit(row: dict) -> Due:
        assert close.taken is not None
        await close.taken(row)
        raise RuntimeError("the process dies here")

    dying = DueSweep(
        "test.close_dying", Tender, close.handle, taken=dies_before_commit, reads=close.reads, audited=close.audited
    )
    with clock.frozen(clock.now() + timedelta(days=26)):
        await run_due(dying)
        row = await Tender.select(Tender.status, Tender.next_check_at).where(Tender.id == tender["id"]).first()
        assert row == {"status": "published", "next_check_at": due_before}
        assert await _audit_rows(tender["id"], "tender.close") == []
        assert await tenders.close_due_tenders() >= 1
    assert (await Tender.select(Tender.status).where(Tender.id == tender["id"]).first())["status"] == "closed"
    assert len(await _audit_rows(tender["id"], "tender.close")) == 1
    assert (await audit.verify_chain()).ok


async def test_a_due_tender_no_longer_published_is_left_alone_by_the_closing_sweep(client):
    # Reads never trust the scheduler, nor the sweep its list: a row whose status moved on
    # while still marked due is not transitioned, only its next check is put right.
    tender = await published_tender(client, title="已变状态扫描测试")
    await Tender.update({Tender.status: "cancelled"}).where(Tender.id == tender["id"])
    with clock.frozen(clock.now() + timedelta(days=26)):
        await tenders.close_due_tenders()
    row = await Tender.select(Tender.status, Tender.next_check_at).where(Tender.id == tender["id"]).first()
    assert row == {"status": "cancelled", "next_check_at": None}
    assert await _audit_rows(tender["id"], "tender.close") == []


@pytest.mark.parametrize("audited", [False, True])
async def test_a_stale_read_of_the_claimed_row_changes_nothing(client, caplog, audited):
    # Should the row a handler decides on differ from the database's (here: read as
    # published, cancelled meanwhile), the conditional UPDATE refuses: the item fails alone,
    # nothing is written, and the row keeps its due time.
    tender = await published_tender(client, title="过期读取扫描测试")
    await Tender.update({Tender.status: "cancelled"}).where(Tender.id == tender["id"])
    due_before = (await Tender.select(Tender.next_check_at).where(Tender.id == tender["id"]).first())["next_check_at"]

    async def stale(row: dict) -> Due:
        return await tenders.CLOSE_DUE.taken({**row, "status": "published"})

    # audited: on PostgreSQL the claim takes the chain's lock and the UPDATE writes the audit row
    sweep = DueSweep(
        "test.close_stale",
        Tender,
        tenders.CLOSE_DUE.handle,
        taken=stale,
        reads=tenders.CLOSE_DUE.reads,
        audited=audited,
    )
    with clock.frozen(clock.now() + timedelta(days=26)), caplog.at_level(logging.ERROR, "procurement.scheduler"):
        await run_due(sweep)
    assert f"item {tender['id']} failed" in caplog.text
    row = await Tender.select(Tender.status, Tender.next_check_at).where(Tender.id == tender["id"]).first()
    assert row == {"status": "cancelled", "next_check_at": due_before}
    assert await _audit_rows(tender["id"], "tender.close") == []


async def test_the_chain_lock_a_claim_took_counts_only_for_its_own_transaction(client):
    # A writer skips taking the audit chain's lock only inside the very transaction that took it.
    with audit.chain_locked_here():
        assert not audit.chain_held()  # no transaction: nothing holds it
    async with db.transaction():
        assert not audit.chain_held()
        with audit.chain_locked_here():
            assert audit.chain_held()
            async with db.transaction():  # joins the outer one
                assert audit.chain_held()
        assert not audit.chain_held()
    async with db.transaction():
        with audit.chain_locked_here():
            pass
    with audit.chain_locked_here():
        async with db.transaction():
            assert not audit.chain_held()  # begun after the mark: another transaction


# --------------------------------------------------------------------------- events


async def test_an_event_emitted_before_the_packages_registered_is_a_loud_error(client, monkeypatch):
    monkeypatch.setattr(events, "_registered", False)
    with pytest.raises(ConfigurationError):
        await events.emit("tender.failed", tender_id=1, at=clock.now())
