"""Integration tests run against a real database: SQLite by default, or
PostgreSQL when ``DATABASE_URL`` names one. For PostgreSQL a fresh database is
created for the run and dropped after it; if the server cannot be reached the
run fails here (it never skips)."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

_PG_URL = os.environ.get("DATABASE_URL", "")
_TEMP_DB: tuple[str, str] | None = None

if _PG_URL.startswith(("postgresql://", "postgres://")):
    import asyncpg

    _name = f"procurement_test_{uuid.uuid4().hex[:10]}"

    async def _create() -> None:
        conn = await asyncpg.connect(_PG_URL)  # raises (fails the run) when the server is missing
        try:
            await conn.execute(f'CREATE DATABASE "{_name}"')
        finally:
            await conn.close()

    asyncio.run(_create())
    _base, _, _ = _PG_URL.rpartition("/")
    os.environ["DATABASE_URL"] = f"{_base}/{_name}"
    _TEMP_DB = (_PG_URL, _name)
else:
    os.environ.pop("DATABASE_URL", None)

from procurement.settings import reset_settings_cache  # noqa: E402

reset_settings_cache()

from procurement.accounts.states import Role  # noqa: E402
from procurement.app import create_app, installed_packages  # noqa: E402
from procurement.cli import migrate  # noqa: E402
from procurement.core import clock, db  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    if _TEMP_DB is None:
        return
    import asyncpg

    url, name = _TEMP_DB

    async def _drop() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(_drop())


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    installed_packages()  # sweeps and event handlers, as in every process that serves
    await db.start()
    await migrate()
    yield
    await db.stop()


def tables_in_delete_order() -> list[type]:
    """Every table of every installed Piccolo app, children before parents: the
    order comes from the app registry and the foreign keys, not from a list."""
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return list(reversed(sort_table_classes(Finder().get_table_classes())))


def _wipe_statements() -> list[str]:
    """Every table emptied, children first. DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of
    every table took 1.4-2.3 s (new files for each table), these DELETEs of a few demo rows 0.1 s."""
    from piccolo.columns import ForeignKey

    statements = []
    # system_value last: the version triggers (portal_version, dashboard_version) of the
    # tables deleted before it write their row back into it.
    for table in sorted(tables_in_delete_order(), key=lambda t: t._meta.tablename == "system_value"):
        name = table._meta.tablename
        for column in table._meta.foreign_key_columns:
            if isinstance(column, ForeignKey) and column._foreign_key_meta.resolved_references is table:
                # A table that refers to itself (an organization's parent) lets go of itself first.
                statements.append(f"UPDATE {name} SET {column._meta.db_column_name} = NULL")
        statements.append(f"DELETE FROM {name}")
    return statements


async def _wipe() -> None:
    from piccolo.querystring import QueryString

    engine = db.get_engine()
    for statement in _wipe_statements():
        await engine.run_querystring(QueryString(statement))


# The demo as ``load_demo`` leaves it, copied row for row into tables of their own
# (a schema of its own on PostgreSQL), so that ``clean`` restores it with one
# INSERT … SELECT per table instead of building it again through the services for
# every test (~0.5 s each, 538 tests, two databases). The copy is rebuilt through
# the services when it is older than a minute or was made on another Beijing day:
# the demo's dates and deadlines are reckoned from the moment it was loaded.
_SNAPSHOT_MAX_AGE = 60.0
_snapshot: dict[str, Any] = {}


def _snapshot_name(table: str) -> str:
    return f"clean_snapshot.{table}" if not db.is_sqlite() else f"zz_clean_snapshot_{table}"


async def _take_snapshot(tables: list[str]) -> None:
    from piccolo.querystring import QueryString

    engine = db.get_engine()
    if not db.is_sqlite():
        await engine.run_querystring(QueryString("DROP SCHEMA IF EXISTS clean_snapshot CASCADE"))
        await engine.run_querystring(QueryString("CREATE SCHEMA clean_snapshot"))
    for table in tables:
        snap = _snapshot_name(table)
        if db.is_sqlite():
            await engine.run_querystring(QueryString(f"DROP TABLE IF EXISTS {snap}"))
        await engine.run_querystring(QueryString(f"CREATE TABLE {snap} AS SELECT * FROM {table}"))


def _restore_statements(tables: list[str]) -> list[str]:
    """The snapshot's rows back into the emptied tables (one transaction's worth)."""
    # system_value first: the portal-version triggers of notice and tender write a fresh
    # random value into it as their rows come back (no cache can mistake the state).
    order = sorted(tables, key=lambda name: name != "system_value")
    statements = [f"INSERT INTO {table} SELECT * FROM {_snapshot_name(table)}" for table in order]
    if not db.is_sqlite():
        statements += [
            f"SELECT setval(seq, (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false) "
            f"FROM pg_get_serial_sequence('{table}', 'id') AS seq WHERE seq IS NOT NULL"
            for table in order
        ]
    return statements


_scripts: dict[tuple[str, ...], str] = {}


async def _wipe_and_restore_in_one_script(tables: list[str]) -> None:
    """:func:`_wipe` and the snapshot's rows back (:func:`_restore_statements`) in one transaction,
    sent as one script: one round trip on PostgreSQL (one by one, the ~200 statements cost
    0.16 s a test against 0.02 s), one hop to a pooled connection's thread on SQLite."""
    key = tuple(tables)
    if key not in _scripts:
        begin = "BEGIN IMMEDIATE" if db.is_sqlite() else "BEGIN"
        _scripts[key] = ";\n".join([begin, *_wipe_statements(), *_restore_statements(tables), "COMMIT"])
    engine: Any = db.get_engine()
    if not db.is_sqlite():
        async with engine.pool.acquire() as connection:
            await connection.execute(_scripts[key])
        return
    async with engine.writer_lock():
        connection = await engine.acquire()
        try:
            await connection.executescript(_scripts[key])
        finally:
            await engine.release(connection)


async def _load_clean_demo() -> None:
    import time

    from procurement.demo import load_demo
    from procurement.system.services import load_calendar

    clock.freeze(None)
    clock.set_offset(timedelta(0))
    tables = [table._meta.tablename for table in reversed(tables_in_delete_order())]
    fresh = (
        _snapshot.get("tables") == tables
        and time.monotonic() - _snapshot["at"] < _SNAPSHOT_MAX_AGE
        and _snapshot["day"] == clock.today_local()
    )
    if fresh:
        await _wipe_and_restore_in_one_script(tables)
    else:
        await _wipe()
        await load_demo()
        await load_calendar()
        await _take_snapshot(tables)
        _snapshot.update(tables=tables, at=time.monotonic(), day=clock.today_local())


@pytest.fixture
async def clean(database) -> AsyncIterator[None]:
    """An empty database with the demo loaded, the clock running normally."""
    await _load_clean_demo()
    yield
    clock.freeze(None)


@pytest.fixture(scope="session")
def app(database):
    return create_app(run_scheduler=False)


@pytest.fixture
async def client(app, clean) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


DEMO_PASSWORD = "Shangcheng2026"


async def api_login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in through the API; returns the Authorization header to use."""
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


_CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def page_login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    """Sign in through the login form, as a browser does."""
    form_page = await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/dashboard",
            "_csrf_token": csrf_from(form_page.text),
        },
    )
    return response


async def post_form(client: httpx.AsyncClient, page_url: str, url: str, data: dict[str, Any]) -> httpx.Response:
    """GET a page for its CSRF token, then POST a form to ``url``."""
    form_page = await client.get(page_url)
    return await client.post(url, data={**data, "_csrf_token": csrf_from(form_page.text)})


__all__ = ["api_login", "page_login", "post_form", "csrf_from", "DEMO_PASSWORD", "Role"]
