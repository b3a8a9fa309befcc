"""The training-sandbox clock offset, shared by every process through the DB.

Only when the setting ``PROCUREMENT_TIME_TRAVEL`` is on; the clock only moves
forward, so no deadline that has passed can come back.
"""

from __future__ import annotations

from datetime import timedelta

from procurement.core import clock, db

KEY = "clock_offset_seconds"


async def load_offset() -> timedelta:
    """Read the stored offset into this process's clock."""
    from procurement.core.tables import SystemValue

    row = await SystemValue.select(SystemValue.value).where(SystemValue.key == KEY).first()
    offset = timedelta(seconds=float(row["value"])) if row else timedelta(0)
    clock.set_offset(offset)
    return offset


async def advance(delta: timedelta) -> timedelta:
    """Move the shared clock forward by ``delta``; returns the new offset."""
    from procurement.core.tables import SystemValue

    async with db.transaction():
        row = await SystemValue.select(SystemValue.value).where(SystemValue.key == KEY).first()
        current = timedelta(seconds=float(row["value"])) if row else timedelta(0)
        new = current + delta
        if row:
            await SystemValue.update({SystemValue.value: str(new.total_seconds())}).where(SystemValue.key == KEY)
        else:
            await SystemValue.insert(SystemValue(key=KEY, value=str(new.total_seconds())))
    clock.set_offset(new)
    return new
