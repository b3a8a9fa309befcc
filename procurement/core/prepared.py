"""Piccolo selects built once and run many times with new values (issue 11, the dashboard).

Building a Piccolo select (its columns copied, the joins worked out, the SQL assembled
from nested query strings) costs more CPU than SQLite takes to run it: 0.3–1 ms for a
select with joins, and a dashboard runs a dozen on every request. A ``Prepared`` query
is built by its function once per engine with a ``Param`` where each value goes; the
compiled SQL is kept, and each run puts the values in the argument list and hands the
SQL to the engine as it is, then post-processes the rows through the query it was
built from (JSON columns, nested names), exactly as running the query would.

Only the values may change between runs, never the shape: a value is always compared
the same way, so ``None`` (which Piccolo turns into ``IS NULL``) is refused, and a list
whose length varies (``is_in``) cannot be a ``Param`` (a fixed list, a state set, is
part of the shape). Enums are passed as their values, as Piccolo does.

    _OWN = Prepared(lambda org: Bid.select(Bid.id).where(Bid.organization == org))
    rows = await _OWN(org_id)
    rows = await prepared.run(lambda org: Bid.select(Bid.id).where(Bid.organization == org), org_id)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from piccolo.query.base import Query
from piccolo.querystring import QueryString

from procurement.core import db


class Param:
    """A value's place in a prepared query (the ``index``-th argument of a run)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"Param({self.index})"


class Prepared:
    """``build(*params)`` returns a Piccolo select; calling the ``Prepared`` with values
    runs it with those values in the params' places and returns its rows."""

    def __init__(self, build: Callable[..., Query[Any, Any]], params: int | None = None) -> None:
        self._build = build
        self._params = params if params is not None else build.__code__.co_argcount
        self._compiled: dict[str, tuple[Query[Any, Any], str, list[Any]]] = {}

    def _compile(self, engine_type: str) -> tuple[Query[Any, Any], str, list[Any]]:
        query = self._build(*(Param(i) for i in range(self._params)))
        querystrings = query.querystrings
        if len(querystrings) != 1:
            raise ValueError("a prepared query must be one statement")
        sql, args = querystrings[0].compile_string(engine_type=engine_type)
        used = {a.index for a in args if isinstance(a, Param)}
        if used != set(range(self._params)):
            raise ValueError(f"prepared query: parameters {sorted(set(range(self._params)) - used)} unused")
        compiled = (query, sql, args)
        self._compiled[engine_type] = compiled
        return compiled

    async def __call__(self, *values: Any) -> list[dict[str, Any]]:
        if len(values) != self._params:
            raise TypeError(f"prepared query takes {self._params} values, got {len(values)}")
        for value in values:
            if value is None or isinstance(value, (list, tuple, set)):
                raise ValueError("a prepared query's value is never None or a list (its SQL would differ)")
        engine = db.get_engine()
        query, sql, args = self._compiled.get(engine.engine_type) or self._compile(engine.engine_type)
        bound = [_sql_value(values[a.index]) if isinstance(a, Param) else a for a in args]
        querystring = QueryString("", query_type="select", table=query.table)
        querystring._frozen_compiled_strings = (sql, bound)
        rows = await engine.run_querystring(querystring)
        return await query._process_results(rows)


def _sql_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


_inline: dict[Any, Prepared] = {}


async def run(build: Callable[..., Query[Any, Any]], *values: Any) -> list[dict[str, Any]]:
    """Run ``build``'s query with ``values``, prepared on its first run: the query written
    where it is used, ``await prepared.run(lambda org_id: Bid.select(…).where(…), org_id)``.
    Kept by the function's code (its place in the source), so ``build`` may capture nothing
    from around it: every value it needs comes in through its parameters."""
    if build.__closure__:
        raise ValueError("a prepared query's function takes its values as parameters, not from around it")
    found = _inline.get(build.__code__)
    if found is None:
        found = _inline[build.__code__] = Prepared(build)
    return await found(*values)
