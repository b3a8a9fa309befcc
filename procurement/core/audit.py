"""Append-only, hash-chained audit log (invariant 4).

Each row stores the hash of the row before it and its own hash over its
content, so editing, deleting or reordering any row breaks the chain from that
row on; ``procurement audit verify`` names the first broken row. Rows are
written in the same transaction as the change they record. Writers are
serialized so the chain never forks: by an advisory transaction lock on
PostgreSQL, by the IMMEDIATE write transaction on SQLite.

The chain cannot show that the newest rows were cut off the end; the README
says so, and a copy of the head hash taken off the machine covers that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from procurement.core import clock, db
from procurement.core.actors import SYSTEM, Actor
from procurement.core.i18n import _

GENESIS_HASH = "0" * 64
_ADVISORY_KEY = 7_316_001  # any constant; names the audit chain's lock


__all__ = ["SYSTEM", "Actor", "record", "verify_chain", "verify_rows"]


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
    fields = {
        "prev": prev_hash,
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
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


async def record(
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    actor: Actor = SYSTEM,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one audit row inside the caller's transaction (or a new one)."""
    from procurement.core.tables import AuditEvent

    async with db.transaction():
        engine = db.get_engine()
        if isinstance(engine, PostgresEngine):
            await engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", _ADVISORY_KEY))
        last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
        prev = last["hash"] if last else GENESIS_HASH
        row: dict[str, Any] = {
            "at": clock.now(),
            "actor_id": actor.id,
            "actor_label": actor.label[:100],
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id if entity_id is not None else "")[:40],
            "before": to_json(before),
            "after": to_json(after),
            "ip": actor.ip[:64],
        }
        # Store the timestamp as hashed (microseconds, UTC) so it reads back identically.
        row["at"] = datetime.strptime(_timestamp(row["at"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        inserted = await AuditEvent.insert(AuditEvent(**row, prev_hash=prev, hash=row_hash(prev, row))).returning(
            AuditEvent.id
        )
        return inserted[0]["id"]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def verify_rows(rows: Iterable[dict[str, Any]], start: str = GENESIS_HASH) -> ChainReport:
    """Check rows in id order, the first one following ``start``; pure, tested without a DB."""
    prev = start
    checked = 0
    for row in rows:
        checked += 1
        if row["prev_hash"] != prev:
            return ChainReport(False, checked, row["id"], _("上一行的哈希不符（前面的记录被删除、插入或调换）"))
        if row_hash(prev, row) != row["hash"]:
            return ChainReport(False, checked, row["id"], _("本行内容与其哈希不符（记录被修改）"))
        prev = row["hash"]
    return ChainReport(True, checked)


async def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the whole log in id order, a page at a time."""
    from procurement.core.tables import AuditEvent

    prev, checked, last_id = GENESIS_HASH, 0, 0
    while True:
        rows = await AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        if not rows:
            return ChainReport(True, checked)
        report = verify_rows(rows, start=prev)
        if not report.ok:
            return ChainReport(False, checked + report.checked, report.first_broken_id, report.reason)
        checked += report.checked
        prev, last_id = rows[-1]["hash"], rows[-1]["id"]
