"""Use cases of the audit log: reading it (administrators), exporting it, verifying it,
and anchoring it (the public, signed heads of the chain; see ``core/audit.py``).

Sealed rows — a bid's steps before its tender's opening (``system.audit_seal``) —
are never listed, counted or exported, and nothing that is shown depends on how
many there are: rows carry no id and no hash (both would show where hidden rows
sit), pages are reached by an opaque, encrypted cursor (the same row always gets the same one), the verification reports
no row count, and an anchor signs a fresh row of its own, so the anchored hash
changes at every anchor whether or not anything sealed happened in between.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import io
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from procurement.accounts import policies
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.tables import AuditEvent
from procurement.settings import get_settings
from procurement.system import audit_seal
from procurement.system.audit_labels import action_label, change_text, describe_change, entity_label
from procurement.system.schemas import (
    AuditAnchorOut,
    AuditAnchorPage,
    AuditChangeOut,
    AuditEventList,
    AuditEventOut,
    AuditFilterIn,
    AuditVerifyOut,
)

if TYPE_CHECKING:  # cryptography loads on first use, not at start-up (issue 11, cold start)
    from cryptography.hazmat.primitives.ciphers import Cipher

BATCH = 500
ANCHOR_OVERDUE = timedelta(days=2)  # the daily sweep should have anchored by then

# --------------------------------------------------------------------------- the opaque cursor


def _cursor_key() -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = get_settings().resolved_secret_key().encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"procurement-audit-cursor-v1", info=b"cursor").derive(
        secret
    )


_CURSOR_TAG = b"auditcur"  # 8 bytes: with the 8-byte id, exactly one AES block


def _cursor_cipher() -> Cipher:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    # One AES block is a keyed permutation: the same row always gets the same cursor
    # (so answers stay comparable), and without the key nobody learns the id from it.
    return Cipher(algorithms.AES(_cursor_key()), modes.ECB())


def encode_cursor(row_id: int) -> str:
    """The position after which the next page starts, encrypted: it must not tell how
    many rows, sealed ones included, came before."""
    encryptor = _cursor_cipher().encryptor()
    block = encryptor.update(_CURSOR_TAG + row_id.to_bytes(8, "big")) + encryptor.finalize()
    return base64.urlsafe_b64encode(block).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        block = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if len(block) != 16:
            raise ValueError("not one block")
        decryptor = _cursor_cipher().decryptor()
        plain = decryptor.update(block) + decryptor.finalize()
        if plain[:8] != _CURSOR_TAG:  # a forged or damaged cursor (one in 2**64 passes)
            raise ValueError("not a cursor")
        return int.from_bytes(plain[8:], "big")
    except ValueError:
        raise ValidationFailed(field_errors={"cursor": _("翻页参数无效，请从第一页重新浏览。")}) from None


# --------------------------------------------------------------------------- reading


def _out(r: Mapping[str, Any]) -> AuditEventOut:
    return AuditEventOut(
        at=r["at"],
        actor_id=r["actor_id"],
        actor_label=r["actor_label"],
        ip=r["ip"],
        action=r["action"],
        action_label=action_label(r["action"]),
        entity_type=r["entity_type"],
        entity_label=entity_label(r["entity_type"]),
        entity_id=r["entity_id"],
        before=r["before"],
        after=r["after"],
        changes=[
            AuditChangeOut(field=c.field, label=c.label, old=c.old, new=c.new)
            for c in describe_change(r["before"], r["after"])
        ],
    )


def _conditions(filters: AuditFilterIn) -> list[Any]:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(field_errors={"date_to": _("结束日期不能早于开始日期。")})
    found: list[Any] = []
    if filters.entity_type:
        found.append(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        found.append(AuditEvent.entity_id == filters.entity_id)
    if filters.action:
        found.append(AuditEvent.action == filters.action)
    if filters.actor:
        text = filters.actor.replace("%", "")
        if text.isdigit():  # a user id
            found.append(AuditEvent.actor_id == int(text))
        else:  # part of the name or the username
            pattern = f"%{text}%"
            found.append(
                AuditEvent.actor_label.like(pattern) if db.is_sqlite() else AuditEvent.actor_label.ilike(pattern)
            )
    if filters.date_from:
        found.append(AuditEvent.at >= clock.to_utc(datetime.combine(filters.date_from, time.min)))
    if filters.date_to:
        found.append(AuditEvent.at < clock.after_local_day(filters.date_to))
    return found


async def _visible_rows(
    filters: AuditFilterIn, before_id: int | None = None
) -> AsyncGenerator[Mapping[str, Any], None]:
    """The rows matching ``filters``, newest first, sealed ones left out, a batch at a time."""
    if not audit_seal.registered():
        raise audit_seal.AuditSealMissing()  # fail closed: nothing can tell which rows are sealed
    conditions = _conditions(filters)
    while True:
        query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(BATCH)
        for condition in conditions:
            query = query.where(condition)
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        rows = await query
        if not rows:
            return
        for row in await audit_seal.visible(rows):
            yield row
        if len(rows) < BATCH:
            return
        before_id = rows[-1]["id"]


async def list_audit_events(
    actor: CurrentUser,
    *,
    cursor: str | None = None,
    filters: AuditFilterIn | None = None,
    limit: int = 50,
) -> AuditEventList:
    """Newest first, filtered, sealed rows left out; the next page by an opaque cursor."""
    policies.can_read_audit(actor).require()
    limit = max(1, min(limit, 200))
    before_id = decode_cursor(cursor) if cursor else None
    rows: list[Mapping[str, Any]] = []
    async with contextlib.aclosing(_visible_rows(filters or AuditFilterIn(), before_id)) as found:
        async for row in found:
            rows.append(row)
            if len(rows) > limit:
                break
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditEventList(
        items=[_out(r) for r in rows], next_cursor=encode_cursor(rows[-1]["id"]) if more and rows else None
    )


# --------------------------------------------------------------------------- exporting

CSV_HEADER = (
    N_("时间（北京时间）"),
    N_("操作人"),
    N_("操作人编号"),
    N_("IP 地址"),
    N_("操作"),
    N_("操作代码"),
    N_("对象类型"),
    N_("对象编号"),
    N_("变更内容"),
    N_("变更前（JSON）"),
    N_("变更后（JSON）"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that Excel will not run as a formula (names and titles are typed by users)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_cell(v) for v in values])
    return out.getvalue()


def _csv_row(r: Mapping[str, Any]) -> list[Any]:
    return [
        clock.to_local(r["at"]).strftime("%Y-%m-%d %H:%M:%S"),
        r["actor_label"],
        r["actor_id"] if r["actor_id"] is not None else "",
        r["ip"],
        action_label(r["action"]),
        r["action"],
        entity_label(r["entity_type"]),
        r["entity_id"],
        change_text(r["before"], r["after"]),
        r["before"],
        r["after"],
    ]


def export_name() -> str:
    return _("审计日志-{day}.csv").format(day=clock.local_now().strftime("%Y%m%d-%H%M"))


async def export_audit_csv(actor: CurrentUser, filters: AuditFilterIn | None = None) -> AsyncIterator[bytes]:
    """The filtered rows as CSV, UTF-8 with a BOM so Excel reads the Chinese; sealed rows
    left out. Checks the reader and the filters at once, then streams."""
    policies.can_read_audit(actor).require()
    chosen = filters or AuditFilterIn()
    _conditions(chosen)  # refuse bad filters before the first byte
    if not audit_seal.registered():
        raise audit_seal.AuditSealMissing()  # fail closed, before the response starts

    async def stream() -> AsyncIterator[bytes]:
        yield ("\ufeff" + csv_line([_(h) for h in CSV_HEADER])).encode("utf-8")
        lines: list[str] = []
        async with contextlib.aclosing(_visible_rows(chosen)) as found:
            async for row in found:
                lines.append(csv_line(_csv_row(row)))
                if len(lines) >= BATCH:
                    yield "".join(lines).encode("utf-8")
                    lines = []
        if lines:
            yield "".join(lines).encode("utf-8")

    return stream()


# --------------------------------------------------------------------------- verifying


async def verify_audit(actor: CurrentUser | None = None) -> AuditVerifyOut:
    """The chain against every published anchor. Says no row count (it would count
    sealed rows) and names the broken row only if it is not sealed."""
    if actor is not None:
        policies.can_read_audit(actor).require()
    report = await audit.verify_chain()
    first_broken = None
    if report.first_broken_id is not None:
        row = await AuditEvent.select().where(AuditEvent.id == report.first_broken_id).first()
        if row is not None and audit_seal.registered() and await audit_seal.visible([row]):
            first_broken = _out(row)
    latest = report.latest_anchor_at
    if latest is None:
        newest = await audit.list_anchors(limit=1)
        latest = newest[0].at if newest else None
    out = AuditVerifyOut(
        checked_at=clock.now(),
        ok=report.ok,
        reason=report.reason,
        first_broken=first_broken,
        broken_anchor=report.broken_anchor,
        anchors=report.anchors,
        latest_anchor_at=latest,
        anchor_overdue=latest is None or clock.now() - latest > ANCHOR_OVERDUE,
    )
    global _last_check
    _last_check = out
    return out


# The last full check in this process: the administrator's dashboard shows it while it is
# younger than RECENT_CHECK (a full walk of the chain costs ~20 µs a row, 2 s at 100,000
# rows: too much for every render); any full check (the audit page, the API) renews it,
# so a break found there shows on the dashboard at once.
RECENT_CHECK = timedelta(minutes=10)
_last_check: AuditVerifyOut | None = None
_check_lock = asyncio.Lock()


async def recent_audit_check(actor: CurrentUser) -> AuditVerifyOut:
    """The last full check of the chain if younger than ``RECENT_CHECK``, else a new one
    (one at a time: renders arriving meanwhile wait for it and share its result)."""
    policies.can_read_audit(actor).require()
    async with _check_lock:
        last = _last_check
        if last is not None and timedelta(0) <= clock.now() - last.checked_at <= RECENT_CHECK:
            return last
        return await verify_audit()


# --------------------------------------------------------------------------- anchors (public)


def _anchor_out(a: audit.Anchor) -> AuditAnchorOut:
    return AuditAnchorOut(
        seq=a.seq,
        at=a.at,
        signed_at=audit.signed_time(a.at),
        head_hash=a.row_hash,
        prev_digest=a.prev_digest,
        key_id=a.key_id,
        signature=a.signature,
    )


async def list_anchors(*, before: int | None = None, limit: int = 50) -> AuditAnchorPage:
    """The published anchors, newest first, with the public key to check them (no login).
    Never the row an anchor names: its id would count the rows."""
    limit = max(1, min(limit, 200))
    found = await audit.list_anchors(before_seq=before, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    key = audit.public_key()
    return AuditAnchorPage(
        items=[_anchor_out(a) for a in found],
        next_before=found[-1].seq if more and found else None,
        key_id=audit.key_id(key) if key else "",
        public_key_hex=audit.public_key_bytes(key).hex() if key else "",
        public_key_pem=audit.public_key_pem(key) if key else "",
    )


async def anchor_now(actor: Actor = SYSTEM) -> AuditAnchorOut:
    """Anchor the chain at once (``procurement audit anchor``)."""
    made = await audit.anchor(actor=actor)
    assert made is not None  # only once_per_day anchors may be skipped
    return _anchor_out(made)


async def anchor_daily() -> int:
    """Sweep: anchor once per Beijing day; idempotent, re-checked under the chain's lock."""
    return 1 if await audit.anchor(once_per_day=True) is not None else 0
