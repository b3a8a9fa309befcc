"""A dashboard reads the same number of queries however much work waits (issue 11: the
dashboard fell to 29 requests/s as the contracts' items read each contract one by one).

The scene: a running contract of 幸福家 with the bureau (its reports past due, an
evaluation assigned to 评估所, its installments), a second one still awaiting the
signatures, and the demo's tenders and bids. Every role's dashboard is rendered and its
queries counted; then the contracts are copied twice over with everything that hangs
on them (reports, signatures, installments, evaluations, team) and the published tenders
twice over, and every count must stay the same while the cards show more."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, Varchar
from piccolo.conf.apps import Finder

from contracts.lifecycle.tables import Contract
from procurement.awards.tables import Award
from procurement.core import db
from procurement.tenders.states import TenderStatus
from procurement.tenders.tables import Tender
from tests.integration.conftest import page_login
from tests.integration.test_assessments import assigned
from tests.integration.test_contract_payments import activated
from tests.integration.test_dashboards import ROLES

USERS = [*ROLES, "yile", "expert2"]


async def queries_of(client, monkeypatch, username: str) -> tuple[int, str]:
    """The queries one GET /dashboard runs for ``username`` (signed in before counting)."""
    client.cookies.clear()
    await page_login(client, username)
    engine = type(db.get_engine())  # the class: PostgreSQL's engine takes no instance attribute
    seen: list[str] = []
    run = engine.run_querystring

    async def counted(self, querystring, *args: Any, **kwargs: Any):
        seen.append(str(querystring))
        return await run(self, querystring, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "run_querystring", counted)
        response = await client.get("/dashboard")
    assert response.status_code == 200, response.text[:300]
    client.cookies.clear()
    return len(seen), response.text


def _children(parent: type) -> list[tuple[type, ForeignKey]]:
    """Every table with a foreign key to ``parent``, with that key."""
    found = []
    for table in Finder().get_table_classes():
        if table is BaseUser:
            continue
        for column in table._meta.foreign_key_columns:
            if column._foreign_key_meta.resolved_references is parent:
                found.append((table, column))
    return found


async def _copy_rows(table: type, where: Any, changes: dict[str, Any], tag: str) -> None:
    for row in await table.select().where(where):
        values = {k: v for k, v in row.items() if k != table._meta.primary_key._meta.name}
        values.update(changes)
        for column in table._meta.columns:
            name = column._meta.name
            if column._meta.unique and isinstance(column, Varchar) and values.get(name) and name not in changes:
                values[name] = f"{values[name]}-{tag}"
        await table.insert(table(**values))


async def copy_contract(contract_id: int, tag: str, n: int) -> int:
    """A copy of the contract on a revoked copy of its award (the one-active-award index
    holds), titled ``…（n）``; returns its id."""
    row = await Contract.select().where(Contract.id == contract_id).first()
    award = await Award.select().where(Award.id == row["award"]).first()
    copy = {k: v for k, v in award.items() if k != "id"}
    copy.update(status="revoked", letter_no=f"{award['letter_no']}-{tag}{n}")
    new_award = (await Award.insert(Award(**copy)).returning(Award.id))[0]["id"]
    values = {k: v for k, v in row.items() if k != "id"}
    values.update(award=new_award, number=f"{row['number']}-{tag}{n}", title=f"{row['title']}（{n}）")
    return (await Contract.insert(Contract(**values)).returning(Contract.id))[0]["id"]


async def more_contracts(contract_id: int, copies: int, tag: str) -> None:
    """``copies`` more contracts like ``contract_id``, each with copies of the rows that
    hang on it."""
    for n in range(1, copies + 1):
        new_id = await copy_contract(contract_id, tag, n)
        for table, key in _children(Contract):
            await _copy_rows(table, key == contract_id, {key._meta.name: new_id}, f"{tag}{n}")


async def more_tenders(copies: int, tag: str) -> None:
    """``copies`` more of each published tender (the bid-for cards, the officer's own)."""
    for n in range(copies):
        await _copy_rows(Tender, Tender.status == TenderStatus.PUBLISHED, {}, f"{tag}{n}")


@pytest.fixture
async def scene(client):
    contract, _officer, _provider, _assessment = await assigned(client, past_year=True)
    await activated(contract)
    unsigned = await copy_contract(contract["id"], "u", 1)
    await Contract.update({Contract.status: "awaiting_signatures"}).where(Contract.id == unsigned)
    return contract["id"], unsigned


async def test_every_roles_dashboard_reads_as_many_queries_for_three_times_the_contracts_and_tenders(
    client, monkeypatch, scene
):
    active, unsigned = scene
    # The administrator's dashboard shows the audit chain's last full check (at most 10 minutes
    # old): one render first, so both counts below are of the render people get.
    await queries_of(client, monkeypatch, "admin")
    before = {u: await queries_of(client, monkeypatch, u) for u in USERS}
    for contract_id in (active, unsigned):
        await more_contracts(contract_id, 2, f"x{contract_id}-")
    await more_tenders(2, "x")
    after = {u: await queries_of(client, monkeypatch, u) for u in USERS}

    counts = {u: (before[u][0], after[u][0]) for u in USERS}
    assert all(b == a for b, a in counts.values()), f"queries (before, after): {counts}"
    # The copies are on the cards: the counts are about the same work, three times over.
    assert after["officer"][1].count("（1）") > before["officer"][1].count("（1）")
    assert after["xingfujia"][1].count("（2）") > before["xingfujia"][1].count("（2）")
