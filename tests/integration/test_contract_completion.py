"""Ending a contract with the payments and evaluations in view (issue 14 §4; rules 28,
33, 35; invariant 7): the termination settlement is bounded by what the payments ledger
has not yet released, and completion waits for the final evaluation's grade and every
installment released. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

from contracts.lifecycle.tables import Contract
from procurement.core.tables import InboxItem
from tests.integration.conftest import api_login
from tests.integration.test_assessments import all_scores, evaluate, self_assessed
from tests.integration.test_contract_payments import activated, evaluated, pay, schedule


def chinese(response) -> str:
    body = response.json()
    return " ".join(str(v) for v in [body.get("detail", ""), *(body.get("errors") or {}).values()])


async def test_the_termination_settlement_may_cover_only_what_the_ledger_has_not_released(client):
    contract, officer, provider, _final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    await activated(contract)
    assert (await pay(client, officer, provider, finance, contract, 1, "GK-E1")).status_code == 200
    paid = (await schedule(client, officer, contract))["released_fen"]
    assert paid > 0
    remaining = contract["amount_fen"] - paid
    url = f"/api/v1/contracts/{contract['id']}/terminate"
    body = {"ground": "consent", "reason": "双方协商一致解除合同。"}
    over = await client.post(url, headers=officer, json={**body, "settlement_fen": remaining + 1})
    assert over.status_code == 422 and "未付余额" in over.text
    assert (await Contract.select(Contract.status).where(Contract.id == contract["id"]).first())["status"] == "active"
    done = await client.post(url, headers=officer, json={**body, "settlement_fen": remaining})
    assert done.status_code == 200, done.text
    assert done.json()["settlement_fen"] == remaining


async def test_completion_waits_for_the_graded_final_evaluation_and_every_installment_released(client):
    contract, officer, provider, final = await self_assessed(client, stage="final")
    finance = await api_login(client, "finance")
    evaluator = await api_login(client, "pinggu")
    url = f"/api/v1/contracts/{contract['id']}/complete"
    await activated(contract)

    early = await client.post(url, headers=officer)
    assert early.status_code == 409
    assert "终期评估尚未完成" in early.text and "款项尚未全部拨付" in early.text
    assert (await client.post(url, headers=provider)).status_code == 403

    graded = await evaluate(client, contract, final, evaluator, all_scores(final, 95))
    assert graded.status_code == 200, graded.text
    assert graded.json()["status"] == "finished" and graded.json()["grade"] == "excellent"
    unpaid = await client.post(url, headers=officer)
    assert unpaid.status_code == 409
    assert "终期评估尚未完成" not in unpaid.text and "款项尚未全部拨付" in unpaid.text

    await evaluated(contract, "midterm", "good", 850, assessment_id=final["id"] + 1000)
    ledger = await schedule(client, officer, contract)
    for installment in ledger["installments"]:
        released = await pay(
            client, officer, provider, finance, contract, installment["seq"], f"GK-C{installment['seq']}"
        )
        assert released.status_code == 200, released.text
    done = await client.post(url, headers=officer)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert await InboxItem.count().where(InboxItem.title.like("合同履行完毕%")) >= 1
    again = await client.post(url, headers=officer)
    assert again.status_code == 409
