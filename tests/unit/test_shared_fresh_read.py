"""Issue 11: the portal's version is read once for the requests that wait together,
but never answered by a read that began before the request asked (it could miss a
publication committed in between)."""

from __future__ import annotations

import asyncio

import pytest

from procurement.core.portal_cache import SharedFreshRead


class Reads:
    """A read that returns the database's value as of its start, held until released."""

    def __init__(self) -> None:
        self.value = "v1"
        self.started: list[str] = []
        self.gates: list[asyncio.Event] = []
        self.fail_next = False

    async def __call__(self) -> str:
        seen = self.value  # what the database says when the read begins
        self.started.append(seen)
        gate = asyncio.Event()
        self.gates.append(gate)
        await gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("database gone")
        return seen


async def _until(condition) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_callers_that_ask_during_a_read_share_the_next_read_not_the_one_under_way():
    shared, reads = SharedFreshRead(), Reads()
    first = asyncio.create_task(shared.get(reads))
    await _until(lambda: len(reads.started) == 1)
    reads.value = "v2"  # a publication commits while the first read is under way
    later = [asyncio.create_task(shared.get(reads)) for _ in range(5)]
    await asyncio.sleep(0)
    assert len(reads.started) == 1  # they wait: no read of their own
    reads.gates[0].set()
    assert await first == "v1"
    await _until(lambda: len(reads.started) == 2)
    reads.gates[1].set()
    assert await asyncio.gather(*later) == ["v2"] * 5  # never the older answer
    assert len(reads.started) == 2  # one read for the five

    alone = asyncio.create_task(shared.get(reads))  # nothing under way: reads at once
    await _until(lambda: len(reads.started) == 3)
    reads.gates[2].set()
    assert await alone == "v2"


async def test_an_error_reaches_the_callers_of_that_read_and_the_next_caller_reads_again():
    shared, reads = SharedFreshRead(), Reads()
    first = asyncio.create_task(shared.get(reads))
    await _until(lambda: len(reads.started) == 1)
    waiting = [asyncio.create_task(shared.get(reads)) for _ in range(3)]
    await asyncio.sleep(0)
    reads.gates[0].set()
    await first
    await _until(lambda: len(reads.started) == 2)
    reads.fail_next = True
    reads.gates[1].set()
    for task in waiting:
        with pytest.raises(ConnectionError):
            await task
    again = asyncio.create_task(shared.get(reads))
    await _until(lambda: len(reads.started) == 3)
    reads.gates[2].set()
    assert await again == "v1"


async def test_a_cancelled_first_caller_does_not_strand_the_callers_waiting_behind_it():
    shared, reads = SharedFreshRead(), Reads()
    first = asyncio.create_task(shared.get(reads))
    await _until(lambda: len(reads.started) == 1)
    waiting = asyncio.create_task(shared.get(reads))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await _until(lambda: len(reads.started) == 2)
    reads.gates[1].set()
    assert await waiting == "v1"
