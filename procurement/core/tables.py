"""Core's own tables: the audit log and its published anchors, the inbox and the outbox of
messages to send (with each user's notification preferences), sessions and login
attempts, calendar entries and small process-shared values. They import no sub-domain: the user a
session or a message belongs to is referenced through Piccolo's app registry
(``LazyTableReference``), not by an import.

Only tables here. Money is integer fen; times are UTC (Timestamptz).
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """Append-only, hash-chained (invariant 4). Rows are never updated."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=100, default="")
    action = Varchar(length=60, index=True)
    entity_type = Varchar(length=40, index=True)
    entity_id = Varchar(length=40, default="")
    before = Text(default="")
    after = Text(default="")
    ip = Varchar(length=64, default="")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AuditAnchor(Table, tablename="audit_anchor"):
    """A signed, published head of the audit chain (``core.audit.anchor``): the head
    row's hash and the time, signed with a key kept outside the database. ``row_id``
    lets the verifier find the row; it is never published (it would count rows)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    seq = Integer(unique=True)
    at = Timestamptz()
    row_id = Integer()
    row_hash = Varchar(length=64)
    prev_digest = Varchar(length=64)
    key_id = Varchar(length=16)
    signature = Varchar(length=128)


class InboxItem(Table, tablename="inbox_item"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    recipient: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.cascade
    )
    event = Varchar(length=60)
    title = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=300, default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    # "{caller's key}:{recipient}" when notify() was given a key: the same change reported twice
    # (twice in one transaction, or by a sweep run again) makes one item. Unique through a raw
    # index (SQLite cannot add a UNIQUE column); NULLs never clash.
    dedupe_key = Varchar(length=200, null=True, default=None)


class OutboxMessage(Table, tablename="outbox_message"):
    """One message to send on one channel (email), written by notify() in the same
    transaction as the change it reports (a transactional outbox): a change that rolled
    back leaves none, and a sender that is down loses none. The sender takes the rows
    whose ``next_check_at`` has passed (pending ones), claims each with a conditional
    UPDATE, sends, and records the outcome; a failure waits with backoff."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    recipient: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.cascade
    )
    channel = Varchar(length=10, default="email")
    event = Varchar(length=60)
    address = Varchar(length=120, default="")
    subject = Varchar(length=300, default="")
    text = Text(default="")
    html = Text(default="")
    link = Varchar(length=300, default="")
    # pending → sent | failed (after the last attempt) | skipped (no address);
    # held → digested (the user takes a daily digest: the digest is a message of its own)
    status = Varchar(length=10, default="pending", index=True)
    attempts = Integer(default=0)
    next_check_at = Timestamptz(null=True, default=None, index=True)
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    digest_id = Integer(null=True, default=None)  # the digest message that carried a held one
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)


class NotificationOptOut(Table, tablename="notification_opt_out"):
    """An event a user switched off on one channel (the inbox always keeps it).
    Unique (user, channel, event): a raw index in the migration."""

    id: Serial

    user: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.cascade
    )
    channel = Varchar(length=10, default="email")
    event = Varchar(length=60)


class NotificationSetting(Table, tablename="notification_setting"):
    """A user's choice of how email arrives: at once (no row) or in one daily digest."""

    id: Serial

    user: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.cascade, unique=True
    )
    email_digest = Boolean(default=False)


class CalendarEntry(Table, tablename="calendar_entry"):
    """Holidays and 调休 working days entered by an administrator."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    day = Date(unique=True)
    is_working_day = Boolean()
    name = Varchar(length=50, default="")
    created_at = Timestamptz()


class CalendarYear(Table, tablename="calendar_year"):
    """A year whose official holiday schedule (国务院办公厅放假通知) is not published yet:
    an administrator records that its working days count weekends only until it is
    entered, so that tenders reaching into that year may be published meanwhile."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    year = Integer(unique=True)
    note = Text(default="")
    recorded_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.restrict
    )
    recorded_at = Timestamptz()


class SystemValue(Table, tablename="system_value"):
    """Small process-shared values (the time-travel clock offset)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=60, unique=True)
    value = Text(default="")


class UserSession(Table, tablename="user_session"):
    """Server-side sessions, so logout revokes and several processes agree."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    token_hash = Varchar(length=64, unique=True)
    user: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", app_name="procurement"), null=False, on_delete=OnDelete.cascade
    )
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    revoked_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=200, default="")


class LoginAttempt(Table, tablename="login_attempt"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    username = Varchar(length=50, index=True)
    ip = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
    succeeded = Boolean(default=False)


class SchedulerRun(Table, tablename="scheduler_run"):
    """One run of one sweep (issue 15 §2): who ran it, when, and what it did with its
    items; written by the sweep registry, the oldest pruned beyond the last few per sweep."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    sweep = Varchar(length=60, index=True)
    process = Varchar(length=120, default="")  # host:pid
    started_at = Timestamptz()  # the clock's time (time travel included)
    finished_at = Timestamptz()
    handled = Integer(default=0)  # items taken
    acted = Integer(default=0)  # items the handler acted on
    failed = Integer(default=0)
    error = Text(default="")  # the first failure (or the sweep's own), shortened
