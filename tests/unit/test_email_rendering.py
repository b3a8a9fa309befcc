"""Email rendering (issue 15 §3), without a database: every event of NOTIFICATIONS has
a Chinese subject, a plain-text body and an HTML body with an absolute link back to the
page; the events with a folder of their own add their details; the HTML carries no
external assets; one outbox row always makes the same MIME message."""

from __future__ import annotations

import email
import email.policy
import importlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from procurement.core import email as mail
from procurement.core.notify import NOTIFICATIONS

# The contracts' events join NOTIFICATIONS when their modules load.
for _module in ("contracts.delivery.services", "contracts.payments.records", "contracts.staffing.services"):
    importlib.import_module(_module)

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://zfgm.example.gov.cn"


class Anything(dict):
    """A context with a value for every placeholder an event's title or body names."""

    def __missing__(self, key: str) -> str:
        return f"〔{key}〕"


def context(event: str) -> dict:
    names = set(re.findall(r"\{(\w+)\}", NOTIFICATIONS[event]["title"] + NOTIFICATIONS[event]["body"]))
    ctx = {name: f"〔{name}〕" for name in names}
    ctx.update(title="上城区居家养老服务项目", number="SC-2026-001", version=2, deadline="2026-12-31")
    ctx.update(seq=2, amount="¥120,000.00", voucher="PZ-0001")
    title = NOTIFICATIONS[event]["title"].format_map(Anything(ctx))
    body = NOTIFICATIONS[event]["body"].format_map(Anything(ctx))
    return {
        **ctx,
        "message_title": title,
        "message_body": body,
        "url": mail.absolute("/contracts/7", BASE),
        "recipient_name": "陈晓燕",
    }


@pytest.mark.parametrize("event", sorted(NOTIFICATIONS))
def test_every_event_renders_a_chinese_subject_text_and_html_with_the_link(event):
    ctx = context(event)
    rendered = mail.render(event, ctx)
    assert rendered.subject == ctx["message_title"] and "\n" not in rendered.subject
    assert ctx["message_body"] in rendered.text and f"{BASE}/contracts/7" in rendered.text
    assert "陈晓燕，您好" in rendered.text
    assert f'href="{BASE}/contracts/7"' in rendered.html
    assert "<style" not in rendered.html and "<link" not in rendered.html and "src=" not in rendered.html


def test_each_own_folder_names_a_known_event_and_the_html_escapes_what_people_typed():
    own = {p.name for p in (ROOT / "templates" / "email").iterdir() if p.is_dir()} - {"_default", "digest"}
    assert own and own <= set(NOTIFICATIONS)
    ctx = {**context("contract.signed"), "message_body": "<script>alert(1)</script>"}
    assert "<script>" not in mail.render("contract.signed", ctx).html
    assert "<script>" in mail.render("contract.signed", ctx).text  # plain text is not HTML


def test_the_events_with_their_own_templates_say_more_than_the_default():
    signed = mail.render("contract.signed", context("contract.signed"))
    assert "签订期限：2026-12-31" in signed.text and "核对并签署合同" in signed.html
    released = mail.render("contract.payment_released", context("contract.payment_released"))
    assert "凭证号：PZ-0001" in released.text and "¥120,000.00" in released.html
    drawn = mail.render("panel.drawn", context("panel.drawn"))
    assert "回避声明" in drawn.text and "作回避声明" in drawn.html
    assert mail.template_name("tender.amended", "body.html") == "email/_default/body.html"
    assert mail.template_name("contract.signed", "subject.txt") == "email/_default/subject.txt"


def test_the_digest_lists_each_message_with_its_time_in_beijing_and_its_link():
    items = [
        {
            "subject": "合同待您签署：甲",
            "link": f"{BASE}/contracts/1",
            "created_at": datetime(2026, 12, 7, 1, 5, tzinfo=UTC),
        },
        {"subject": "款项已拨付：乙", "link": "", "created_at": datetime(2026, 12, 7, 2, 0, tzinfo=UTC)},
    ]
    ctx = {"recipient_name": "李淑芬", "day": date(2026, 12, 8), "items": items, "url": f"{BASE}/inbox"}
    rendered = mail.render("digest", {**ctx, "preferences_url": f"{BASE}/inbox/preferences"})
    assert rendered.subject == "每日通知汇总（2026-12-08）：2 条"
    assert "1. 合同待您签署：甲（2026-12-07 09:05）" in rendered.text
    assert f'href="{BASE}/contracts/1"' in rendered.html and "款项已拨付：乙" in rendered.html


def test_one_row_makes_the_same_message_every_time_with_its_headers_encoded():
    def build() -> bytes:
        return mail.build_message(
            key="outbox-42",
            sender="政府购买服务管理平台 <noreply@example.gov.cn>",
            to_address="xingfujia@example.gov.cn",
            to_name="陈晓燕",
            subject="合同待您签署：上城区居家养老服务项目",
            text="正文\n",
            html="<p>正文</p>",
            created_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
        ).as_bytes()

    raw = build()
    assert raw == build()
    assert b"\xe5" not in raw.split(b"\n\n", 1)[0]  # headers are encoded (RFC 2047), not raw UTF-8
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "合同待您签署：上城区居家养老服务项目"
    assert parsed["Message-ID"].endswith("@example.gov.cn>")
    assert "政府购买服务管理平台" in str(parsed["From"])


def test_a_relative_link_becomes_absolute_and_an_absolute_one_stays():
    assert mail.absolute("/contracts/7", BASE + "/") == f"{BASE}/contracts/7"
    assert mail.absolute("https://other.example/x", BASE) == "https://other.example/x"
    assert mail.absolute("", BASE) == ""


def test_the_preferences_group_each_event_by_its_kind():
    from procurement.system.notifications import event_group, event_label

    assert event_group("contract.report_overdue") == "服务报告"
    assert event_group("contract.payment_released") == "款项拨付与保证金"
    assert event_group("contract.bond_refunded") == "款项拨付与保证金"
    assert event_group("contract.signed") == "合同签订与履行"
    assert event_group("bid_bond.refund_overdue") == "投标与保证金"
    assert event_group("tender.amended") == "采购项目、更正与答疑"
    assert event_label("tender.amended") == "项目更正"
    assert event_label("system.welcome") == "欢迎使用政府购买服务管理平台"
