"""Issue 15 §2: stop the scheduler, move the clock forward several weeks in one jump,
start it again: every due transition happens once, in the order of its due time, and
its audit row shows the time it was applied and the due time it stood for. Each run of a
sweep is recorded (``scheduler_run``), the oldest pruned. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from procurement.core import audit, clock, scheduler
from procurement.core.scheduler import Due, DueSweep, registry, run_sweep
from procurement.core.tables import AuditEvent, SchedulerRun
from procurement.tenders import services as tenders
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import published_tender
from tests.integration.contract_helpers import ready_contract, sign

JUMP = timedelta(weeks=20)  # past the tenders, the contract's notice, filing, installment and first reports


def _due(row: dict) -> datetime | None:
    after = json.loads(row["after"]) if row["after"] else {}
    if not isinstance(after, dict) or audit.DUE_AT not in after:
        return None
    return datetime.strptime(after[audit.DUE_AT], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def _rows_after(last_id: int) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id)


async def _last_audit_id() -> int:
    row = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    return row["id"] if row else 0


async def test_after_a_jump_of_weeks_every_due_step_happens_once_in_the_order_it_was_due(client):
    start = clock.now()
    with clock.frozen(start):
        # Across the lifecycle: two tenders whose deadlines cross (the later-published one
        # closes first), and a contract signed by both (its notice, filing, reports and
        # payments wait on time), on top of everything the demo leaves waiting.
        late = await published_tender(client, title="补做测试：后截止", deadline_days=30)
        early = await published_tender(client, title="补做测试：先截止", deadline_days=22)
        contract, officer, provider, _tender = await ready_contract(client)
        for headers in (officer, provider):
            signed = await sign(client, headers, contract)
            assert signed.status_code == 200, signed.text
    before = await _last_audit_id()

    # The scheduler was stopped; the clock jumps eight weeks; it starts again.
    jumped = start + JUMP
    with clock.frozen(jumped):
        acted = await scheduler.catch_up()
        written = await _rows_after(before)
        again = await scheduler.catch_up()
        for job in registry.jobs():  # and then every sweep runs on its own: nothing left to do twice
            if isinstance(job.func, DueSweep):
                await run_sweep(job)

    assert acted > 0 and again == 0
    stood_for = [(_due(r), r) for r in written]
    applied = [(due, r) for due, r in stood_for if due is not None]
    assert applied, [r["action"] for r in written]
    # The real time it was applied, and the due time it stood for, on every row.
    assert all(r["at"] == jumped for _due_at, r in applied)
    assert all(due_at <= jumped for due_at, _r in applied)
    # In the order of the due times.
    dues = [due_at for due_at, _r in applied]
    assert dues == sorted(dues)
    # Each step once.
    steps = [(r["action"], r["entity_type"], r["entity_id"]) for _due_at, r in applied]
    assert len(steps) == len(set(steps)), steps
    # Nothing more was written by the second catch-up or the sweeps after it.
    assert len(await _rows_after(before)) == len(written)

    def moment_of(action: str) -> datetime:
        [due_at] = [d for d, r in applied if r["action"] == action and r["entity_type"] == "contract"]
        return due_at

    # The two tenders: closed, then opened, the earlier deadline first.
    def moment(action: str, tender: dict) -> datetime:
        [due_at] = [d for d, r in applied if r["action"] == action and r["entity_id"] == str(tender["id"])]
        return due_at

    assert moment("tender.close", early) < moment("tender.close", late)
    assert moment("tender.close", early) <= moment("tender.open", early)
    assert moment("tender.close", late) <= moment("tender.open", late)
    assert moment("tender.close", early) == datetime.fromisoformat(early["bid_deadline"]).astimezone(UTC)
    # The contract's time-driven steps, each once, after its signing.
    contract_steps = [
        r["action"] for _d, r in applied if r["entity_type"] == "contract" and r["entity_id"] == str(contract["id"])
    ]
    assert contract_steps == ["contract.notice_published", "contract.filing_overdue"], contract_steps
    # The notice on its last day, the filing flagged after the end of its own last day.
    assert moment_of("contract.filing_overdue") > moment_of("contract.notice_published")
    # Its installment fell late and its monthly reports overdue, each at its own time, among the rest.
    actions = [r["action"] for _d, r in applied]
    assert "installment_payment.late" in actions
    assert actions.count("progress_report.overdue") >= 2

    # The audit chain still verifies with the due times in it.
    assert (await audit.verify_chain()).ok


async def test_a_step_taken_by_hand_is_not_marked_with_a_due_time(client):
    before = await _last_audit_id()
    await published_tender(client, title="手动操作")
    assert all(_due(r) is None for r in await _rows_after(before))


async def test_each_run_of_a_sweep_is_recorded_with_its_counts_and_first_error(client, caplog, monkeypatch):
    made = [await published_tender(client, title=f"运行记录{n}") for n in range(3)]
    broken = made[1]["id"]

    async def step(tender_id: int) -> Due:
        if tender_id == broken:
            raise RuntimeError("这一项失败")
        acted = await tenders.close_if_due(tender_id)
        return Due(acted, tenders.next_check(await tenders.load(tender_id)))

    monkeypatch.setattr(scheduler, "RUNS_KEPT", 3)
    job = scheduler.SweepJob("test.run_log", DueSweep("test.run_log", Tender, step))
    with clock.frozen(clock.now() + timedelta(days=26)), caplog.at_level(logging.ERROR, "procurement.scheduler"):
        await run_sweep(job)
        [run] = await SchedulerRun.select().where(SchedulerRun.sweep == "test.run_log")
        assert run["handled"] >= 3 and run["acted"] >= 2 and run["failed"] == 1
        assert f"#{broken}" in run["error"] and "这一项失败" in run["error"]
        assert run["started_at"] <= run["finished_at"] and run["process"]
        for _n in range(4):
            await run_sweep(job)
    runs = await SchedulerRun.select().where(SchedulerRun.sweep == "test.run_log").order_by(SchedulerRun.id)
    assert len(runs) == 3  # pruned to the kept number, the latest kept
    assert runs[-1]["failed"] == 1  # the broken item is tried again on every run


async def test_a_catch_up_ends_even_when_a_handler_keeps_finding_its_row_due(client, caplog):
    made = [await published_tender(client, title=f"补做不停{n}") for n in range(2)]
    ids = {t["id"] for t in made}
    calls: dict[int, int] = {}

    async def restless(tender_id: int) -> Due:
        calls[tender_id] = calls.get(tender_id, 0) + 1
        # a faulty handler: acts on nothing and asks to be looked at again a moment ago
        return Due(False, clock.now() - timedelta(seconds=calls[tender_id]))

    async def failing(tender_id: int) -> Due:
        raise RuntimeError("补做中失败")

    with clock.frozen(clock.now() + timedelta(days=26)), caplog.at_level(logging.ERROR, "procurement.scheduler"):
        sweeps = [DueSweep("test.restless", Tender, restless), DueSweep("test.failing", Tender, failing)]
        await scheduler.catch_up(sweeps)
    assert ids <= set(calls) and max(calls.values()) <= scheduler.MAX_STEPS
    assert "补做中失败" in caplog.text
    [run] = await SchedulerRun.select().where(SchedulerRun.sweep == scheduler.CATCH_UP)
    assert run["failed"] >= 2 and "补做中失败" in run["error"]
