"""Issue 11: a login must not stall the other requests. argon2 hashes in a few
low-priority threads, one lane each, off the event loop; hashes made with other
parameters still verify and are made again at the next login."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from argon2 import PasswordHasher

from procurement.core import auth


def test_one_lane_per_hash_and_older_hashes_still_verify_then_are_renewed():
    made = auth.hash_password("正确的密码-1")
    assert ",p=1$" in made
    assert auth.verify_password(made, "正确的密码-1") and not auth.verify_password(made, "错误的密码")
    assert not auth.needs_rehash(made)
    four_lanes = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=4).hash("旧参数的密码")
    assert auth.verify_password(four_lanes, "旧参数的密码")
    assert auth.needs_rehash(four_lanes)


async def test_hashing_runs_in_its_own_threads_at_a_lower_priority():
    seen: dict[str, int | str] = {}

    def where() -> bool:
        seen["thread"] = threading.current_thread().name
        if sys.platform == "linux":
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return True

    assert await auth._off_loop(where)
    assert str(seen["thread"]).startswith("argon2") and seen["thread"] != threading.current_thread().name
    if sys.platform == "linux":
        assert seen["nice"] > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert 1 <= auth._hash_threads() <= max(1, (os.cpu_count() or 2) // 2)


@pytest.mark.parametrize("cpus, threads", [(1, 1), (2, 1), (4, 2), (None, 1), (16, 8)])
def test_half_the_cpus_hash_at_once(monkeypatch, cpus, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert auth._hash_threads() == threads


def test_the_defaults_are_owasps_first_argon2id_setting_and_the_old_ones_are_renewed():
    """The default cost is OWASP's Password Storage Cheat Sheet's first argon2id setting
    (m = 19 MiB, t = 2, p = 1), not below it; hashes made with the earlier defaults
    (64 MiB, 3 passes) still verify and are made again at the next login."""
    from procurement.settings import Settings

    defaults = Settings.model_fields
    memory, passes = defaults["argon2_memory_kib"].default, defaults["argon2_time_cost"].default
    assert memory >= 19456 and passes >= 2
    assert memory * passes >= 19456 * 2
    earlier = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1).hash("较早的密码-1")
    assert auth.verify_password(earlier, "较早的密码-1")
    assert auth.needs_rehash(earlier)
