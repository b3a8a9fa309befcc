"""One clock for the whole system.

Every deadline check calls :func:`now`. Tests freeze it with :func:`frozen`.
A training sandbox may move a running server's clock forward (setting
``PROCUREMENT_TIME_TRAVEL``); the offset is kept in the database so that every
process, the scheduler included, sees the same time (see ``core.timetravel``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def local_now() -> datetime:
    return now().astimezone(SHANGHAI)


def today_local():
    """Today's date in Asia/Shanghai: the date deadlines are counted from."""
    return local_now().date()


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as Asia/Shanghai wall time (what users type)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC)


def after_local_day(day: date) -> datetime:
    """The instant (UTC) a Beijing calendar day has fully passed: a deadline "within
    N working days ending on ``day``" is overdue from this moment on."""
    return to_utc(datetime.combine(day + timedelta(days=1), time.min))


def get_offset() -> timedelta:
    return _offset


def set_offset(offset: timedelta) -> None:
    """Set the process-wide time-travel offset (only ever forward)."""
    global _offset
    if offset < timedelta(0):
        raise ValueError("clock offset cannot be negative")
    _offset = offset


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze :func:`now` at ``at`` (tests only)."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze the clock with an aware datetime")
    previous = _frozen
    _frozen = at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def freeze(at: datetime | None) -> None:
    """Freeze (or with ``None`` unfreeze) the clock without a context manager."""
    global _frozen
    _frozen = at.astimezone(UTC) if at is not None else None


def tick(delta: timedelta) -> None:
    """Move a frozen clock forward (tests only)."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    _frozen = _frozen + delta


# --------------------------------------------------------------------------- what follows the clock

_changes: ContextVar[list[datetime] | None] = ContextVar("clock_changes", default=None)


def changes_at(moment: datetime | None) -> None:
    """What is being shown will read otherwise from ``moment`` on (a deadline ahead, the
    moment a deadline becomes "due within a day"). Code that derives what it shows from
    :func:`now` at a finer grain than the Beijing minute reports it here, so that a page
    kept until the clock changes it (``public_pages``, the dashboards) is dropped then.
    Outside :func:`watching_changes` the call does nothing."""
    seen = _changes.get()
    if seen is not None and moment is not None:
        seen.append(moment)


@contextlib.contextmanager
def watching_changes() -> Iterator[list[datetime]]:
    """Collect the moments reported by :func:`changes_at` inside the block; a block
    inside another passes its moments on to the outer one as well."""
    outer = _changes.get()
    seen: list[datetime] = []
    token = _changes.set(seen)
    try:
        yield seen
    finally:
        _changes.reset(token)
        if outer is not None:
            outer.extend(seen)
