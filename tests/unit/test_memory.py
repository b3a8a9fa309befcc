"""Issue 11: the app process gives large freed buffers (uploads) back to the system."""

from __future__ import annotations

import platform
import sys

from procurement.core import memory


def test_glibc_takes_the_allocator_settings_and_a_second_call_changes_nothing():
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert memory.tune_malloc() is glibc
    assert memory.tune_malloc() is glibc
