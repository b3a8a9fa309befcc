"""How the C allocator returns memory to the system (issue 11: the app's RSS after
mixed requests).

A 1 MB upload is read, hashed, checked and encrypted in worker threads
(``asyncio.to_thread``). With glibc's defaults each of those threads gets its own
malloc arena, and after the first large buffer is freed glibc raises its mmap
threshold to that size, so later 1 MB buffers come from the arenas' heaps, which
are kept after they are freed. The process then holds the peak of the busiest
upload burst for good. Two settings keep the peak temporary: buffers of 256 KB and
more are always mapped on their own and unmapped when freed, and at most two arenas.

What is smaller (the server's 64 KB body chunks, the parser's pieces) stays in the
arenas' heaps, freed but resident, after a burst of uploads: 64 at once took the process
from 103 to 245 MB, and it came back only slowly with the requests after. So a second
after the last upload of a burst ``trim_soon`` has glibc give the free pages of its
heaps back (``malloc_trim``, in a worker thread: it takes the arenas' locks for a few
milliseconds at most).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import sys
from typing import Any

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024
ARENAS = 2

_tuned = False


def _glibc(function: str) -> Any | None:
    """``function`` of the C library when it is glibc's on Linux (musl has neither mallopt
    nor malloc_trim), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return getattr(libc, function, None)


def tune_malloc() -> bool:
    """Apply the settings above once per process (glibc only; elsewhere nothing changes).
    True when glibc took them."""
    global _tuned
    if _tuned:
        return True
    mallopt = _glibc("mallopt")
    if mallopt is None:
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


TRIM_AFTER_S = 1.0  # after the last large request of a burst
_pending: asyncio.TimerHandle | None = None


def _libc_trim() -> bool:
    """glibc's ``malloc_trim(0)``: the free pages of every arena back to the system."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


def trim_soon() -> None:
    """After a large request (an upload): ``malloc_trim`` once, ``TRIM_AFTER_S`` after the
    last of a burst (each call moves the moment on), in a worker thread."""
    global _pending
    if _pending is not None:
        _pending.cancel()
    loop = asyncio.get_running_loop()
    _pending = loop.call_later(TRIM_AFTER_S, lambda: loop.run_in_executor(None, _libc_trim))
