"""Use cases of notifications (issue 15 §3): a user's preferences (events switched off
by email, a daily digest instead of immediate email, the address), marking the whole
inbox read, and for administrators the failed sends and sending one again.

``core.notify`` writes the messages and ``core.outbox`` sends them; this module only
reads and changes what people decide. One transaction per function.
"""

from __future__ import annotations

import re
from typing import Any

from procurement.accounts import services as accounts
from procurement.core import audit, clock, db, outbox
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import NotFound
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, SEALED_EVENTS
from procurement.core.outbox_states import OUTBOX_TABLE
from procurement.core.tables import InboxItem, NotificationOptOut, NotificationSetting, OutboxMessage
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.system.policies import can_manage_outbox
from procurement.system.schemas import (
    NotificationEventOut,
    NotificationGroupOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
    OutboxMessageOut,
)

# How the preferences page groups the events: by the first part of the event's name
# (the longest prefix that matches), in this order; an event of a new kind lands in 其他.
GROUPS: list[tuple[tuple[str, ...], str]] = [
    (("organization", "eligibility", "system"), N_("账号、机构注册与资格")),
    (("tender",), N_("采购项目、更正与答疑")),
    (("bid", "bid_bond"), N_("投标与保证金")),
    (("panel", "evaluation"), N_("评标委员会与评审")),
    (("award", "challenge"), N_("评审结果、中标与质疑")),
    (("contract.replacement", "staffing"), N_("社工团队")),
    (("contract.report",), N_("服务报告")),
    (("contract.payment", "contract.bond"), N_("款项拨付与保证金")),
    (("contract",), N_("合同签订与履行")),
    (("assessment",), N_("第三方评估")),
]
OTHER = N_("其他")

_PLACEHOLDER = re.compile(r"[：:]?\s*\{[^}]*\}")


def event_label(event: str) -> str:
    """An event's name as people read it: its translated title without the placeholders
    ("项目更正：{title}" → "项目更正")."""
    return _PLACEHOLDER.sub("", _(NOTIFICATIONS[event]["title"])).strip(" ：:") or event


def event_group(event: str) -> str:
    best, label = -1, OTHER
    for prefixes, name in GROUPS:
        for prefix in prefixes:
            # "bid" takes bid.* (not bid_bond.*); "contract.report" takes contract.report_*.
            within = event == prefix or event.startswith(prefix + ".") or ("." in prefix and event.startswith(prefix))
            if within and len(prefix) > best:
                best, label = len(prefix), name
    return label


def grouped_events() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """[(group, [(label, [events])])]: events sharing a label are one line."""
    groups: dict[str, dict[str, list[str]]] = {}
    for event in NOTIFICATIONS:
        groups.setdefault(event_group(event), {}).setdefault(event_label(event), []).append(event)
    order = [name for _p, name in GROUPS] + [OTHER]
    return [(_(name), list(groups[name].items())) for name in order if name in groups]


async def get_preferences(user: CurrentUser) -> NotificationPreferencesOut:
    off = {
        r["event"]
        for r in await NotificationOptOut.select(NotificationOptOut.event).where(
            (NotificationOptOut.user == user.id) & (NotificationOptOut.channel == "email")
        )
    }
    setting = (
        await NotificationSetting.select(NotificationSetting.email_digest)
        .where(NotificationSetting.user == user.id)
        .first()
    )
    return NotificationPreferencesOut(
        email=await accounts.own_email(user),
        email_digest=bool(setting and setting["email_digest"]),
        digest_hour=get_settings().email_digest_hour,
        groups=[
            NotificationGroupOut(
                label=group,
                events=[
                    NotificationEventOut(key=",".join(events), label=label, email_on=not off.intersection(events))
                    for label, events in lines
                ],
            )
            for group, lines in grouped_events()
        ],
    )


async def save_preferences(user: CurrentUser, data: NotificationPreferencesIn) -> NotificationPreferencesOut:
    """Keep the user's choices: the inbox always gets every event; email goes only for
    the events left on, at once or in the daily digest."""
    on = {event for key in data.email_on for event in key.split(",") if event in NOTIFICATIONS}
    off = sorted(set(NOTIFICATIONS) - on)
    digest = data.email_mode == "digest"
    async with db.transaction():
        await accounts.set_own_email(user, data.email)
        before = await get_preferences(user)
        before_off = sorted(
            e for g in before.groups for line in g.events if not line.email_on for e in line.key.split(",")
        )
        await NotificationOptOut.delete().where(
            (NotificationOptOut.user == user.id) & (NotificationOptOut.channel == "email")
        )
        if off:
            await NotificationOptOut.insert(
                *[NotificationOptOut(user=user.id, channel="email", event=event) for event in off]
            )
        await NotificationSetting.delete().where(NotificationSetting.user == user.id)
        if digest:
            await NotificationSetting.insert(NotificationSetting(user=user.id, email_digest=True))
        if before_off != off or before.email_digest != digest:
            await audit.record(
                "notify.preferences_changed",
                "user",
                user.id,
                actor=actor_of(user),
                before={"email_off": before_off, "email_digest": before.email_digest},
                after={"email_off": off, "email_digest": digest},
            )
    return await get_preferences(user)


async def mark_all_read(user: CurrentUser) -> int:
    """Every unread inbox item of the user read now; returns how many."""
    async with db.transaction():
        changed = (
            await InboxItem.update({InboxItem.read_at: clock.now()})
            .where((InboxItem.recipient == user.id) & InboxItem.read_at.is_null())
            .returning(InboxItem.id)
        )
    return len(changed)


# --------------------------------------------------------------------------- for administrators


async def _message_out(rows: list[dict[str, Any]]) -> list[OutboxMessageOut]:
    names = await accounts.user_names([r["recipient"] for r in rows]) if rows else {}
    return [
        OutboxMessageOut(
            id=r["id"],
            recipient_id=r["recipient"],
            recipient_name=names.get(r["recipient"], ""),
            channel=r["channel"],
            event=r["event"],
            address=r["address"],
            subject=r["subject"],
            status=r["status"],
            attempts=r["attempts"],
            last_error=r["last_error"],
            created_at=r["created_at"],
            next_check_at=r["next_check_at"],
            sent_at=r["sent_at"],
        )
        for r in rows
    ]


_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.channel,
    OutboxMessage.event,
    OutboxMessage.address,
    OutboxMessage.subject,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.last_error,
    OutboxMessage.created_at,
    OutboxMessage.next_check_at,
    OutboxMessage.sent_at,
)


async def list_failed_messages(limit: int = 50) -> list[OutboxMessageOut]:
    """The messages whose every attempt failed, newest first (the operations view;
    the caller checks ``can_manage_outbox``)."""
    rows = (
        await OutboxMessage.select(*_COLUMNS)
        .where((OutboxMessage.status == outbox.FAILED) & OutboxMessage.event.not_in(list(SEALED_EVENTS)))
        .order_by(OutboxMessage.id, ascending=False)
        .limit(max(1, min(limit, 500)))
    )
    return await _message_out(rows)


async def retry_message(actor: CurrentUser, message_id: int) -> OutboxMessageOut:
    """Send a failed message again: pending, due now, with a fresh count of attempts
    (a conditional UPDATE through the delivery table: two administrators pressing at
    once queue it once; the second is told it is no longer failed)."""
    can_manage_outbox(actor).require()
    async with db.transaction():
        row = (
            await OutboxMessage.select(OutboxMessage.status, OutboxMessage.last_error, OutboxMessage.event)
            .where(OutboxMessage.id == message_id)
            .first()
        )
        if row is None or row["event"] in SEALED_EVENTS:  # a bid receipt tells who bid (invariant 2)
            raise NotFound(_("找不到该通知邮件。"))
        await apply_transition(
            OUTBOX_TABLE,
            OutboxMessage,
            message_id,
            row["status"],
            "retry",
            actor_of(actor),
            values={OutboxMessage.attempts: 0, OutboxMessage.next_check_at: clock.now()},
            before={"last_error": row["last_error"][:200]},
        )
        rows = await OutboxMessage.select(*_COLUMNS).where(OutboxMessage.id == message_id)
    return (await _message_out(rows))[0]
