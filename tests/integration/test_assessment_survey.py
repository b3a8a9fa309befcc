"""Residents' satisfaction survey (社区评议, issue 14 §3): one-time codes issued by the
bureau, answers without a login, one answer per code, results with the number of
answers and the minimum. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import asyncio

from contracts.assessments.tables import SurveyCode, SurveyResponse
from procurement.core.tables import AuditEvent
from tests.integration.conftest import api_login
from tests.integration.test_assessments import assigned
from tests.integration.test_contract_delivery import active_contract

ANSWERS = {"attitude": 5, "professional": 4, "effect": 4, "overall": 5}
ANSWER_URL = "/api/v1/survey/responses"


def codes_url(contract: dict) -> str:
    return f"/api/v1/contracts/{contract['id']}/survey-codes"


async def issued(client, count=3):
    contract, officer, provider = await active_contract(client, past_year=False)
    made = await client.post(codes_url(contract), headers=officer, json={"count": count})
    assert made.status_code == 201, made.text
    return contract, officer, provider, [c["code"] for c in made.json()["issued"]]


async def answer(client, code, **overrides):
    return await client.post(ANSWER_URL, json={"code": code, "answers": ANSWERS, **overrides})


async def test_the_officer_issues_one_time_codes_with_links_and_others_may_not(client):
    contract, officer, provider, codes = await issued(client, 5)
    assert len(set(codes)) == 5 and all(len(c) == 8 for c in codes)
    listed = (await client.get(codes_url(contract), headers=officer)).json()["issued"]
    assert [c["link"] for c in listed] == [f"/survey/{c}" for c in codes] and not any(c["used"] for c in listed)
    denied = await client.post(codes_url(contract), headers=provider, json={"count": 2})
    assert denied.status_code == 403
    assert (await client.post(codes_url(contract), headers=officer, json={"count": 0})).status_code in (400, 422)
    assert await SurveyCode.count() == 5
    assert await AuditEvent.count().where(AuditEvent.action == "assessment.survey_codes_issued") == 1


async def test_a_code_answers_once_and_unknown_or_missing_codes_are_refused(client):
    contract, officer, _provider, codes = await issued(client)
    first = await answer(client, codes[0].lower()[:4] + "-" + codes[0][4:], comment="社工很耐心，活动很好。")
    assert first.status_code == 201, first.text
    again = await answer(client, codes[0])
    assert again.status_code == 422 and "已使用" in str(again.json())
    unknown = await answer(client, "ZZZZ2222")
    assert unknown.status_code == 422 and "无效" in str(unknown.json())
    missing = await client.post(ANSWER_URL, json={"answers": ANSWERS})
    assert missing.status_code in (400, 422)
    out_of_range = await answer(client, codes[1], answers={**ANSWERS, "overall": 6})
    assert out_of_range.status_code == 422
    assert await SurveyResponse.count() == 1
    results = (await client.get(f"/api/v1/contracts/{contract['id']}/survey", headers=officer)).json()
    assert results["responses"] == 1 and results["codes_issued"] == 3
    assert results["satisfied_percent"] == "100.0" and results["means"]["professional"] == "4.0"
    assert not results["sufficient"] and results["minimum"] == 30
    assert results["comments"] == ["社工很耐心，活动很好。"]


async def test_two_answers_racing_with_one_code_give_one_answer(client):
    _contract, _officer, _provider, codes = await issued(client, 1)
    replies = await asyncio.gather(*[answer(client, codes[0]) for _ in range(6)])
    assert sorted(r.status_code for r in replies) == [201] + [422] * 5
    assert await SurveyResponse.count() == 1


async def test_the_results_are_read_by_the_parties_and_the_assigned_agency_only(client):
    contract, officer, provider, _assessment = await assigned(client)
    url = f"/api/v1/contracts/{contract['id']}/survey"
    for who in (officer, provider, await api_login(client, "pinggu")):
        assert (await client.get(url, headers=who)).status_code == 200
    assert (await client.get(url, headers=await api_login(client, "yile"))).status_code == 404


async def test_a_resident_answers_on_the_survey_page_without_logging_in(client):
    from tests.integration.conftest import post_form

    _contract, _officer, _provider, codes = await issued(client, 1)
    link = f"/survey/{codes[0]}"
    shown = await client.get(link)
    assert shown.status_code == 200 and "总体满意程度" in shown.text and codes[0] in shown.text
    form = {"code": codes[0], "attitude": "5", "professional": "4", "effect": "4", "overall": "5", "comment": "很好"}
    done = await post_form(client, link, link, form)
    assert done.status_code == 303, done.text
    assert await SurveyResponse.count() == 1
    again = await post_form(client, link, link, form)
    assert again.status_code == 422 and "已使用" in again.text
    missing = await post_form(client, link, link, {**form, "overall": ""})
    assert missing.status_code == 422 and "1–5" in missing.text
    assert await SurveyResponse.count() == 1
