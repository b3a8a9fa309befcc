"""A provider's evaluations of last year in bidding's eligibility check (issue 14 §4,
rule 32): a 不合格 bars it from this year's calls, a 优秀 or 良好 is noted as a priority, a
不合格 raised by a re-evaluation no longer bars, and the setting turns the bar off. The
evaluations live in contracts; bidding asks (``bids.performance_record``). Runs on SQLite
and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

from datetime import datetime

from contracts.assessments.tables import Assessment
from procurement.core import clock
from procurement.settings import get_settings
from procurement.tenders.tables import Tender
from tests.integration.conftest import api_login
from tests.integration.test_assessments import all_scores, evaluate, self_assessed


async def graded(client, score) -> tuple[dict, dict, dict]:
    """An evaluation of the provider's contract graded from ``score``, moved into last year."""
    contract, officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    scored = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, score))
    assert scored.status_code == 200, scored.text
    last_year = clock.to_utc(datetime(clock.today_local().year - 1, 12, 20, 10, 0))
    await Assessment.update({Assessment.finished_at: last_year}).where(Assessment.id == assessment["id"])
    return contract, provider, scored.json()


async def open_tender() -> int:
    row = await Tender.select(Tender.id).where(Tender.status == "published").order_by(Tender.id).first()
    assert row is not None, "the demo has an open tender"
    return row["id"]


async def checks(client, provider) -> tuple[bool, dict[str, dict]]:
    answer = await client.get(f"/api/v1/eligibility/tenders/{await open_tender()}", headers=provider)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["eligible"], {c["requirement"]: c for c in body["checks"]}


async def test_a_fail_last_year_bars_the_provider_from_this_years_calls(client):
    contract, provider, result = await graded(client, 50)
    assert result["grade"] == "fail"
    eligible, found = await checks(client, provider)
    last = clock.today_local().year - 1
    bar = found[f"{last} 年度项目评估无不合格"]
    assert bar["passed"] is False and contract["title"] in bar["reason"] and "不合格" in bar["reason"]
    assert "rule" not in bar["reason"]
    assert eligible is False


async def test_an_evaluation_of_this_year_or_a_good_grade_does_not_bar(client):
    contract, provider, result = await graded(client, 85)
    assert result["grade"] == "good"
    eligible_before, found = await checks(client, provider)
    last = clock.today_local().year - 1
    assert found[f"{last} 年度项目评估无不合格"]["passed"] is True
    priority = found[f"{last} 年度项目评估优良（优先）"]
    assert priority["passed"] is True and "良好" in priority["reason"]
    assert eligible_before is True, "the provider is otherwise eligible, so a bar is what makes it ineligible"
    # The same grade finished this year says nothing about this year's calls.
    await Assessment.update({Assessment.finished_at: clock.now()}).where(Assessment.contract == contract["id"])
    _, found = await checks(client, provider)
    assert not any("年度项目评估" in r for r in found)


async def test_the_setting_turns_the_bar_off(client, monkeypatch):
    _contract, provider, result = await graded(client, 50)
    monkeypatch.setattr(get_settings(), "grade_fail_bars_next_year", False)
    _, found = await checks(client, provider)
    assert not any("无不合格" in r for r in found)


async def test_a_fail_raised_by_the_re_evaluation_after_rectification_no_longer_bars(client):
    contract, officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    failed = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 50))
    assert failed.json()["grade"] == "fail" and failed.json()["status"] == "rectifying", failed.text
    last_year = clock.to_utc(datetime(clock.today_local().year - 1, 11, 2, 10, 0))
    await Assessment.update({Assessment.finished_at: last_year}).where(Assessment.id == assessment["id"])
    eligible, _ = await checks(client, provider)
    assert eligible is False, "while rectifying, last year's 不合格 stands"
    reported = await client.post(
        f"/api/v1/contracts/{contract['id']}/assessments/{assessment['id']}/rectification",
        headers=provider,
        json={"report": "已补齐个案档案并调整活动计划，整改完成。"},
    )
    assert reported.status_code == 200, reported.text
    again = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 82))
    assert again.status_code == 200 and again.json()["grade"] == "good", again.text
    await Assessment.update({Assessment.finished_at: last_year}).where(Assessment.id == assessment["id"])
    _, found = await checks(client, provider)
    last = clock.today_local().year - 1
    assert found[f"{last} 年度项目评估无不合格"]["passed"] is True
