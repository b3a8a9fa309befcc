"""Append-only, hash-chained audit log (invariant 4), anchored by signed, published heads.

Each row stores the hash of the row before it and its own hash over its
content, so editing, deleting or reordering any row breaks the chain from that
row on; ``procurement audit verify`` names the first broken row. Rows are
written in the same transaction as the change they record. Writers are
serialized so the chain never forks: by an advisory transaction lock on
PostgreSQL, by the IMMEDIATE write transaction on SQLite.

A chain alone does not stop someone who can write to the database from editing
a row and recomputing every later hash. So the system regularly *anchors* the
chain (:func:`anchor`): it appends an ``audit.anchored`` row and signs that
head row's hash and time with an Ed25519 key kept outside the database (a file
under the var directory, or ``PROCUREMENT_AUDIT_KEY_FILE``); the signed anchor
is stored in ``audit_anchor`` and published on the public page ``/audit/anchors``
and its Atom feed. The verifier checks every anchor's signature against the key
and that the row each anchor names still has the anchored hash. Rows written
after the newest anchor are protected only by the chain until the next one.

What an anchor publishes is the hash and the time, never a row id or a count:
both would tell how many (sealed) rows exist. Each anchor also signs the
digest of the anchor before it, so deleting an anchor in the middle is found;
deleting the newest ones is found only against a copy kept elsewhere (the feed
read by someone else, ``procurement audit verify --anchors``).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from procurement.core import clock, db
from procurement.core.actors import SYSTEM, Actor
from procurement.core.i18n import _
from procurement.settings import get_settings

if TYPE_CHECKING:  # cryptography loads on first use, not at start-up (issue 11, cold start)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS_HASH = "0" * 64
_ADVISORY_KEY = 7_316_001  # any constant; names the audit chain's lock
ANCHOR_FORMAT = "procurement-audit-anchor/1"
ANCHOR_ACTION = "audit.anchored"
ANCHOR_ENTITY = "audit_anchor"


__all__ = [
    "SYSTEM",
    "Actor",
    "Anchor",
    "ChainReport",
    "anchor",
    "due_moment",
    "record",
    "row_hash",
    "verify_chain",
    "verify_rows",
]


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_json(value: Any) -> str:
    """Canonical JSON for before/after snapshots ("" for nothing)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of one row given the hash before it."""
    fields = {"prev": prev_hash, **_hashed_fields(row)}
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The row's fields the chain hashes, besides the previous row's hash."""
    return {
        "at": _timestamp(row["at"]),
        "actor_id": row["actor_id"],
        "actor_label": row["actor_label"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": str(row["entity_id"]),
        "before": row["before"],
        "after": row["after"],
        "ip": row["ip"],
    }


def hashed_head(row: dict[str, Any]) -> str:
    """What :func:`row_hash` hashes, up to the previous row's hash: ``"prev"`` sorts after
    every other field, so for a hash ``prev`` (64 hex digits, nothing to escape) the payload
    is ``hashed_head(row) + prev + '"}'``. PostgreSQL appends the head row's hash itself
    (:data:`_PG_APPEND`), in the statement that inserts the row."""
    payload = json.dumps(_hashed_fields(row), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return payload[:-1] + ',"prev":"'


# The due time of the time-driven item being applied (set by the scheduler around a
# due handler): every audit row written meanwhile shows it beside its real time.
_due_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("audit_due_at", default=None)
DUE_AT = "due_at"


@contextlib.contextmanager
def due_moment(at: datetime | None) -> Iterator[None]:
    """Audit rows written inside stand for a step that was due at ``at`` (issue 15 §2):
    their ``after`` gains ``due_at`` (UTC, like ``at``), hashed with the rest of the row."""
    token = _due_at.set(at)
    try:
        yield
    finally:
        _due_at.reset(token)


def _with_due(after: Any, due_at: datetime | None) -> Any:
    if due_at is None:
        return after
    if after is None:
        return {DUE_AT: _timestamp(due_at)}
    if isinstance(after, dict) and DUE_AT not in after:
        return {**after, DUE_AT: _timestamp(due_at)}
    return after


async def _lock_chain() -> None:
    """Serialize writers of the chain until the transaction ends (SQLite: the IMMEDIATE
    transaction already holds the one write lock)."""
    engine = db.get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", _ADVISORY_KEY))


# The chain's lock as a column of a statement (PostgreSQL), for a caller that takes it in the
# statement that changes the row the audit row records (``apply_transition``): one round trip
# fewer, and the lock still comes after the row's own lock, as everywhere.
LOCK_CHAIN_SQL = f"pg_advisory_xact_lock({_ADVISORY_KEY})"


def append_sql(first: int, after: str = "") -> str:
    """The row and its hash in one statement (PostgreSQL, under the chain's lock), its values
    ``$first`` … ``$first+9`` (:func:`pending_row`): the previous hash is read by the statement
    itself, after the lock was granted (by an earlier statement), so it sees every row committed
    before; the hash is SHA-256 over the head Python made (hashed_head) and that previous hash,
    the same bytes as row_hash. ``after``: a CTE the row is written for, one row per row it
    returns (``apply_transition``: no row changed, no audit row)."""
    n = [f"${first + i}" for i in range(10)]
    source = f"{after}, " if after else ""
    return (
        "INSERT INTO audit_event (at, actor_id, actor_label, action, entity_type, entity_id, before, after, ip,"
        " prev_hash, hash)"
        f" SELECT {n[0]}::timestamptz, {n[1]}::integer, {n[2]}::varchar, {n[3]}::varchar, {n[4]}::varchar,"
        f" {n[5]}::varchar, {n[6]}::text, {n[7]}::text, {n[8]}::varchar, p.prev,"
        f" encode(sha256(convert_to({n[9]}::text || p.prev || '\"}}', 'UTF8')), 'hex')"
        f" FROM {source}(SELECT coalesce((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1),"
        f" '{GENESIS_HASH}') AS prev) p RETURNING id"
    )


_PG_APPEND = append_sql(1)

# The transaction that holds the chain's lock since an earlier statement of its own (a due
# sweep's claim, ``scheduler._take``): the writers below do not take it again. The
# transaction itself is kept, not a flag: work in another transaction never inherits it.
_held_by: contextvars.ContextVar[object | None] = contextvars.ContextVar("audit_chain_held_by", default=None)


@contextlib.contextmanager
def chain_locked_here() -> Iterator[None]:
    """The current transaction (PostgreSQL) took the chain's lock (:data:`LOCK_CHAIN_SQL`)."""
    token = _held_by.set(db.get_engine().current_transaction.get())
    try:
        yield
    finally:
        _held_by.reset(token)


def chain_held() -> bool:
    """Whether the current transaction holds the chain's lock from an earlier statement."""
    held = _held_by.get()
    return held is not None and held is db.get_engine().current_transaction.get()


def _row_now(action: str, entity_type: str, entity_id: Any, *, actor: Actor, before: Any, after: Any) -> dict[str, Any]:
    """One audit row's fields as stored and hashed, its time taken now (to be called under the
    chain's lock: ``at`` grows with ``id``), in UTC to the microsecond a datetime holds, so it
    reads back identically."""
    now = clock.now()
    return {
        "at": (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC),
        "actor_id": actor.id,
        "actor_label": actor.label[:100],
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id if entity_id is not None else "")[:40],
        "before": to_json(before),
        "after": to_json(after),
        "ip": actor.ip[:64],
    }


def pending_row(action: str, entity_type: str, entity_id: Any, *, actor: Actor, before: Any, after: Any) -> list[Any]:
    """The values of :func:`append_sql` for one row (PostgreSQL, under the chain's lock:
    its time is taken now); ``after`` gains the due moment like :func:`record`'s."""
    row = _row_now(action, entity_type, entity_id, actor=actor, before=before, after=_with_due(after, _due_at.get()))
    return [*row.values(), hashed_head(row)]


async def record(
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    actor: Actor = SYSTEM,
    before: Any = None,
    after: Any = None,
    due_at: datetime | None = None,
    chain_locked: bool = False,
) -> int:
    """Append one audit row inside the caller's transaction (or a new one). ``due_at``:
    the moment a time-driven step was due (by default the scheduler's, ``due_moment``).
    ``chain_locked``: the caller's transaction already holds the chain's lock
    (:data:`LOCK_CHAIN_SQL`, taken in an earlier statement)."""

    after = _with_due(after, due_at or _due_at.get())
    postgres = isinstance(db.get_engine(), PostgresEngine)

    async with db.transaction():
        if not chain_locked and not chain_held():
            await _lock_chain()
        if postgres:
            values = pending_row(action, entity_type, entity_id, actor=actor, before=before, after=after)
            return await db.fetchval_raw(_PG_APPEND, *values)
        row = _row_now(action, entity_type, entity_id, actor=actor, before=before, after=after)
        inserted = await db.get_engine().run_querystring(QueryString(_SQLITE_APPEND, *row.values(), hashed_head(row)))
        return int(inserted[0]["id"])


# SQLite (the IMMEDIATE transaction holds the one write lock): the row and its hash in one plain
# statement, like PostgreSQL's :func:`append_sql` (issue 11: one hop to the connection's thread,
# not two; Piccolo's select and insert cost more to build than to run). The previous hash is read
# by the statement itself; the hash is the pooled connection's SHA-256 function over the head
# Python made and that previous hash, the same bytes as :func:`row_hash`.
_SQLITE_APPEND = (
    "INSERT INTO audit_event (at, actor_id, actor_label, action, entity_type, entity_id, before, after, ip,"
    " prev_hash, hash)"
    " SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, p.prev, "
    + db.SHA256_HEX
    + "({} || p.prev || '\"}}')"  # '"}' (a brace doubled for the query's own placeholders)
    f" FROM (SELECT coalesce((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}') AS prev) p"
    " RETURNING id"
)


# --------------------------------------------------------------------------- anchors: pure parts


@dataclass(frozen=True)
class Anchor:
    """A signed head of the chain. ``row_id`` is known only to the database's copy:
    a copy read from the published feed has none (it would count rows)."""

    seq: int
    at: datetime
    row_hash: str
    prev_digest: str
    key_id: str
    signature: str
    row_id: int | None = None

    def message(self) -> bytes:
        return anchor_message(self.seq, self.at, self.row_hash, self.prev_digest)

    def digest(self) -> str:
        """What the next anchor signs as its predecessor."""
        return hashlib.sha256(self.message() + b"\n" + self.signature.encode("ascii")).hexdigest()

    def same_published_fields(self, other: Anchor) -> bool:
        return (self.seq, _timestamp(self.at), self.row_hash, self.prev_digest, self.signature) == (
            other.seq,
            _timestamp(other.at),
            other.row_hash,
            other.prev_digest,
            other.signature,
        )


def signed_time(value: datetime) -> str:
    """An anchor's time as its signature covers it: UTC, to the microsecond."""
    return _timestamp(value)


def anchor_message(seq: int, at: datetime, head_hash: str, prev_digest: str) -> bytes:
    """The exact bytes an anchor's signature covers (documented on /audit/anchors)."""
    return "\n".join([ANCHOR_FORMAT, str(seq), _timestamp(at), head_hash, prev_digest]).encode("ascii")


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint of the public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def sign_anchor(key: Ed25519PrivateKey, seq: int, at: datetime, head_hash: str, prev_digest: str) -> Anchor:
    signature = key.sign(anchor_message(seq, at, head_hash, prev_digest)).hex()
    return Anchor(seq, at, head_hash, prev_digest, key_id(key.public_key()), signature)


def signature_ok(key: Ed25519PublicKey, anchor: Anchor) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(bytes.fromhex(anchor.signature), anchor.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key kept elsewhere: PEM, or the 64 hex digits shown on /audit/anchors."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))


# --------------------------------------------------------------------------- anchors: the key


_keys: dict[str, Ed25519PrivateKey] = {}


def key_path() -> Path:
    configured = get_settings().audit_key_file
    return Path(configured) if configured else get_settings().var_dir / "audit_anchor_key.pem"


def signing_key(*, create: bool = True) -> Ed25519PrivateKey | None:
    """The anchor signing key, made on first use (mode 600; two processes starting
    together end with one key). ``create=False``: None when there is none yet."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path()
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process made the key first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    _keys[str(path)] = key
    return key


def public_key() -> Ed25519PublicKey | None:
    """The public half of the signing key; None before the first anchor made one."""
    key = signing_key(create=False)
    return key.public_key() if key is not None else None


# --------------------------------------------------------------------------- anchors: writing


def _anchor_of(row: dict[str, Any]) -> Anchor:
    return Anchor(
        seq=row["seq"],
        at=row["at"],
        row_hash=row["row_hash"],
        prev_digest=row["prev_digest"],
        key_id=row["key_id"],
        signature=row["signature"],
        row_id=row["row_id"],
    )


async def anchor(*, actor: Actor = SYSTEM, once_per_day: bool = False) -> Anchor | None:
    """Anchor the chain now: append an ``audit.anchored`` row and sign its hash and time.

    The anchored head is always that new row, so every anchor names a fresh hash
    whether or not anything else (a sealed row, say) happened since the last one.
    ``once_per_day``: do nothing when an anchor exists for today (Beijing date) — the
    daily sweep, which may run in several processes, re-checks under the chain's lock.
    """
    from procurement.core.tables import AuditAnchor, AuditEvent

    key = signing_key(create=True)
    assert key is not None
    async with db.transaction():
        await _lock_chain()
        last = await AuditAnchor.select().order_by(AuditAnchor.seq, ascending=False).first()
        if once_per_day and last is not None and clock.to_local(last["at"]).date() >= clock.today_local():
            return None
        seq = last["seq"] + 1 if last else 1
        prev_digest = _anchor_of(last).digest() if last else GENESIS_HASH
        row_id = await record(ANCHOR_ACTION, ANCHOR_ENTITY, seq, actor=actor, after={"seq": seq})
        head = await AuditEvent.select(AuditEvent.at, AuditEvent.hash).where(AuditEvent.id == row_id).first()
        assert head is not None  # written above, in this transaction
        signed = sign_anchor(key, seq, head["at"], head["hash"], prev_digest)
        await AuditAnchor.insert(
            AuditAnchor(
                seq=seq,
                at=signed.at,
                row_id=row_id,
                row_hash=signed.row_hash,
                prev_digest=prev_digest,
                key_id=signed.key_id,
                signature=signed.signature,
            )
        )
    return Anchor(seq, signed.at, signed.row_hash, prev_digest, signed.key_id, signed.signature, row_id)


async def list_anchors(*, before_seq: int | None = None, limit: int | None = None) -> list[Anchor]:
    """Anchors newest first (``before_seq`` pages back)."""
    from procurement.core.tables import AuditAnchor

    query = AuditAnchor.select().order_by(AuditAnchor.seq, ascending=False)
    if before_seq is not None:
        query = query.where(AuditAnchor.seq < before_seq)
    if limit is not None:
        query = query.limit(limit)
    return [_anchor_of(r) for r in await query]


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""
    anchors: int = 0  # anchors checked
    broken_anchor: int | None = None  # the seq of the anchor the break contradicts
    changed_after_id: int | None = None  # the changed row lies after this row (0: from the start) …
    latest_anchor_at: datetime | None = None  # … up to first_broken_id


@dataclass
class ChainCheck:
    """Walks rows in id order against the chain and the anchors (each naming its row);
    pure, tested without a DB."""

    anchors: Sequence[Anchor] = ()
    start: str = GENESIS_HASH
    checked: int = 0
    _prev: str = field(init=False)
    _last_good: int = field(init=False, default=0)
    _matched: set[int] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self._prev = self.start
        self._by_row: dict[int, list[Anchor]] = defaultdict(list)
        for a in self.anchors:
            if a.row_id is not None:
                self._by_row[a.row_id].append(a)

    def _broken(self, row_id: int | None, reason: str, anchor: Anchor | None = None) -> ChainReport:
        return ChainReport(
            False,
            self.checked,
            row_id,
            reason,
            anchors=len(self.anchors),
            broken_anchor=anchor.seq if anchor else None,
            changed_after_id=self._last_good if anchor else None,
        )

    def feed(self, rows: Iterable[dict[str, Any]]) -> ChainReport | None:
        """The first problem in these rows, or None to go on."""
        for row in rows:
            self.checked += 1
            if row["prev_hash"] != self._prev:
                return self._broken(row["id"], _("上一行的哈希不符（前面的记录被删除、插入或调换）"))
            if row_hash(self._prev, row) != row["hash"]:
                return self._broken(row["id"], _("本行内容与其哈希不符（记录被修改）"))
            anchored = self._by_row.get(row["id"], ())
            for a in anchored:
                if a.row_hash != row["hash"]:
                    return self._broken(
                        row["id"],
                        _(
                            "本行的哈希与第 {seq} 号审计日志摘要所签的值不符：本行或它之前（上一份相符的摘要之后）的记录被改动，并重算了其后的哈希"
                        ).format(seq=a.seq),
                        a,
                    )
                self._matched.add(a.seq)
            if anchored:
                self._last_good = row["id"]
            self._prev = row["hash"]
        return None

    def finish(self) -> ChainReport:
        """After the last row: every anchor must have found its row."""
        missing = sorted((a for a in self.anchors if a.seq not in self._matched), key=lambda a: a.seq)
        if missing:
            a = missing[0]
            return self._broken(
                a.row_id,
                _("第 {seq} 号审计日志摘要所签的记录已不在日志中：记录被删除或截断，或被改动后重算了哈希").format(
                    seq=a.seq
                ),
                a,
            )
        latest = max((a.at for a in self.anchors), default=None)
        return ChainReport(True, self.checked, anchors=len(self.anchors), latest_anchor_at=latest)


def verify_rows(rows: Iterable[dict[str, Any]], start: str = GENESIS_HASH) -> ChainReport:
    """Check rows in id order, the first one following ``start``; pure, tested without a DB."""
    walker = ChainCheck(start=start)
    return walker.feed(rows) or ChainReport(True, walker.checked)


def check_anchors(
    anchors: Sequence[Anchor],
    key: Ed25519PublicKey | None,
    published: Sequence[Anchor] = (),
) -> ChainReport | None:
    """The anchors themselves, before any row: numbered without gaps, each signing the one
    before it, each signed with ``key``; and every copy kept elsewhere (``published``)
    present in the database unchanged. None when they are all sound; pure."""

    def broken(a: Anchor, reason: str) -> ChainReport:
        return ChainReport(False, 0, a.row_id, reason, anchors=len(anchors), broken_anchor=a.seq)

    ordered = sorted(anchors, key=lambda a: a.seq)
    if ordered and key is None:
        return broken(ordered[0], _("找不到审计日志摘要的签名密钥，无法核对摘要（密钥文件被移走或删除）"))
    prev_digest = GENESIS_HASH
    for number, a in enumerate(ordered, start=1):
        if a.seq != number:
            return broken(a, _("第 {seq} 号之前的审计日志摘要缺失（摘要被删除）").format(seq=a.seq))
        if a.prev_digest != prev_digest:
            return broken(a, _("第 {seq} 号审计日志摘要与前一份不衔接（摘要被改动或替换）").format(seq=a.seq))
        assert key is not None
        if a.key_id != key_id(key):
            return broken(
                a,
                _(
                    "第 {seq} 号审计日志摘要的签名无效：它注明的签名密钥（指纹 {key}）不是本机的那一把（摘要被伪造，或多台服务器没有共用同一个密钥文件）"
                ).format(seq=a.seq, key=a.key_id),
            )
        if not signature_ok(key, a):
            return broken(a, _("第 {seq} 号审计日志摘要的签名无效（摘要被伪造或改动）").format(seq=a.seq))
        prev_digest = a.digest()
    stored = {a.seq: a for a in ordered}
    for copy in sorted(published, key=lambda a: a.seq):
        if key is None or not signature_ok(key, copy):
            return broken(copy, _("另存的第 {seq} 号审计日志摘要签名无效（不是本系统签发的）").format(seq=copy.seq))
        kept = stored.get(copy.seq)
        if kept is None or not kept.same_published_fields(copy):
            return broken(
                kept or copy,
                _("已发布的第 {seq} 号审计日志摘要在数据库中被删除或改动").format(seq=copy.seq),
            )
    return None


async def verify_chain(
    batch_size: int = 2000,
    *,
    published: Sequence[Anchor] = (),
    key: Ed25519PublicKey | None = None,
) -> ChainReport:
    """Walk the whole log in id order, a page at a time, against every anchor.

    ``key``: a public key kept elsewhere (by default the one of the signing key
    file); ``published``: copies of anchors kept elsewhere (the saved feed).
    """
    from procurement.core.tables import AuditEvent

    anchors = list(reversed(await list_anchors()))
    if key is None:
        private = signing_key(create=False)
        key = private.public_key() if private is not None else None
    problem = check_anchors(anchors, key, published)
    if problem is not None:
        return problem
    walker = ChainCheck(anchors)
    last_id = 0
    while True:
        rows = await AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        if not rows:
            return walker.finish()
        report = walker.feed(rows)
        if report is not None:
            return report
        last_id = rows[-1]["id"]
