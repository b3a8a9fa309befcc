"""Notifications (issue 15 §3): the transactional outbox, email through a real SMTP
server (aiosmtpd, started here), retries that deliver once, concurrent senders,
preferences, the daily digest, the .eml backend, the inbox's unread count and
"mark all read". On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from procurement.accounts.tables import User
from procurement.core import clock, db, outbox
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, PermissionDenied
from procurement.core.notify import notify
from procurement.core.tables import AuditEvent, InboxItem, OutboxMessage
from procurement.settings import get_settings
from procurement.system import notifications
from procurement.system.schemas import NotificationPreferencesIn
from tests.integration.conftest import page_login, post_form

BASE = "https://zfgm.example.gov.cn"
SIGN_CONTEXT = {
    "title": "上城区居家养老服务项目",
    "party": "采购人",
    "number": "SC-2026-001",
    "version": 2,
    "deadline": "2026-12-31",
    "link": "/contracts/7",
}


class Inbox:
    """An SMTP server's mailbox: every message it accepted, parsed."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m in self.received if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    mailbox = Inbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


@pytest.fixture
async def quiet(clean, monkeypatch, tmp_path) -> dict[str, Any]:
    """The demo's own messages out of the way, links on a public address, the .eml files
    in a temporary folder; returns the users by name."""
    await OutboxMessage.update({OutboxMessage.status: outbox.SKIPPED, OutboxMessage.next_check_at: None}).where(
        OutboxMessage.status.is_in([outbox.PENDING, outbox.HELD])
    )
    settings = get_settings()
    monkeypatch.setattr(settings, "public_base_url", BASE)
    monkeypatch.setattr(settings, "email_backend", "file")
    monkeypatch.setattr(outbox, "outbox_dir", lambda: tmp_path / "outbox")
    rows = await User.select(User.id, User.username, User.display_name, User.role, User.email)
    return {r["username"]: r for r in rows}


@pytest.fixture
def smtp(monkeypatch) -> Any:
    """A real SMTP server on a free local port, and the settings pointing at it."""
    port = free_port()
    settings = get_settings()
    monkeypatch.setattr(settings, "email_backend", "smtp")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    monkeypatch.setattr(settings, "smtp_security", "none")
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 5)
    controller, mailbox = start_smtp(port)
    yield mailbox
    controller.stop()


def as_user(row: dict[str, Any]) -> CurrentUser:
    return CurrentUser(row["id"], row["username"], row["display_name"], row["role"], None, "", None, 0, "", "cli")


async def messages(event: str) -> list[dict[str, Any]]:
    return await OutboxMessage.select().where(OutboxMessage.event == event).order_by(OutboxMessage.id)


async def test_a_rolled_back_change_writes_no_inbox_item_and_sends_nothing(quiet):
    officer = quiet["officer"]["id"]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await notify("contract.signed", [officer], SIGN_CONTEXT)
            raise RuntimeError("the change fails after it told people")
    assert await InboxItem.count().where(InboxItem.event == "contract.signed") == 0
    assert await messages("contract.signed") == []
    assert await outbox.send_due() == 0


async def test_notify_writes_an_inbox_item_and_a_pending_email_per_recipient_once_per_key(quiet):
    ids = [quiet["officer"]["id"], quiet["xingfujia"]["id"]]
    async with db.transaction():
        await notify("contract.signed", ids, SIGN_CONTEXT, key="contract:7:signed:v2")
        await notify("contract.signed", ids, SIGN_CONTEXT, key="contract:7:signed:v2")  # reported twice
    await notify("contract.signed", ids, SIGN_CONTEXT, key="contract:7:signed:v2")  # a sweep run again
    assert await InboxItem.count().where(InboxItem.event == "contract.signed") == 2
    rows = await messages("contract.signed")
    assert [(r["address"], r["status"]) for r in rows] == [
        ("officer@example.gov.cn", "pending"),
        ("xingfujia@example.gov.cn", "pending"),
    ]
    assert rows[0]["subject"] == "合同待您签署：上城区居家养老服务项目"
    assert f"{BASE}/contracts/7" in rows[0]["text"] and f'href="{BASE}/contracts/7"' in rows[0]["html"]


async def test_email_reaches_a_real_smtp_server_with_its_recipient_chinese_subject_body_and_link(quiet, smtp):
    await notify("contract.signed", [quiet["xingfujia"]["id"]], SIGN_CONTEXT)
    assert await outbox.send_due() == 1
    [message] = smtp.to("xingfujia@example.gov.cn")
    assert len(smtp.received) == 1
    assert message["Subject"] == "合同待您签署：上城区居家养老服务项目"
    assert "陈晓燕" in str(message["To"]) and "xingfujia@example.gov.cn" in str(message["To"])
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "采购人已签署合同「上城区居家养老服务项目」（编号 SC-2026-001）第 2 版" in text
    assert "签订期限：2026-12-31" in text
    assert f"{BASE}/contracts/7" in text
    assert f'href="{BASE}/contracts/7"' in html and "核对并签署合同" in html
    assert "<link" not in html and "src=" not in html  # no external assets
    [row] = await messages("contract.signed")
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None
    assert await outbox.send_due() == 0 and len(smtp.received) == 1


async def test_a_send_that_fails_waits_with_backoff_and_is_delivered_once_when_the_server_is_up(quiet, monkeypatch):
    port = free_port()  # nobody listens there yet
    settings = get_settings()
    for name, value in [("email_backend", "smtp"), ("smtp_host", "127.0.0.1"), ("smtp_port", port)]:
        monkeypatch.setattr(settings, name, value)
    monkeypatch.setattr(settings, "smtp_security", "none")
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 2)
    start = clock.now().replace(microsecond=0)
    clock.freeze(start)
    await notify("panel.drawn", [quiet["expert1"]["id"]], {"title": "社区矫正帮教项目", "link": "/review/panels/3"})
    assert await outbox.send_due() == 0
    [row] = await messages("panel.drawn")
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
    assert row["next_check_at"] == start + outbox.backoff(1)
    controller, mailbox = start_smtp(port)
    try:
        assert await outbox.send_due() == 0  # not due yet: the backoff holds
        clock.freeze(start + timedelta(minutes=2))
        assert await outbox.send_due() == 1
        clock.freeze(start + timedelta(days=1))
        assert await outbox.send_due() == 0
        assert len(mailbox.to("expert1@example.gov.cn")) == 1 and len(mailbox.received) == 1
    finally:
        controller.stop()
    [row] = await messages("panel.drawn")
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] == ""


async def test_after_the_last_attempt_a_message_fails_and_only_an_administrator_sends_it_again(quiet, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "email_max_attempts", 2)
    monkeypatch.setattr(settings, "email_backend", "smtp")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", free_port())
    monkeypatch.setattr(settings, "smtp_security", "none")
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 2)
    start = clock.now()
    clock.freeze(start)
    await notify("system.welcome", [quiet["yile"]["id"]], {"name": "赵丽华", "link": "/dashboard"})
    await outbox.send_due()
    clock.freeze(start + timedelta(hours=1))
    await outbox.send_due()
    [failed] = await notifications.list_failed_messages(10)
    assert failed.status == "failed" and failed.attempts == 2 and failed.recipient_name == "赵丽华"
    assert failed.next_check_at is None and failed.last_error
    with pytest.raises(PermissionDenied):
        await notifications.retry_message(as_user(quiet["officer"]), failed.id)
    again = await notifications.retry_message(as_user(quiet["admin"]), failed.id)
    assert again.status == "pending" and again.attempts == 0
    with pytest.raises(Conflict):
        await notifications.retry_message(as_user(quiet["admin"]), failed.id)
    assert await notifications.list_failed_messages(10) == []
    monkeypatch.setattr(settings, "email_backend", "file")
    assert await outbox.send_due() == 1


async def test_concurrent_senders_send_each_message_once(quiet, smtp):
    people = [quiet[name]["id"] for name in ("officer", "finance", "xingfujia", "yile", "yangguang", "pinggu")]
    for n in range(4):
        await notify("contract.signed", people, {**SIGN_CONTEXT, "version": n + 1})
    sent = await asyncio.gather(*[outbox.send_due() for _ in range(3)])
    assert sum(sent) == 24
    assert len(smtp.received) == 24
    ids = [m["Message-ID"] for _rcpt, m in smtp.received]
    assert len(set(ids)) == 24
    rows = await messages("contract.signed")
    assert {r["status"] for r in rows} == {"sent"} and {r["attempts"] for r in rows} == {1}


async def test_an_event_switched_off_keeps_the_inbox_item_and_sends_no_email(quiet):
    officer = as_user(quiet["officer"])
    prefs = await notifications.get_preferences(officer)
    keys = [line.key for g in prefs.groups for line in g.events]
    assert any("contract.signed" in k.split(",") for k in keys)
    await notifications.save_preferences(
        officer,
        NotificationPreferencesIn(
            email="wang.jianguo@example.gov.cn", email_on=[k for k in keys if "contract.signed" not in k.split(",")]
        ),
    )
    await notify("contract.signed", [officer.id], SIGN_CONTEXT)
    await notify("tender.question", [officer.id], {"title": "上城区居家养老服务项目", "link": "/bureau/tenders/1"})
    assert await InboxItem.count().where((InboxItem.recipient == officer.id) & (InboxItem.event == "contract.signed"))
    [off] = await messages("contract.signed")
    [on] = await messages("tender.question")
    assert off["status"] == "skipped" and "关闭" in off["last_error"]
    assert on["status"] == "pending" and on["address"] == "wang.jianguo@example.gov.cn"
    assert await outbox.send_due() == 1
    prefs = await notifications.get_preferences(officer)
    lines = {line.key: line.email_on for g in prefs.groups for line in g.events}
    assert lines["contract.signed"] is False and lines["tender.question"] is True


async def test_a_daily_digest_is_built_once_per_user_and_day_at_the_hour(quiet):
    finance = as_user(quiet["finance"])
    keys = [line.key for g in (await notifications.get_preferences(finance)).groups for line in g.events]
    await notifications.save_preferences(
        finance, NotificationPreferencesIn(email="finance@example.gov.cn", email_mode="digest", email_on=keys)
    )
    morning = datetime(2026, 12, 8, 0, 30, tzinfo=clock.SHANGHAI)  # 00:30 Beijing
    clock.freeze(morning)
    for version in (1, 2):
        await notify("contract.signed", [finance.id], {**SIGN_CONTEXT, "version": version})
    held = await messages("contract.signed")
    assert {r["status"] for r in held} == {"held"}
    assert await outbox.send_due() == 0  # held, not sent one by one
    clock.freeze(morning + timedelta(hours=7))  # 07:30: the day's digest (08:00) is not due
    assert await outbox.send_daily_digests() == 0
    clock.freeze(morning + timedelta(hours=8))  # 08:30
    assert await outbox.send_daily_digests() == 1
    assert await outbox.send_daily_digests() == 0  # run again: nothing more
    await notify("contract.signed", [finance.id], {**SIGN_CONTEXT, "version": 3})  # after the hour: tomorrow's
    assert await outbox.send_daily_digests() == 0
    [digest] = await messages("digest")
    assert digest["subject"] == "每日通知汇总（2026-12-08）：2 条" and digest["address"] == "finance@example.gov.cn"
    assert digest["text"].count("合同待您签署：上城区居家养老服务项目") == 2 and f"{BASE}/contracts/7" in digest["text"]
    statuses = [r["status"] for r in await messages("contract.signed")]
    assert statuses == ["digested", "digested", "held"]
    assert await outbox.send_due() == 1
    clock.freeze(morning + timedelta(days=1, hours=8))
    assert await outbox.send_daily_digests() == 1


async def test_the_file_backend_writes_each_message_as_an_eml_file(quiet, tmp_path):
    await notify("contract.signed", [quiet["yangguang"]["id"]], SIGN_CONTEXT)
    assert await outbox.send_due() == 1
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "合同待您签署：上城区居家养老服务项目"
    assert "yangguang@example.gov.cn" in str(parsed["To"])
    assert "签订期限：2026-12-31" in parsed.get_body(preferencelist=("plain",)).get_content()
    assert not list((tmp_path / "outbox").glob(".*.part"))


async def test_the_navigation_counts_unread_messages_and_mark_all_read_clears_them(client, quiet):
    officer = quiet["officer"]["id"]
    for n in range(3):
        await notify("contract.signed", [officer], {**SIGN_CONTEXT, "version": n + 1})
    await page_login(client, "officer")
    unread = await InboxItem.count().where((InboxItem.recipient == officer) & InboxItem.read_at.is_null())
    page = await client.get("/dashboard")
    assert f"{unread} 条未读" in page.text and 'class="nav-count"' in page.text
    response = await post_form(client, "/inbox", "/inbox/read-all", {})
    assert response.status_code == 303
    assert await InboxItem.count().where((InboxItem.recipient == officer) & InboxItem.read_at.is_null()) == 0
    page = await client.get("/inbox")
    assert 'class="nav-count"' not in page.text
    assert (await client.post("/inbox/read-all")).status_code == 403  # no CSRF token: refused


async def test_the_preferences_page_saves_the_address_the_mode_and_the_events(client, quiet):
    await page_login(client, "pinggu")
    page = await client.get("/inbox/preferences")
    assert page.status_code == 200 and "通知设置" in page.text and "合同签订与履行" in page.text
    response = await post_form(
        client,
        "/inbox/preferences",
        "/inbox/preferences",
        {"email": "wu.jing@example.gov.cn", "email_mode": "digest", "email_on": ["tender.question", "panel.drawn"]},
    )
    assert response.status_code == 303, response.text
    prefs = await notifications.get_preferences(as_user(quiet["pinggu"]))
    assert prefs.email == "wu.jing@example.gov.cn" and prefs.email_digest is True
    on = sorted(line.key for g in prefs.groups for line in g.events if line.email_on)
    assert on == ["panel.drawn", "tender.question"]
    bad = await post_form(client, "/inbox/preferences", "/inbox/preferences", {"email": "不是邮箱"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.text
    assert (await notifications.get_preferences(as_user(quiet["pinggu"]))).email == "wu.jing@example.gov.cn"


async def test_the_api_marks_every_message_read_and_the_sweeps_are_registered(client, quiet):
    from procurement.core.scheduler import registry
    from tests.integration.conftest import api_login

    assert registry.get("notify.send_email").func is outbox.send_due
    assert registry.get("notify.daily_digest").func is outbox.send_daily_digests
    headers = await api_login(client, "yile")
    await notify("system.welcome", [quiet["yile"]["id"]], {"name": "赵丽华"})
    before = (await client.get("/api/v1/inbox/?unread_only=true", headers=headers)).json()["unread"]
    assert before >= 1
    response = await client.post("/api/v1/inbox/read-all", headers=headers)
    assert response.status_code == 200 and response.json() == {"marked": before}
    assert (await client.get("/api/v1/inbox/", headers=headers)).json()["unread"] == 0


SENDER_PROCESS = """
import asyncio
from procurement.app import installed_packages
from procurement.core import db, outbox

async def main():
    installed_packages()
    await db.start()
    try:
        print(await outbox.send_due())
    finally:
        await db.stop()

asyncio.run(main())
"""


async def test_two_sender_processes_at_once_deliver_each_message_once(quiet, smtp):
    import os
    import subprocess
    import sys
    from pathlib import Path

    people = [quiet[name]["id"] for name in ("officer", "finance", "xingfujia", "yile", "yangguang")]
    for n in range(6):
        await notify("contract.signed", people, {**SIGN_CONTEXT, "version": n + 1})
    settings = get_settings()
    env = {
        **os.environ,
        "PROCUREMENT_EMAIL_BACKEND": "smtp",
        "PROCUREMENT_SMTP_HOST": "127.0.0.1",
        "PROCUREMENT_SMTP_PORT": str(settings.smtp_port),
        "PROCUREMENT_SMTP_SECURITY": "none",
        "PROCUREMENT_VAR_DIR": str(settings.var_dir),  # the same SQLite file when not on PostgreSQL
    }
    root = Path(__file__).resolve().parents[2]

    def run_two() -> list[str]:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", SENDER_PROCESS], cwd=root, env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        return [p.communicate(timeout=120)[0] for p in procs]

    outputs = await asyncio.to_thread(run_two)
    counts = [int(out.strip().splitlines()[-1]) for out in outputs]
    print("sent by each process:", counts)
    assert sum(counts) == 30, outputs
    assert len(smtp.received) == 30
    assert len({m["Message-ID"] for _rcpt, m in smtp.received}) == 30
    rows = await messages("contract.signed")
    assert {r["status"] for r in rows} == {"sent"} and {r["attempts"] for r in rows} == {1}


async def test_a_bid_receipts_email_stays_sealed_in_the_audit_log_and_the_failed_list_until_the_opening(
    client, quiet, monkeypatch
):
    """Invariant 2: the receipt's email tells who bid, so its delivery (audit rows, the
    administrators' failed list, a retry by id) shows nothing before the opening."""
    from procurement.bids.opening import open_due_tenders
    from procurement.system import audit_log
    from procurement.system.schemas import AuditFilterIn
    from tests.integration.bid_helpers import published_tender
    from tests.integration.test_bids_api import past_deadline, submitted_bid

    admin = as_user(quiet["admin"])
    tender = await published_tender(client)
    await submitted_bid(client, "xingfujia", tender)
    await submitted_bid(client, "yangguang", tender)
    receipts = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.event == "bid.receipt")
    assert receipts, "the bidders' members have addresses: their receipts are queued"
    assert await outbox.send_due() == 0, "the sweep's count (the scheduler's run log) leaves the receipts out"
    sent_rows = await AuditEvent.select(AuditEvent.entity_id).where(AuditEvent.entity_type == "outbox_message")
    delivered = {int(r["entity_id"]) for r in sent_rows} & {r["id"] for r in receipts}
    assert delivered, "each delivery is audited"

    async def shown() -> set[int]:
        listed = await audit_log.list_audit_events(
            admin, filters=AuditFilterIn(entity_type="outbox_message"), limit=200
        )
        return {int(e.entity_id) for e in listed.items}

    ids = {r["id"] for r in receipts}
    assert not (await shown()) & ids
    # A failed receipt is not listed, and a retry by its id is answered as if it did not exist.
    await OutboxMessage.update({OutboxMessage.status: outbox.FAILED}).where(OutboxMessage.id == min(ids))
    assert all(m.id not in ids for m in await notifications.list_failed_messages(50))
    with pytest.raises(NotFound):
        await notifications.retry_message(admin, min(ids))
    # After the opening who bid is public: the delivery rows show.
    with clock.frozen(await past_deadline(tender["id"])):
        assert await open_due_tenders() >= 1
    assert delivered <= await shown()


async def test_every_event_has_a_group_of_its_own_kind_on_the_preferences_page(client):
    from procurement.core.notify import NOTIFICATIONS

    assert [e for e in NOTIFICATIONS if notifications.event_group(e) == str(notifications.OTHER)] == []


async def test_messages_done_with_are_pruned_after_the_days_kept_and_the_rest_stay(quiet):
    settings = get_settings()
    ids = [quiet[name]["id"] for name in ("officer", "finance", "yile", "pinggu")]
    await notify("system.welcome", ids, {"name": "某人", "link": "/dashboard"})
    rows = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.recipient.is_in(ids))
        .order_by(OutboxMessage.id, ascending=False)
        .limit(4)
    )
    made = [r["id"] for r in rows]
    old = clock.now() - timedelta(days=settings.email_keep_days, seconds=1)
    for message_id, status in zip(made, (outbox.SENT, outbox.SKIPPED, outbox.FAILED, outbox.PENDING), strict=True):
        await OutboxMessage.update({OutboxMessage.status: status, OutboxMessage.created_at: old}).where(
            OutboxMessage.id == message_id
        )
    kept_new = await notify("system.welcome", [ids[0]], {"name": "某人", "link": "/dashboard"})
    assert kept_new == 1
    assert await outbox.prune_old() >= 2
    left = {r["id"] for r in await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.id.is_in(made))}
    assert left == set(made[2:]), "the sent and skipped ones go; failed and pending stay"
    assert await outbox.prune_old() == 0, "a second run finds nothing"
    assert await InboxItem.count().where(InboxItem.recipient.is_in(ids)) >= 4, "the inbox keeps everything"
