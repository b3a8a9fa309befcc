"""Time-driven work of the roster (issue 15 §1; see procurement/core/scheduler.py): an
employed social worker's registration (职业水平证书登记) expiring is told to the
organization's members once, 30 days before its last day at 09:00 Beijing (at once when
registered closer to it); an expired one is not reminded. Renewing (a new last day) or
re-employing arms the reminder again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts.staffing.states import Employment
from contracts.staffing.tables import SocialWorker
from procurement.accounts import services as accounts
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep

REMINDER_DAYS = 30
REMINDER_HOUR = 9  # Beijing


def reminder_at(expires: date) -> datetime:
    return clock.to_utc(datetime.combine(expires - timedelta(days=REMINDER_DAYS), time(REMINDER_HOUR)))


def next_check(expires: date | None, employment: str, reminded_at: datetime | None, now: datetime) -> datetime | None:
    """When to remind: while employed, not reminded, and the registration not yet expired."""
    if expires is None or employment != Employment.EMPLOYED or reminded_at is not None:
        return None
    if now >= clock.after_local_day(expires):
        return None
    return reminder_at(expires)


async def check_due(worker_id: int) -> Due:
    """Remind once (re-checks the row, so running twice does no harm)."""
    row = await SocialWorker.select().where(SocialWorker.id == worker_id).first()
    if row is None:
        return Due(False, None)
    now = clock.now()
    moment = next_check(row["registration_expires"], row["employment"], row["expiry_reminded_at"], now)
    if moment is None or moment > now:
        return Due(False, moment)
    await SocialWorker.update({SocialWorker.expiry_reminded_at: now}).where(SocialWorker.id == worker_id)
    await notify(
        "staffing.registration_expiring",
        await accounts.active_user_ids(row["organization"], Role.ORG_MEMBER),
        {
            "name": row["name"],
            "expires": f"{row['registration_expires']:%Y-%m-%d}",
            "link": "/social-workers",
        },
    )
    return Due(True, None)


WORKERS_DUE = DueSweep("contracts.staffing_due", SocialWorker, check_due)


async def arm_missing() -> int:
    """Workers written without a check (before issue 15, the demo, a direct insert) get one:
    idempotent, and a registration already expired or reminded stays without."""
    now = clock.now()
    rows = await SocialWorker.select(SocialWorker.id, SocialWorker.registration_expires, SocialWorker.employment).where(
        SocialWorker.next_check_at.is_null()
        & SocialWorker.expiry_reminded_at.is_null()
        & SocialWorker.registration_expires.is_not_null()
        & (SocialWorker.employment == Employment.EMPLOYED)
    )
    armed = 0
    for row in rows:
        moment = next_check(row["registration_expires"], row["employment"], None, now)
        if moment is not None:
            await SocialWorker.update({SocialWorker.next_check_at: moment}).where(
                (SocialWorker.id == row["id"]) & SocialWorker.next_check_at.is_null()
            )
            armed += 1
    return armed
