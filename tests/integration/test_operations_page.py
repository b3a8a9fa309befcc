"""Issue 15 §4: the administrators' operations view: the scheduler's last run of each
sweep with its counts and error, what each due sweep waits on next, failed email sends
with a retry (real outbox messages), and the holiday
calendar's coverage with a warning from 1 November on. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procurement.core import clock
from procurement.core.scheduler import Due, DueSweep, SweepJob, run_sweep
from procurement.core.tables import CalendarEntry, SchedulerRun
from procurement.tenders import services as tenders
from procurement.tenders.tables import Tender
from tests.integration.bid_helpers import published_tender
from tests.integration.conftest import page_login, post_form

URL = "/admin/operations"


async def test_the_admin_sees_each_sweeps_last_run_its_error_and_what_is_due(client, monkeypatch):
    made = [await published_tender(client, title=f"运维页{n}") for n in range(2)]
    broken = made[0]["id"]

    async def step(tender_id: int) -> Due:
        if tender_id == broken:
            raise RuntimeError("模拟的处理失败")
        return Due(await tenders.close_if_due(tender_id), tenders.next_check(await tenders.load(tender_id)))

    # The real closing sweep's name, a failing handler: its run shows with the error.
    failing = DueSweep("tenders.close_due", Tender, step)
    with clock.frozen(clock.now() + timedelta(days=26)):
        await run_sweep(SweepJob("tenders.close_due", failing))
    assert await SchedulerRun.count().where(SchedulerRun.sweep == "tenders.close_due") == 1

    assert (await page_login(client, "admin")).status_code in (200, 303)
    shown = await client.get(URL)
    assert shown.status_code == 200, shown.text
    html = shown.text
    assert "定时任务最近一次运行" in html and "投标截止：关闭项目" in html
    assert "模拟的处理失败" in html and f"#{broken}" in html
    assert "尚未运行" in html  # the sweeps that have not run yet say so
    assert "接下来到期的事项" in html
    # The earliest waiting tender is shown with its moment.
    first = (
        await Tender.select(Tender.id, Tender.next_check_at)
        .where(Tender.next_check_at.is_not_null())
        .order_by(Tender.next_check_at)
        .order_by(Tender.id)
        .first()
    )
    assert f"#{first['id']}：{clock.to_local(first['next_check_at']):%Y-%m-%d %H:%M}" in html
    # No outbox yet: said plainly, never "no failures".
    assert "没有发送失败的邮件" in html
    assert 'href="/admin/operations"' in html  # the administrators' navigation


async def test_only_administrators_see_the_operations_view(client):
    assert (await page_login(client, "officer")).status_code in (200, 303)
    assert (await client.get(URL)).status_code == 403


async def test_from_the_first_of_november_a_missing_next_year_is_warned_about(client):
    assert (await page_login(client, "admin")).status_code in (200, 303)
    await CalendarEntry.delete().where(CalendarEntry.day >= datetime(2027, 1, 1).date())
    with clock.frozen(datetime(2026, 10, 31, 8, 0, tzinfo=UTC)):
        october = (await client.get(URL)).text
    with clock.frozen(datetime(2026, 11, 1, 8, 0, tzinfo=UTC)):
        november = (await client.get(URL)).text
    assert 'id="holiday-warning"' not in october
    assert 'id="holiday-warning"' in november and "2027 年的法定节假日尚未录入" in november
    assert 'id="holiday-year-2026"' in november and "内置" in november
    # Entered: the warning goes.
    await CalendarEntry.insert(CalendarEntry(day=datetime(2027, 1, 1).date(), is_working_day=False, name="元旦"))
    with clock.frozen(datetime(2026, 11, 1, 8, 0, tzinfo=UTC)):
        entered = (await client.get(URL)).text
    assert 'id="holiday-warning"' not in entered


async def test_failed_sends_show_with_a_retry_that_queues_the_message_again(client):
    from procurement.accounts.tables import User
    from procurement.core import outbox
    from procurement.core.notify import notify
    from procurement.core.tables import OutboxMessage

    yile = await User.select(User.id, User.email).where(User.username == "yile").first()
    assert yile["email"], "the demo's users have addresses"
    await notify("system.welcome", [yile["id"]], {"name": "赵丽华", "link": "/dashboard"})
    message = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == yile["id"])
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    await OutboxMessage.update(
        {OutboxMessage.status: outbox.FAILED, OutboxMessage.attempts: 6, OutboxMessage.last_error: "连接被拒绝"}
    ).where(OutboxMessage.id == message["id"])
    assert (await page_login(client, "admin")).status_code in (200, 303)
    html = (await client.get(URL)).text
    assert f"{yile['email']}" in html and "连接被拒绝" in html and message["subject"] in html
    done = await post_form(client, URL, f"{URL}/messages/{message['id']}/retry", {})
    assert done.status_code == 303 and "已安排重新发送" in (await client.get(done.headers["location"])).text
    again = await OutboxMessage.select().where(OutboxMessage.id == message["id"]).first()
    assert again["status"] == outbox.PENDING and again["attempts"] == 0
    # Pressed again (a second tab): it is no longer failed; said plainly, nothing changes.
    twice = await post_form(client, URL, f"{URL}/messages/{message['id']}/retry", {})
    assert twice.status_code == 303
    assert "没有发送失败的邮件" in (await client.get(twice.headers["location"])).text


async def test_a_sweep_is_recorded_even_when_it_fails_as_a_whole(client):
    async def broken() -> int:
        raise RuntimeError("整个任务失败")

    job = SweepJob("test.whole_failure", broken)
    try:
        await run_sweep(job)
    except RuntimeError:
        pass
    [run] = await SchedulerRun.select().where(SchedulerRun.sweep == "test.whole_failure")
    assert "整个任务失败" in run["error"]


async def test_every_registered_sweep_has_a_chinese_name_on_the_page(client):
    from procurement.core.scheduler import registry
    from procurement.system import operations

    names = {job.name for job in registry.jobs()}
    assert names, "the packages registered their sweeps"
    assert names <= set(operations.SWEEP_LABELS), sorted(names - set(operations.SWEEP_LABELS))
