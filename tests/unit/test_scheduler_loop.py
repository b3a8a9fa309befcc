"""The loop the scheduler process runs its sweeps on (issue 11: the due sweep's time per item)."""

from __future__ import annotations

import asyncio

import uvloop

from procurement.core.scheduler import run_on_server_loop


def test_the_scheduler_process_runs_on_the_servers_loop_and_returns_the_result():
    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    assert issubclass(run_on_server_loop(loop_type()), uvloop.Loop)
    # a new loop each time, closed after: runs one after another work
    assert run_on_server_loop(asyncio.sleep(0, result=7)) == 7


async def test_a_sweep_cancelled_as_the_process_stops_logs_no_failure(monkeypatch, caplog):
    """The app's shutdown cancels a sweep under way: that is logged as a stop, never as a
    failure with a traceback (a traceback in the server log means a bug); a real failure
    still is."""
    import logging

    from procurement.core import scheduler

    async def cancelled(job):
        raise asyncio.CancelledError

    async def failing(job):
        raise RuntimeError("坏了")

    job = scheduler.SweepJob("outbox", lambda: None)  # type: ignore[arg-type, return-value]
    caplog.set_level(logging.INFO, logger=scheduler.log.name)
    monkeypatch.setattr(scheduler, "run_sweep", cancelled)
    await scheduler.run_sweep_logged(job)
    assert "stopped with the process" in caplog.text and "Traceback" not in caplog.text
    monkeypatch.setattr(scheduler, "run_sweep", failing)
    await scheduler.run_sweep_logged(job)
    assert "sweep outbox failed" in caplog.text and "坏了" in caplog.text
