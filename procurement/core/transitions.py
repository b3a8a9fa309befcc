"""The one way a status changes (invariant 3).

``apply_transition`` decides with the aggregate's transition table against the
status the caller read, writes the new status with a conditional
``UPDATE … WHERE id = … AND status = … RETURNING`` and appends the audit row,
all in the caller's transaction. When no row changed, somebody else moved the
row first: the caller gets a clear 409 and nothing of its transaction stays.

Only the services of the sub-domain that owns the aggregate call it (a test
reads the code to keep it so); everybody else calls those services.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from piccolo.columns import JSON, JSONB, Column
from piccolo.columns.combination import Combinable
from piccolo.querystring import QueryString, Selectable
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from procurement.core import audit, db
from procurement.core.actors import Actor
from procurement.core.errors import Conflict
from procurement.core.fsm import TransitionTable
from procurement.core.i18n import N_, _

STALE = N_("已被他人处理，请刷新后重试。")

# PostgreSQL: the audit chain's lock in the statement that changes the row, taken only once
# the row is changed (so after the row's lock, the order every writer keeps): one round trip
# fewer per transition (issue 11). No row changed, no lock.
_LOCKING = "WITH changed AS ({update}) SELECT " + audit.LOCK_CHAIN_SQL + " FROM changed"


# Values asyncpg takes as they are for a column other than JSON (convert_to_sql_value would
# return them unchanged): Enums and tables still go through it. A StrEnum is not exactly str.
_PLAIN = frozenset({str, int, bool, datetime, date, type(None)})


@functools.lru_cache(maxsize=256)
def _update_sql(model: type[Table], columns: tuple[str, ...], audited: bool = False) -> str:
    """``apply_transition``'s conditional UPDATE of the columns named (the status first)
    on PostgreSQL: ``$1…$n`` their values, then the row's key and the status it must still have.
    ``audited``: the chain's lock is held already, and the audit row (``audit.pending_row``'s
    values next) is written by the same statement, for the row changed."""
    n = len(columns)
    names = [model._meta.get_column_by_name(name)._meta.db_column_name for name in columns]
    sets = ", ".join(f'"{name}" = ${i}' for i, name in enumerate(names, start=1))
    key = model._meta.primary_key._meta.db_column_name
    update = (
        f"UPDATE {model._meta.get_formatted_tablename()} SET {sets}"
        f' WHERE "{key}" = ${n + 1} AND "{names[0]}" = ${n + 2} RETURNING "{key}"'
    )
    if audited:
        return f"WITH changed AS ({update}) " + audit.append_sql(n + 3, after="changed")
    return _LOCKING.format(update=update)


async def apply_transition(
    table: TransitionTable,
    model: type[Table],
    row_id: int,
    current: str,
    action: str,
    actor: Actor,
    *,
    values: Mapping[Column | str, Any] | None = None,
    audit_action: str | None = None,
    entity_type: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    guard: Combinable | None = None,
) -> str:
    """Take ``action`` on row ``row_id`` of ``model``, which the caller read in
    status ``current``; returns the new status.

    ``values`` are the other columns the step sets (dates, reasons); ``guard``
    adds a condition the row must still meet (a version the caller read). The audit
    row (``audit_action``, by default ``<table>.<action>``) records the status
    before and after plus ``before``/``after``, and the actor: a person with
    the relations their policy granted, or the system for time-driven steps.
    """
    transition = table.decide(current, action, actor)
    status: Column = cast(Any, model).status  # every table with a transition table has one
    key: Column = model._meta.primary_key
    changes: dict[Column, Any] = {status: transition.target}
    for column, value in (values or {}).items():
        changes[model._meta.get_column_by_name(column) if isinstance(column, str) else column] = value
    # What the audit row says, whichever way it is written.
    audited: dict[str, Any] = {
        "action": audit_action or f"{table.name}.{transition.action}",
        "entity_type": entity_type or model._meta.tablename,
        "entity_id": row_id,
        "actor": actor,
        "before": {"status": transition.source, **(before or {})},
        "after": {"status": transition.target, **(after or {})},
    }

    def condition() -> Combinable:  # Piccolo's where clause, built only where Piccolo builds the UPDATE
        where = (key == row_id) & (status == transition.source)
        return where if guard is None else where & guard

    async with db.transaction():
        if db.is_sqlite():
            changed = await model.update(cast(dict[Column | str, Any], changes)).where(condition()).returning(key)
        elif guard is None and not any(isinstance(v, Selectable) for v in changes.values()):
            # The common case as one prepared statement, without Piccolo's query building
            # (most of a due sweep's time per item, issue 11): the same UPDATE, the same values.
            names = tuple(c._meta.name for c in changes)
            args = [
                v if type(v) in _PLAIN and not isinstance(c, (JSON, JSONB)) else convert_to_sql_value(v, c)
                for c, v in changes.items()
            ]
            if audit.chain_held():
                # The chain's lock was taken by an earlier statement (a due sweep's claim): the
                # audit row goes with the UPDATE, in the same statement, only if a row changed.
                row = audit.pending_row(**audited)
                written = await db.fetch_raw(_update_sql(model, names, True), *args, row_id, transition.source, *row)
                if not written:
                    raise Conflict(
                        _(STALE), extra={"entity": model._meta.tablename, "id": row_id, "action": transition.action}
                    )
                return transition.target
            changed = await db.fetch_raw(_update_sql(model, names), *args, row_id, transition.source)
        else:
            update = model.update(cast(dict[Column | str, Any], changes)).where(condition()).returning(key)
            [changing] = update.querystrings
            changed = await db.get_engine().run_querystring(QueryString(_LOCKING.format(update="{}"), changing))
        if not changed:
            raise Conflict(_(STALE), extra={"entity": model._meta.tablename, "id": row_id, "action": transition.action})
        await audit.record(**audited, chain_locked=True)
    return transition.target
