"""Issue 11: the app process gives large freed buffers (uploads) back to the system."""

from __future__ import annotations

import platform
import sys

from procurement.core import memory


def test_glibc_takes_the_allocator_settings_and_a_second_call_changes_nothing():
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert memory.tune_malloc() is glibc
    assert memory.tune_malloc() is glibc


async def test_a_burst_of_large_requests_trims_once_a_moment_after_its_last(monkeypatch):
    import asyncio

    calls: list[str] = []
    monkeypatch.setattr(memory, "TRIM_AFTER_S", 0.05)
    monkeypatch.setattr(memory, "_libc_trim", lambda: calls.append("trim") or True)
    for _ in range(5):  # a burst: each one moves the moment on
        memory.trim_soon()
        await asyncio.sleep(0.01)
    assert calls == []  # the last call was 10 ms ago, the trim is due 50 ms after it
    for _ in range(200):  # then within 2 s (a loaded machine may be slow to run it)
        if calls:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    assert calls == ["trim"]  # once, after the last


def test_malloc_trim_is_glibcs():
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert memory._libc_trim() is glibc
