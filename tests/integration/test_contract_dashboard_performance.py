"""The team, evaluation and payment items on each role's dashboard (issues 13 and 14),
logging in as each role: the provider, the bureau's officer and finance, the
evaluation agency. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

from datetime import timedelta

from procurement.core import clock
from tests.integration.conftest import api_login
from tests.integration.staffing_helpers import register
from tests.integration.test_assessments import all_scores, assigned, evaluate, url
from tests.integration.test_contract_dashboard import card, dashboard_of
from tests.integration.test_contract_delivery import at as beijing
from tests.integration.test_contract_payments import activated
from tests.integration.test_contract_payments import url as pay_url


async def test_each_role_sees_the_evaluation_and_payment_work_waiting_for_it(client):
    contract, officer, provider, assessment = await assigned(client)
    title = contract["title"]
    finance = await api_login(client, "finance")
    evaluator = await api_login(client, "pinggu")
    await activated(contract)

    home = await dashboard_of(client, "xingfujia")
    assert title in card(home, "待提交自评的评估")
    assert f"/contracts/{contract['id']}/assessments/{assessment['id']}" in card(home, "待提交自评的评估")
    assert title in card(home, "可申请拨付的款项") and "付款期限" in card(home, "可申请拨付的款项")
    assert "待评估的项目" not in await dashboard_of(client, "pinggu")

    done = await client.post(
        url(contract, f"/{assessment['id']}/self-assessment"),
        headers=provider,
        json={"scores": all_scores(assessment, 75), "notes": {}, "summary": "本期按合同完成各项服务，台账齐全。"},
    )
    assert done.status_code == 200, done.text
    assert title in card(await dashboard_of(client, "pinggu"), "待评估的项目")
    assert "待提交自评的评估" not in await dashboard_of(client, "xingfujia")

    assert (await client.post(pay_url(contract, "/1/request"), headers=provider, json={})).status_code == 200
    home = await dashboard_of(client, "officer")
    assert title in card(home, "待审核的拨付申请")
    assert f"/contracts/{contract['id']}/payments" in card(home, "待审核的拨付申请")
    assert "可申请拨付的款项" not in await dashboard_of(client, "xingfujia")

    assert (await client.post(pay_url(contract, "/1/approve"), headers=officer, json={})).status_code == 200
    home = await dashboard_of(client, "finance")
    assert title in card(home, "待拨付的款项") and "已逾期" not in card(home, "待拨付的款项")
    assert "待审核的拨付申请" not in await dashboard_of(client, "officer")
    late = clock.today_local() + timedelta(days=31)
    with clock.frozen(beijing(late, 10)):
        assert "已逾期" in card(await dashboard_of(client, "finance"), "待拨付的款项")
    released = await client.post(pay_url(contract, "/1/release"), headers=finance, json={"voucher_no": "GK-D1"})
    assert released.status_code == 200, released.text
    assert "待拨付的款项" not in await dashboard_of(client, "finance")

    # A 合格 calls for rectification (the default setting): the provider owes it, the officer follows it.
    graded = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 70))
    assert graded.status_code == 200 and graded.json()["status"] == "rectifying", graded.text
    assert title in card(await dashboard_of(client, "xingfujia"), "待报送的整改")
    assert title in card(await dashboard_of(client, "officer"), "整改中的项目")
    assert "待评估的项目" not in await dashboard_of(client, "pinggu")

    for outsider in ("qingbo", "yile"):
        home = await dashboard_of(client, outsider)
        assert title not in home


async def test_the_team_items_show_expiring_registrations_and_short_teams(client):
    contract, _officer, provider, _assessment = await assigned(client)
    soon = clock.today_local() + timedelta(days=20)
    await register(client, provider, "李晓梅", registration_expires=soon.isoformat())
    home = await dashboard_of(client, "xingfujia")
    assert "李晓梅" in card(home, "社工登记过期或即将到期") and soon.isoformat() in card(home, "社工登记过期或即将到期")
    assert contract["title"] in card(home, "团队不符合合同要求或投标承诺")
    assert contract["title"] in card(await dashboard_of(client, "officer"), "团队不符合合同要求或投标承诺")
    assert "社工登记过期或即将到期" not in await dashboard_of(client, "officer")
