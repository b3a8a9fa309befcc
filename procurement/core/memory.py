"""How the C allocator returns memory to the system (issue 11: the app's RSS after
mixed requests).

A 1 MB upload is read, hashed, checked and encrypted in worker threads
(``asyncio.to_thread``). With glibc's defaults each of those threads gets its own
malloc arena, and after the first large buffer is freed glibc raises its mmap
threshold to that size, so later 1 MB buffers come from the arenas' heaps, which
are kept after they are freed. The process then holds the peak of the busiest
upload burst for good. Two settings keep the peak temporary: buffers of 256 KB and
more are always mapped on their own and unmapped when freed, and at most two arenas.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024
ARENAS = 2

_tuned = False


def tune_malloc() -> bool:
    """Apply the settings above once per process (glibc only; elsewhere nothing changes).
    True when glibc took them."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _tuned = all(
        mallopt(option, value) == 1
        for option, value in (
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD),
            (M_ARENA_MAX, ARENAS),
        )
    )
    return _tuned
