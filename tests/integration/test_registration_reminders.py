"""Issue 15 §1: a reminder that had no sweep: a social worker's registration expiring (30
days before, to the organization's members). Sent once, however often the sweep runs, again
after a renewal, and not at all once it no longer matters. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts.staffing import expiry
from contracts.staffing.tables import SocialWorker
from procurement.core import clock
from procurement.core.scheduler import run_due
from procurement.core.tables import InboxItem
from tests.integration.conftest import api_login
from tests.integration.staffing_helpers import register


def _at(day: date, hour: int) -> datetime:
    return clock.to_utc(datetime.combine(day, time(hour)))


async def _told(event: str) -> list[dict]:
    return await InboxItem.select(InboxItem.recipient, InboxItem.title, InboxItem.link).where(InboxItem.event == event)


async def test_a_registration_expiring_is_told_once_thirty_days_before_and_again_after_renewal(client):
    org = await api_login(client, "xingfujia")
    expires = clock.today_local() + timedelta(days=90)
    worker = await register(client, org, "到期提醒社工", registration_expires=expires.isoformat())
    row = await SocialWorker.select().where(SocialWorker.id == worker["id"]).first()
    assert row["next_check_at"] == _at(expires - timedelta(days=30), 9)
    sweep = expiry.WORKERS_DUE
    with clock.frozen(_at(expires - timedelta(days=31), 9)):
        assert await run_due(sweep) == 0
    with clock.frozen(_at(expires - timedelta(days=30), 9)):
        assert await run_due(sweep) == 1
        assert await run_due(sweep) == 0
    told = await _told("staffing.registration_expiring")
    assert told and all("到期提醒社工" in t["title"] for t in told)
    assert len(told) == len({t["recipient"] for t in told})
    # Renewed for three more years: told again before the new day, not before.
    renewed = expires + timedelta(days=3 * 365)
    done = await client.put(
        f"/api/v1/social-workers/{worker['id']}", headers=org, json={"registration_expires": renewed.isoformat()}
    )
    assert done.status_code == 200, done.text
    with clock.frozen(_at(expires, 9)):
        assert await run_due(sweep) == 0
    with clock.frozen(_at(renewed - timedelta(days=30), 9)):
        assert await run_due(sweep) == 1
    assert len(await _told("staffing.registration_expiring")) == 2 * len(told)


async def test_a_worker_who_left_or_whose_registration_expired_is_not_reminded(client):
    org = await api_login(client, "xingfujia")
    soon = clock.today_local() + timedelta(days=10)  # registered within the 30 days: told at once
    left = await register(client, org, "已离职社工", registration_expires=soon.isoformat())
    done = await client.put(
        f"/api/v1/social-workers/{left['id']}",
        headers=org,
        json={"employment": "left", "employed_until": clock.today_local().isoformat()},
    )
    assert done.status_code == 200, done.text
    expired = await register(client, org, "已过期社工", registration_expires=soon.isoformat())
    with clock.frozen(clock.after_local_day(soon) + timedelta(hours=1)):
        assert await run_due(expiry.WORKERS_DUE) == 0
    assert await _told("staffing.registration_expiring") == []
    assert (await SocialWorker.select().where(SocialWorker.id == expired["id"]).first())["next_check_at"] is None


async def test_rows_without_a_check_are_armed_once(client):
    org = await api_login(client, "xingfujia")
    expires = clock.today_local() + timedelta(days=90)
    worker = await register(client, org, "补建提醒社工", registration_expires=expires.isoformat())
    await SocialWorker.update({SocialWorker.next_check_at: None}).where(SocialWorker.id == worker["id"])
    assert await expiry.arm_missing() >= 1
    row = await SocialWorker.select().where(SocialWorker.id == worker["id"]).first()
    assert row["next_check_at"] == _at(expires - timedelta(days=30), 9)
    assert await expiry.arm_missing() == 0
