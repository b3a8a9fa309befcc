"""Shared set-up for the staffing tests: valid ID numbers, a roster, and a signed
contract (the demo tender awarded to 幸福家) plus copies of it, so that one worker can
be given out across many contracts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from stdnum.cn import ric

from contracts.lifecycle.tables import Contract
from procurement.awards.tables import Award
from procurement.core import clock
from tests.integration.contract_helpers import ready_contract, sign

_serial = itertools.count(1)


def id_number(birth: str = "19900101", region: str = "110105") -> str:
    """A fresh, valid 18-digit number (region, birth date, sequence, check digit)."""
    body = f"{region}{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def worker_body(name: str, level: str = "intermediate", **extra) -> dict:
    body = {
        "name": name,
        "id_number": id_number(),
        "phone": "13812345678",
        "level": level,
        "certificate_no": "" if level == "none" else f"C{next(_serial):06d}",
        "certificate_year": 2020,
        "employed_from": "2021-01-01",
    }
    body.update(extra)
    return body


async def register(client, headers, name: str, level: str = "intermediate", **extra) -> dict:
    response = await client.post("/api/v1/social-workers/", headers=headers, json=worker_body(name, level, **extra))
    assert response.status_code == 201, response.text
    return response.json()


async def signed_contract(client):
    """A contract both parties signed, running from today for a year."""
    contract, officer, provider, _tender = await ready_contract(client)
    assert (await sign(client, officer, contract)).status_code == 200
    active = await sign(client, provider, contract)
    assert active.status_code == 200 and active.json()["status"] == "active", active.text
    today = clock.today_local()
    await Contract.update({Contract.term_start: today, Contract.term_end: today + timedelta(days=364)}).where(
        Contract.id == contract["id"]
    )
    return active.json(), officer, provider


async def copies_of(contract_id: int, count: int) -> list[int]:
    """``count`` more active contracts of the same provider (each on a revoked copy of
    the award, so the one-active-award index holds): a worker's time across contracts."""
    award = (
        await Award.select()
        .where(Award.id == (await Contract.select(Contract.award).where(Contract.id == contract_id).first())["award"])
        .first()
    )
    row = await Contract.select().where(Contract.id == contract_id).first()
    ids = []
    for n in range(count):
        copy = {k: v for k, v in award.items() if k != "id"}
        copy.update(status="revoked", letter_no=f"{award['letter_no']}-C{n}")
        new_award = (await Award.insert(Award(**copy)).returning(Award.id))[0]["id"]
        values = {k: v for k, v in row.items() if k != "id"}
        values.update(award=new_award, number=f"{row['number']}-C{n}", title=f"{row['title']}（{n + 1}）")
        ids.append((await Contract.insert(Contract(**values)).returning(Contract.id))[0]["id"])
    return ids


def term(contract: dict) -> tuple[date, date]:
    return date.fromisoformat(contract["term_start"]), date.fromisoformat(contract["term_end"])
