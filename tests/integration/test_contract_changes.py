"""Changes of an active contract through the API (issue 12 §5, §7; rule 28): 补充合同
within 10 % of the original amount in total, agreed changes that never raise the
amount, both signatures before anything takes effect, the history with old and new
values; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from contracts.changes.tables import ContractChange, ContractChangeSignature
from contracts.lifecycle.tables import Contract, Installment
from procurement.core.tables import AuditEvent
from tests.integration.conftest import api_login, page_login
from tests.integration.contract_change_helpers import active_contract, changes_url, propose, sign_change, supplement

ORIGINAL = 33_800_000  # 幸福家's price, ¥338,000.00: 10 % is exactly 3,380,000 fen


def chinese(response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    assert "rule" not in detail.lower(), detail
    return detail


async def amount_of(contract: dict) -> int:
    row = await Contract.select(Contract.amount_fen).where(Contract.id == contract["id"]).first()
    return row["amount_fen"]


async def test_supplements_together_stop_at_ten_percent_of_the_original(client):
    contract, officer, provider = await active_contract(client)
    assert contract["amount_fen"] == ORIGINAL
    # 9.99 % over two supplements: fine.
    first = await supplement(client, officer, provider, contract, ORIGINAL + 1_690_000)  # 5 %
    assert first.status_code == 200 and first.json()["status"] == "effective", first.text
    second = await supplement(client, officer, provider, contract, ORIGINAL + 3_376_620)  # 9.99 % in all
    assert second.status_code == 200, second.text
    assert await amount_of(contract) == ORIGINAL + 3_376_620
    # 10.01 % in all (a third supplement of 0.02 %): refused, nothing saved.
    over = await propose(
        client, officer, contract, kind="supplement", rationale="more_service", amount_fen=ORIGINAL + 3_383_380
    )
    assert over.status_code == 422 and "第四十九条" in chinese(over)
    assert await ContractChange.count().where(ContractChange.contract == contract["id"]) == 2
    # Exactly 10 % in all: fine; one fen more: refused.
    third = await supplement(client, officer, provider, contract, ORIGINAL + 3_380_000)
    assert third.status_code == 200 and third.json()["added_fen"] == 3_380, third.text
    assert await amount_of(contract) == ORIGINAL + 3_380_000
    one_more = await propose(
        client, officer, contract, kind="supplement", rationale="more_service", amount_fen=ORIGINAL + 3_380_001
    )
    assert one_more.status_code == 422
    # The schedule follows the amount exactly and keeps its shares.
    rows = await Installment.select().where(Installment.contract == contract["id"]).order_by(Installment.seq)
    assert sum(r["amount_fen"] for r in rows) == ORIGINAL + 3_380_000
    assert [r["percent"] for r in rows] == [i["percent"] for i in contract["installments"]]


async def test_an_agreed_change_that_raises_the_amount_is_refused_and_so_is_one_that_changes_nothing(client):
    contract, officer, provider = await active_contract(client)
    raised = await propose(
        client,
        provider,
        contract,
        kind="agreed",
        rationale="term",
        amount_fen=ORIGINAL + 1,
        term_end=contract["term_end"],
    )
    assert raised.status_code == 422 and "补充合同" in chinese(raised)
    same = await propose(
        client, officer, contract, kind="agreed", rationale="place", delivery_place=contract["delivery_place"]
    )
    assert same.status_code == 422 and "没有任何变化" in chinese(same)
    wrong = await propose(
        client,
        officer,
        contract,
        kind="supplement",
        rationale="more_service",
        delivery_place="别处",
        amount_fen=ORIGINAL + 100,
    )
    assert wrong.status_code == 422 and "不得改变其他条款" in chinese(wrong)
    assert await ContractChange.count() == 0


async def test_a_change_takes_effect_only_when_both_have_signed_and_the_history_shows_old_and_new(client):
    contract, officer, provider = await active_contract(client)
    proposed = await propose(
        client, provider, contract, kind="agreed", rationale="place", delivery_place="湖滨街道青年路社区"
    )
    assert proposed.status_code == 201, proposed.text
    change = proposed.json()
    assert change["number_label"] == "合同变更协议第 1 号" and change["legal_basis"] == "《政府采购法》第五十条"
    assert change["status"] == "proposed" and change["actions"] == ["sign", "withdraw"]
    first = await sign_change(client, provider, contract, 1, sha256=change["sha256"])
    assert first.status_code == 200 and first.json()["status"] == "awaiting_countersign"
    assert (await sign_change(client, provider, contract, 1)).status_code == 409, "one signature per party"
    got = await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)
    assert got.json()["delivery_place"] == contract["delivery_place"], "nothing changes before both have signed"
    stale = await sign_change(client, officer, contract, 1, sha256="0" * 64)
    assert stale.status_code == 409
    done = await sign_change(client, officer, contract, 1, sha256=change["sha256"])
    assert done.status_code == 200 and done.json()["status"] == "effective", done.text
    got = await client.get(f"/api/v1/contracts/{contract['id']}", headers=officer)
    assert got.json()["delivery_place"] == "湖滨街道青年路社区"
    assert got.json()["status"] == "active"
    history = (await client.get(changes_url(contract), headers=officer)).json()
    assert [(h["seq"], h["status"]) for h in history] == [(1, "effective")]
    assert history[0]["diff"] == [
        {
            "field": "delivery_place",
            "field_label": "服务地点",
            "old": contract["delivery_place"],
            "new": "湖滨街道青年路社区",
        }
    ]
    assert sorted(s["party"] for s in history[0]["signatures"]) == ["buyer", "provider"]
    assert await AuditEvent.count().where(AuditEvent.action == "contract.amended") == 1
    # The contract page's 变更 tab shows the same history, old and new side by side, to both parties.
    await page_login(client, "officer")
    tab = await client.get(f"/contracts/{contract['id']}?tab=changes")
    assert tab.status_code == 200 and "合同变更协议第 1 号" in tab.text and "暂无变更记录" not in tab.text
    assert f"<td>服务地点</td><td>{contract['delivery_place']}</td><td>湖滨街道青年路社区</td>" in tab.text
    client.cookies.clear()
    # The finance staff read the history; a settled change cannot be signed again.
    finance = await api_login(client, "finance")
    assert len((await client.get(changes_url(contract), headers=finance)).json()) == 1
    assert (await sign_change(client, finance, contract, 1)).status_code == 403
    assert (await sign_change(client, provider, contract, 1)).status_code == 409


async def test_a_change_proposed_against_old_terms_cannot_take_effect_and_can_be_withdrawn_or_refused(client):
    contract, officer, provider = await active_contract(client)
    a = (await propose(client, officer, contract, kind="agreed", rationale="place", delivery_place="甲社区")).json()
    b = (
        await propose(
            client, provider, contract, kind="agreed", rationale="term", term_end=contract["term_end"][:8] + "01"
        )
    ).json()
    assert (a["seq"], b["seq"]) == (1, 2)
    assert (await sign_change(client, officer, contract, 1)).status_code == 200
    assert (await sign_change(client, provider, contract, 1)).json()["status"] == "effective"
    outdated = await sign_change(client, provider, contract, 2)
    assert outdated.status_code == 409 and "重新提出" in chinese(outdated)
    assert await ContractChangeSignature.count().where(ContractChangeSignature.change == b["id"]) == 0
    refused = await client.post(f"{changes_url(contract)}2/withdraw", headers=officer, json={"reason": "不同意"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    c = (await propose(client, provider, contract, kind="agreed", rationale="place", delivery_place="乙社区")).json()
    withdrawn = await client.post(f"{changes_url(contract)}{c['seq']}/withdraw", headers=provider, json={})
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await sign_change(client, officer, contract, c["seq"])).status_code == 409


async def test_a_new_schedule_and_indicators_are_agreed_as_a_whole(client):
    contract, officer, provider = await active_contract(client)
    schedule = [
        {"label": "首期", "percent": 50, "gate": "signing"},
        {"label": "尾款", "percent": 50, "gate": "final", "min_grade": "good"},
    ]
    proposed = await propose(client, officer, contract, kind="agreed", rationale="payment", installments=schedule)
    assert proposed.status_code == 201, proposed.text
    new = proposed.json()["new_terms"]["installments"]
    assert [i["amount_fen"] for i in new] == [ORIGINAL // 2, ORIGINAL - ORIGINAL // 2]
    bad = await propose(client, officer, contract, kind="agreed", rationale="payment", installments=schedule[:1])
    assert bad.status_code == 422 and "100%" in chinese(bad)


async def test_outsiders_neither_see_nor_propose_nor_sign_changes(client):
    contract, officer, provider = await active_contract(client)
    assert (
        await propose(client, officer, contract, kind="agreed", rationale="place", delivery_place="甲社区")
    ).status_code == 201
    for name in ("yile", "qingbo", "expert1"):
        headers = await api_login(client, name)
        assert (await client.get(changes_url(contract), headers=headers)).status_code == 404
        assert (
            await propose(client, headers, contract, kind="agreed", rationale="place", delivery_place="乙")
        ).status_code == 404
        assert (await sign_change(client, headers, contract, 1)).status_code == 404
        assert (await client.post(f"{changes_url(contract)}1/withdraw", headers=headers, json={})).status_code == 404
    assert (await client.get(changes_url(contract))).status_code == 401


async def test_only_an_active_contract_is_changed(client):
    from tests.integration.contract_helpers import ready_contract

    contract, officer, provider, _ = await ready_contract(client)
    draft = await propose(client, officer, contract, kind="agreed", rationale="place", delivery_place="甲社区")
    assert draft.status_code == 409 and "履行中" in chinese(draft)


async def test_concurrent_supplements_together_respect_the_cap(client):
    """Two supplements of 6 % each, each within the cap alone, signed at the same moment:
    the contract row lock lets one take effect and refuses the other (on PostgreSQL the
    requests really run at once)."""
    contract, officer, provider = await active_contract(client)
    six = ORIGINAL * 6 // 100
    seqs = []
    for _ in range(2):
        made = await propose(
            client, officer, contract, kind="supplement", rationale="more_service", amount_fen=ORIGINAL + six
        )
        assert made.status_code == 201, made.text
        seqs.append(made.json()["seq"])
        assert (await sign_change(client, officer, contract, seqs[-1])).status_code == 200
    results = await asyncio.gather(*[sign_change(client, provider, contract, seq) for seq in seqs])
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    assert await amount_of(contract) == ORIGINAL + six
    effective = await ContractChange.select().where(ContractChange.status == "effective")
    assert len(effective) == 1 and sum(c["added_fen"] for c in effective) * 10 <= ORIGINAL


async def test_each_change_has_its_numbered_signed_pdf(client):
    import io

    from pypdf import PdfReader

    from procurement.core import pdfsign

    contract, officer, provider = await active_contract(client)
    done = await supplement(client, officer, provider, contract, ORIGINAL + 1_000_000)
    assert done.status_code == 200, done.text
    url = f"{changes_url(contract)}1/pdf"
    first = await client.get(url, headers=provider)
    assert first.status_code == 200 and first.headers["content-type"].startswith("application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(first.content)).pages)
    assert "补充合同" in text and "第四十九条" in text and done.json()["sha256"] in text.replace("\n", "")
    check = await pdfsign.verify_async(first.content)
    assert check.intact and check.covers_whole_file and check.by_platform
    tampered = bytearray(first.content)
    at = first.content.index(b"/Contents") // 2  # a byte of the page content, before the signature
    tampered[at] = tampered[at] ^ 0x01
    assert not (await pdfsign.verify_async(bytes(tampered))).intact
    again = await client.get(url, headers=officer)
    assert again.content == first.content, "rendered once, then served from the cache"
    yile = await api_login(client, "yile")
    assert (await client.get(url, headers=yile)).status_code == 404


async def test_proposals_made_at_once_get_distinct_numbers(client):
    contract, officer, provider = await active_contract(client)
    made = await asyncio.gather(
        propose(client, officer, contract, kind="agreed", rationale="place", delivery_place="甲社区"),
        propose(client, provider, contract, kind="agreed", rationale="place", delivery_place="乙社区"),
        propose(client, officer, contract, kind="supplement", rationale="more_service", amount_fen=ORIGINAL + 1),
    )
    assert [m.status_code for m in made] == [201, 201, 201], [m.text for m in made]
    assert sorted(m.json()["seq"] for m in made) == [1, 2, 3]
    labels = {m.json()["number_label"] for m in made}
    assert "补充合同第 3 号" in labels or "补充合同第 1 号" in labels or "补充合同第 2 号" in labels
