"""The outbox's sender and the daily digest (issue 15 §3; invariant 10).

``notify()`` writes the rows (``OutboxMessage``) in the transaction of the change it
reports; this module sends them. The sender is a sweep over the rows whose
``next_check_at`` has passed. Each row is *claimed* first, in a short transaction of
its own, by a conditional UPDATE (still pending, still due): it counts the attempt and
moves ``next_check_at`` a lease ahead, so a second sender (another process, another
tick) finds nothing to take; on PostgreSQL the second UPDATE waits for the first's
commit and then no longer matches. The message is sent *after* that commit, outside
any transaction (an SMTP conversation never holds a database lock; on SQLite that would
stop every writer for the length of the timeout), and the outcome is written by a
second conditional UPDATE that names the attempt it claimed.

A failed attempt waits with exponential backoff, computed by ``tenacity``'s wait
strategy and stored in ``next_check_at`` instead of looping in memory: a retry then
survives a restart, frees the sender for the other messages, and any process may make
it. After ``email_max_attempts`` attempts the message is ``failed``, kept with its last
error for the administrator, who may send it again (``system.notifications``).

A message accepted by the server whose outcome could not be written (the process died
in between) is sent again when its lease ends; it carries the same Message-ID. That
window is the only way to two deliveries, and it is as small as one UPDATE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

import anyio

from procurement.core import clock, db, email
from procurement.core.actors import SYSTEM
from procurement.core.errors import Conflict
from procurement.core.i18n import _
from procurement.core.outbox_states import OUTBOX_TABLE, Delivery
from procurement.core.transitions import apply_transition

log = logging.getLogger("procurement.outbox")

PENDING, HELD, SENT, FAILED, SKIPPED, DIGESTED = (
    Delivery.PENDING,
    Delivery.HELD,
    Delivery.SENT,
    Delivery.FAILED,
    Delivery.SKIPPED,
    Delivery.DIGESTED,
)
DIGEST_EVENT = "digest"
MAX_BACKOFF = timedelta(hours=6)
BATCH = 200


def _settings() -> Any:
    from procurement.settings import get_settings

    return get_settings()


def _user_table() -> Any:
    """The accounts' User table, reached through the registry (core imports no sub-domain)."""
    from procurement.core.tables import InboxItem

    return cast(Any, InboxItem.recipient)._foreign_key_meta.resolved_references


# --------------------------------------------------------------------------- writing (notify)


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    address: str
    active: bool
    opted_out: bool
    digest: bool


async def recipients(ids: list[int], event: str) -> list[Recipient]:
    """Who gets ``event`` by email and how: address, switched off, or held for the digest."""
    from procurement.core.tables import NotificationOptOut, NotificationSetting

    user = _user_table()
    rows = await user.select(user.id, user.display_name, user.email, user.is_active).where(user.id.is_in(ids))
    off = await NotificationOptOut.select(NotificationOptOut.user).where(
        NotificationOptOut.user.is_in(ids)
        & (NotificationOptOut.event == event)
        & (NotificationOptOut.channel == "email")
    )
    digest = await NotificationSetting.select(NotificationSetting.user).where(
        NotificationSetting.user.is_in(ids) & (NotificationSetting.email_digest == True)
    )
    off_ids = {r["user"] for r in off}
    digest_ids = {r["user"] for r in digest}
    return [
        Recipient(
            id=r["id"],
            name=r["display_name"],
            address=(r["email"] or "").strip(),
            active=bool(r["is_active"]),
            opted_out=r["id"] in off_ids,
            digest=r["id"] in digest_ids,
        )
        for r in sorted(rows, key=lambda r: r["id"])
    ]


def email_row(
    event: str,
    context: dict[str, Any],
    title: str,
    body: str,
    link: str,
    person: Recipient,
    now: datetime,
    dedupe_key: str | None,
) -> Any:
    """The outbox row of one recipient's email: rendered now (in the language of the
    change), pending, held for the digest, or skipped with the reason."""
    from procurement.core.tables import OutboxMessage

    status, reason = PENDING, ""
    if not person.active:
        status, reason = SKIPPED, _("账号已停用。")
    elif not person.address:
        status, reason = SKIPPED, _("未填写电子邮箱。")
    elif person.opted_out:
        status, reason = SKIPPED, _("用户已关闭此类邮件通知。")
    elif person.digest:
        status = HELD
    url = email.absolute(link, _settings().public_base_url)
    rendered = email.Rendered(subject=title[:300], text="", html="")
    if status != SKIPPED:
        rendered = email.render(
            event,
            {**context, "message_title": title, "message_body": body, "url": url, "recipient_name": person.name},
        )
    return OutboxMessage(
        recipient=person.id,
        channel="email",
        event=event,
        address=person.address,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        link=url[:300],
        status=status,
        attempts=0,
        next_check_at=now if status == PENDING else None,
        last_error=reason,
        created_at=now,
        dedupe_key=dedupe_key,
    )


# --------------------------------------------------------------------------- sending


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: tenacity's exponential
    wait (base, 2×base, 4×base …, at most 6 hours)."""
    from tenacity import RetryCallState, wait_exponential  # only a failed sending needs it (issue 11, cold start)

    base = _settings().email_retry_base_seconds
    wait = wait_exponential(multiplier=base, min=base, max=MAX_BACKOFF.total_seconds())
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempts)
    return timedelta(seconds=wait(state))


def _lease() -> timedelta:
    """How long a claim keeps others off: longer than any one SMTP conversation."""
    return timedelta(seconds=max(300, 4 * _settings().smtp_timeout_seconds))


async def send_due() -> int:
    """Sweep: send every pending message whose time has come, oldest first; returns how many
    were sent, not counting a sealed event's (a bid receipt: the count would tell that someone
    bid, in the scheduler's run log the administrators read; invariant 2)."""
    from procurement.core.notify import SEALED_EVENTS
    from procurement.core.tables import OutboxMessage

    sent = 0
    tried: set[int] = set()
    while True:
        now = clock.now()
        rows = (
            await OutboxMessage.select(OutboxMessage.id, OutboxMessage.event)
            .where((OutboxMessage.status == PENDING) & (OutboxMessage.next_check_at <= now))
            .order_by(OutboxMessage.next_check_at)
            .order_by(OutboxMessage.id)
            .limit(BATCH + len(tried))
        )
        fresh = [(r["id"], r["event"]) for r in rows if r["id"] not in tried]
        if not fresh:
            return sent
        tried.update(message_id for message_id, _event in fresh)
        for message_id, event in fresh:
            try:
                done = await send_one(message_id)
                sent += 0 if event in SEALED_EVENTS else done
            except Exception:  # one message must not stop the others; its lease ends and it is tried again
                log.exception("outbox: message %s failed", message_id)


async def _claim(message_id: int) -> dict[str, Any] | None:
    """Take one due pending message for one attempt (a conditional UPDATE, committed
    before sending); None when it is not due or another sender took it."""
    from procurement.core.tables import OutboxMessage

    now = clock.now()
    async with db.transaction():
        taken = (
            await OutboxMessage.update(
                {OutboxMessage.attempts: OutboxMessage.attempts + 1, OutboxMessage.next_check_at: now + _lease()}
            )
            .where(
                (OutboxMessage.id == message_id)
                & (OutboxMessage.status == PENDING)
                & (OutboxMessage.next_check_at <= now)
            )
            .returning(OutboxMessage.attempts)
        )
        if not taken:
            return None
        row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    return {**cast(dict[str, Any], row), "attempts": taken[0]["attempts"]}


async def send_one(message_id: int) -> bool:
    """One attempt at one message, if it is due and nobody else has it; True when sent."""
    from procurement.core.tables import OutboxMessage

    row = await _claim(message_id)
    if row is None:
        return False
    settings = _settings()
    error = ""
    try:
        await deliver(row, settings)
    except email.DeliveryFailed as exc:
        error = str(exc)
    except Exception as exc:  # a bad message (an address the library refuses) fails the same way
        log.exception("outbox: message %s could not be sent", message_id)
        error = f"{type(exc).__name__}: {exc}"[:1000]
    now = clock.now()
    # The outcome of the attempt this sender claimed, and of no other (a lease that ran out).
    attempt = OutboxMessage.attempts == row["attempts"]
    after = {"event": row["event"], "recipient": row["recipient"], "attempts": row["attempts"]}
    try:
        async with db.transaction():
            if not error:
                await apply_transition(
                    OUTBOX_TABLE,
                    OutboxMessage,
                    message_id,
                    PENDING,
                    "send",
                    SYSTEM,
                    values={
                        OutboxMessage.sent_at: now,
                        OutboxMessage.next_check_at: None,
                        OutboxMessage.last_error: "",
                    },
                    guard=attempt,
                    after=after,
                )
            elif row["attempts"] >= settings.email_max_attempts:
                log.warning("outbox: message %s failed after %s attempts: %s", message_id, row["attempts"], error)
                await apply_transition(
                    OUTBOX_TABLE,
                    OutboxMessage,
                    message_id,
                    PENDING,
                    "give_up",
                    SYSTEM,
                    values={OutboxMessage.next_check_at: None, OutboxMessage.last_error: error},
                    guard=attempt,
                    after={**after, "error": error[:200]},
                )
            else:
                log.info("outbox: message %s attempt %s failed, retried later: %s", message_id, row["attempts"], error)
                await OutboxMessage.update(
                    {OutboxMessage.next_check_at: now + backoff(row["attempts"]), OutboxMessage.last_error: error}
                ).where((OutboxMessage.id == message_id) & (OutboxMessage.status == PENDING) & attempt)
    except Conflict:  # the lease ran out and another attempt took the message: its outcome counts
        log.warning("outbox: message %s attempt %s outlived its lease", message_id, row["attempts"])
    return not error


async def deliver(row: dict[str, Any], settings: Any) -> None:
    """Hand one message to the configured transport (raises DeliveryFailed)."""
    user = _user_table()
    person = await user.select(user.display_name).where(user.id == row["recipient"]).first()
    message = email.build_message(
        key=f"outbox-{row['id']}",
        sender=settings.email_sender,
        to_address=row["address"],
        to_name=person["display_name"] if person else "",
        subject=row["subject"],
        text=row["text"],
        html=row["html"],
        created_at=row["created_at"],
    )
    if settings.email_backend == "smtp":
        await email.send_smtp(message, settings)
        return
    name = f"{clock.to_local(row['created_at']):%Y%m%d-%H%M%S}-{row['id']:08d}"
    directory = outbox_dir()
    try:
        await anyio.to_thread.run_sync(email.write_eml, directory, name, message)
    except OSError as exc:
        raise email.DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def outbox_dir() -> Any:
    return _settings().var_dir / "outbox"


# --------------------------------------------------------------------------- the daily digest


def digest_day(now: datetime) -> tuple[Any, datetime]:
    """The latest digest due at ``now`` (its Beijing date) and its moment: today's at the
    digest hour once it has passed, else yesterday's. A sweep that was down catches up
    with one digest, never one per missed day."""
    local = clock.to_local(now)
    hour = time(_settings().email_digest_hour, tzinfo=clock.SHANGHAI)
    moment = datetime.combine(local.date(), hour)
    if local < moment:
        moment -= timedelta(days=1)
    return moment.date(), moment


async def send_daily_digests() -> int:
    """Sweep: for each user with held messages written before the digest's moment, one
    digest message (pending, sent by ``send_due``) carrying them, in one transaction per
    user; the key ``digest:<user>:<day>`` makes a second run (or a second process) write
    none. Returns how many digests were written."""
    from procurement.core.tables import OutboxMessage

    day, moment = digest_day(clock.now())
    rows = await OutboxMessage.select(OutboxMessage.recipient).where(
        (OutboxMessage.status == HELD) & (OutboxMessage.created_at < moment)
    )
    written = 0
    for user_id in sorted({r["recipient"] for r in rows}):
        try:
            written += await _write_digest(user_id, day, moment)
        except Exception:  # one user's digest must not stop the others'; the next run tries again
            log.exception("outbox: the digest of user %s failed", user_id)
    return written


async def _write_digest(user_id: int, day: Any, moment: datetime) -> bool:
    from procurement.core.tables import OutboxMessage

    user = _user_table()
    now = clock.now()
    async with db.transaction():
        held = (
            await OutboxMessage.select(
                OutboxMessage.id,
                OutboxMessage.event,
                OutboxMessage.subject,
                OutboxMessage.link,
                OutboxMessage.created_at,
            )
            .where((OutboxMessage.recipient == user_id) & (OutboxMessage.status == HELD))
            .where(OutboxMessage.created_at < moment)
            .order_by(OutboxMessage.id)
        )
        if not held:
            return False
        person = await user.select(user.display_name, user.email).where(user.id == user_id).first()
        address = ((person or {}).get("email") or "").strip()
        base = _settings().public_base_url
        rendered = email.render(
            DIGEST_EVENT,
            {
                "recipient_name": (person or {}).get("display_name", ""),
                "day": day,
                "items": held,
                "url": email.absolute("/inbox", base),
                "preferences_url": email.absolute("/inbox/preferences", base),
            },
        )
        made = (
            await OutboxMessage.insert(
                OutboxMessage(
                    recipient=user_id,
                    channel="email",
                    event=DIGEST_EVENT,
                    address=address,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    link=email.absolute("/inbox", base),
                    status=PENDING if address else SKIPPED,
                    attempts=0,
                    next_check_at=now if address else None,
                    last_error="" if address else _("未填写电子邮箱。"),
                    created_at=now,
                    dedupe_key=f"digest:{user_id}:{day.isoformat()}",
                )
            )
            .on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
            .returning(OutboxMessage.id)
        )
        if not made:
            return False
        for message in held:
            await apply_transition(
                OUTBOX_TABLE,
                OutboxMessage,
                message["id"],
                HELD,
                "digest",
                SYSTEM,
                values={OutboxMessage.digest_id: made[0]["id"]},
                after={"digest_id": made[0]["id"]},
            )
    return True


async def prune_old() -> int:
    """Sweep (daily): messages that are done with — sent, not sent (skipped) or carried by a
    digest — older than ``email_keep_days`` are deleted with their bodies (the inbox items
    and the audit rows of their delivery stay); pending, held and failed ones are kept.
    One statement, idempotent."""
    from procurement.core.tables import OutboxMessage

    cutoff = clock.now() - timedelta(days=_settings().email_keep_days)
    old = OutboxMessage.status.is_in([SENT, SKIPPED, DIGESTED]) & (OutboxMessage.created_at < cutoff)
    count = await OutboxMessage.count().where(old)
    if count:
        await OutboxMessage.delete().where(old)
    return count
