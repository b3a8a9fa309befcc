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
