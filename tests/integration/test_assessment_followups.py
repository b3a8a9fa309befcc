"""Issue 14's follow-ups: the spot-check coverage of multi-year contracts per budget year
(§1, rule 33: the report, ``GetSpotCheckCoverage``, the page and the officer's dashboard
item), the agency's evidence files (§3: checked uploads, who may download, the report's
evidence list) and the overdue-rectification sweep (§3, rule 32: flagged once, both
parties told, the tab and the dashboards). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from contracts.assessments import due as rectification_due
from contracts.assessments.evidence import file_store
from contracts.assessments.tables import Assessment, AssessmentEvidence
from contracts.lifecycle.tables import Contract
from procurement.core import clock
from procurement.core.tables import AuditEvent, InboxItem
from procurement.settings import reset_settings_cache
from tests.integration.conftest import api_login
from tests.integration.test_assessments import (
    agency_id,
    all_scores,
    assigned,
    evaluate,
    seeded_system,
    self_assessed,
    url,
)
from tests.integration.test_contract_dashboard import card, dashboard_of
from tests.integration.test_contract_delivery import at as beijing
from tests.integration.test_contract_delivery import b64

COVERAGE = "/api/v1/assessments/spot-check-coverage"
PDF = b"%PDF-1.4\n% evidence: sign-in sheets of the community activities\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --------------------------------------------------------------------------- spot-check coverage


async def test_a_multi_year_contract_without_a_spot_check_falls_short_until_one_is_assigned_this_year(client):
    from tests.integration.test_contract_delivery import active_contract

    contract, officer, _provider = await active_contract(client, past_year=False)
    today = clock.today_local()
    year = today.year
    # One budget year only: not a multi-year contract, nothing is owed.
    await Contract.update({Contract.term_start: date(year, 1, 1), Contract.term_end: date(year, 12, 31)}).where(
        Contract.id == contract["id"]
    )
    single = (await client.get(COVERAGE, headers=officer)).json()
    assert (single["year"], single["running"], single["required"], single["met"]) == (year, 0, 0, True)

    await Contract.update({Contract.term_start: date(year, 1, 1), Contract.term_end: date(year + 1, 6, 30)}).where(
        Contract.id == contract["id"]
    )
    short = await client.get(COVERAGE, headers=officer)
    assert short.status_code == 200, short.text
    body = short.json()
    assert (body["percent"], body["running"], body["checked"], body["required"], body["shortfall"]) == (30, 1, 0, 1, 1)
    assert not body["met"] and [c["contract_id"] for c in body["unchecked_contracts"]] == [contract["id"]]
    title = f"{year} 年度专项抽查不足：还须抽查 1 个合同"
    assert contract["title"] in card(await dashboard_of(client, "officer"), title)
    page = await client.get("/bureau/evaluations/coverage")
    assert page.status_code == 200 and "还须抽查 1 个" in page.text and contract["title"] in page.text
    client.cookies.clear()

    # A mid-term evaluation is not a spot check.
    await assigned_on(client, contract, officer, "midterm", None)
    assert (await client.get(COVERAGE, headers=officer)).json()["checked"] == 0
    await assigned_on(client, contract, officer, "spot", today)
    met = (await client.get(COVERAGE, headers=officer)).json()
    assert (met["checked"], met["share"], met["shortfall"], met["met"]) == (1, "100.0", 0, True)
    assert met["checked_contracts"][0]["spot_checks"] == [today.isoformat()]
    assert "年度专项抽查不足" not in await dashboard_of(client, "officer")
    client.cookies.clear()
    # Next year the same contract runs again and is unchecked again.
    following = (await client.get(COVERAGE, headers=officer, params={"year": year + 1})).json()
    assert (following["running"], following["checked"], following["shortfall"]) == (1, 0, 1)

    provider = await api_login(client, "xingfujia")
    denied = await client.get(COVERAGE, headers=provider)
    assert denied.status_code == 403 and "经办人" in denied.json()["detail"]
    bad = await client.get(COVERAGE, headers=officer, params={"year": 1800})
    assert bad.status_code == 400 or bad.status_code == 422


async def assigned_on(client, contract, officer, stage, day):
    system = await seeded_system(client, officer)
    body = {"agency_id": await agency_id(), "stage": stage, "system_id": system["id"]}
    if day is not None:
        body["due_on"] = day.isoformat()
    made = await client.post(url(contract), headers=officer, json=body)
    assert made.status_code == 201, made.text
    return made.json()


# --------------------------------------------------------------------------- evidence


def evidence_url(contract, assessment, tail=""):
    return url(contract, f"/{assessment['id']}/evidence{tail}")


async def test_the_agency_attaches_checked_evidence_and_the_provider_opens_it_after_the_result(client, monkeypatch):
    contract, officer, provider, assessment = await assigned(client)
    evaluator = await api_login(client, "pinggu")
    key = assessment["dimensions"][0]["indicators"][0]["key"]
    early = await client.post(
        evidence_url(contract, assessment),
        headers=evaluator,
        json={"filename": "签到表.pdf", "content_base64": b64(PDF)},
    )
    assert early.status_code == 409 and "评估" in early.json()["detail"]

    done = await client.post(
        url(contract, f"/{assessment['id']}/self-assessment"),
        headers=provider,
        json={"scores": all_scores(assessment, 88), "notes": {}, "summary": "本期按合同完成各项服务，台账齐全。"},
    )
    assert done.status_code == 200, done.text
    # Bad files: a program named .pdf, an empty file, an unknown indicator, too big; nothing is kept.
    exe = await client.post(
        evidence_url(contract, assessment),
        headers=evaluator,
        json={"filename": "台账.pdf", "content_base64": b64(b"MZ\x90\x00" + b"\x00" * 100)},
    )
    assert exe.status_code == 422 and "不是允许的类型" in exe.text
    unknown = await client.post(
        evidence_url(contract, assessment),
        headers=evaluator,
        json={"filename": "a.pdf", "content_base64": b64(PDF), "indicator_key": "d9.i9"},
    )
    assert unknown.status_code == 422 and "d9.i9" in unknown.text
    monkeypatch.setenv("PROCUREMENT_EVALUATION_EVIDENCE_MAX_MB", "1")
    reset_settings_cache()
    try:
        big = await client.post(
            evidence_url(contract, assessment),
            headers=evaluator,
            json={"filename": "大.pdf", "content_base64": b64(PDF + b"0" * (1024 * 1024))},
        )
    finally:
        monkeypatch.delenv("PROCUREMENT_EVALUATION_EVIDENCE_MAX_MB")
        reset_settings_cache()
    assert big.status_code == 422 and "超过大小上限 1 MB" in big.text
    assert await AssessmentEvidence.count() == 0

    stranger = await api_login(client, "qingbo")
    for who in (provider, officer):
        denied = await client.post(
            evidence_url(contract, assessment), headers=who, json={"filename": "x.pdf", "content_base64": b64(PDF)}
        )
        assert denied.status_code == 403, denied.text
    added = await client.post(
        evidence_url(contract, assessment),
        headers=evaluator,
        json={"filename": "活动签到表.pdf", "content_base64": b64(PDF), "indicator_key": key},
    )
    assert added.status_code == 201, added.text
    photo = await client.post(
        evidence_url(contract, assessment),
        headers=evaluator,
        json={"filename": "现场照片.png", "content_base64": b64(PNG)},
    )
    assert photo.status_code == 201, photo.text
    assert added.json()["round"] == 1 and added.json()["indicator_name"] and not added.json()["submitted"]
    assert file_store().exists(added.json()["sha256"])
    # The evaluator removes a wrong file before submitting.
    removed = await client.delete(evidence_url(contract, assessment, f"/{photo.json()['id']}"), headers=evaluator)
    assert removed.status_code == 200 and [e["name"] for e in removed.json()["items"]] == ["活动签到表.pdf"]

    link = added.json()["url"]
    before = await client.get(link, headers=provider)
    assert before.status_code == 403 and "评估结果后" in before.json()["detail"]
    assert (await client.get(evidence_url(contract, assessment), headers=provider)).json()["items"] == []
    assert (await client.get(link, headers=stranger)).status_code == 404
    for who in (officer, evaluator, await api_login(client, "finance")):
        got = await client.get(link, headers=who)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/octet-stream"

    graded = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 92))
    assert graded.status_code == 200, graded.text
    first = await client.get(link, headers=provider)
    second = await client.get(link, headers=provider)
    assert first.status_code == 200 and first.content == second.content == PDF
    assert "%E6%B4%BB%E5%8A%A8%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf" in first.headers["content-disposition"]
    late = await client.delete(evidence_url(contract, assessment, f"/{added.json()['id']}"), headers=evaluator)
    assert late.status_code == 409
    after = await client.post(
        evidence_url(contract, assessment), headers=evaluator, json={"filename": "x.pdf", "content_base64": b64(PDF)}
    )
    assert after.status_code == 409

    report = (await client.get(url(contract, f"/{assessment['id']}/report"), headers=provider)).json()
    assert [(e["name"], e["indicator_key"]) for e in report["evidence"]] == [("活动签到表.pdf", key)]
    pdf = await client.get(url(contract, f"/{assessment['id']}/report.pdf"), headers=officer)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "佐证材料清单" in text and "活动签到表.pdf" in text
    page = await client.get(f"/contracts/{contract['id']}/assessments/{assessment['id']}", headers=officer)
    assert page.status_code == 200 and "活动签到表.pdf" in page.text
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_id == str(assessment["id"]))
    ]
    assert actions.count("assessment.evidence_added") == 2 and actions.count("assessment.evidence_removed") == 1


async def test_the_evaluator_uploads_evidence_on_the_page_and_a_bad_file_is_refused_in_chinese(client):
    from tests.integration.conftest import page_login

    contract, _officer, _provider, assessment = await self_assessed(client)
    client.cookies.clear()
    await page_login(client, "pinggu")
    here = f"/contracts/{contract['id']}/assessments/{assessment['id']}"
    shown = await client.get(here)
    assert shown.status_code == 200 and "上传佐证材料" in shown.text
    token = client.cookies.get("csrftoken") or ""
    bad = await client.post(
        here + "/evidence",
        files={"file": ("照片.jpg", b"<html>not a photo</html>", "image/jpeg")},
        data={"indicator_key": "", "_csrf_token": token},
        headers={"x-csrftoken": token},
    )
    assert bad.status_code in (200, 400, 422) and "不是允许的类型" in bad.text
    good = await client.post(
        here + "/evidence",
        files={"file": ("照片.png", PNG, "image/png")},
        data={"indicator_key": "", "_csrf_token": token},
        headers={"x-csrftoken": token},
        follow_redirects=True,
    )
    assert good.status_code == 200 and "照片.png" in good.text
    assert await AssessmentEvidence.count() == 1


# --------------------------------------------------------------------------- overdue rectification


async def test_a_rectification_not_reported_by_its_deadline_is_flagged_once_and_both_parties_are_told(client):
    contract, officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    graded = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 70))
    assert graded.json()["status"] == "rectifying", graded.text
    deadline = date.fromisoformat(graded.json()["rectification_due_on"])
    row = await Assessment.select().where(Assessment.id == assessment["id"]).first()
    assert row["next_check_at"] == rectification_due.overdue_from(deadline)
    # One that went into rectification before the sweep existed gets its check time once.
    await Assessment.update({Assessment.next_check_at: None}).where(Assessment.id == assessment["id"])
    assert await rectification_due.ensure_checks() == 1
    assert await rectification_due.ensure_checks() == 0
    row = await Assessment.select().where(Assessment.id == assessment["id"]).first()
    assert row["next_check_at"] == rectification_due.overdue_from(deadline)

    with clock.frozen(beijing(deadline, 23, 59)):
        assert await rectification_due.run_due_rectifications() == 0  # not yet due: not even taken
    with clock.frozen(beijing(deadline + timedelta(days=1), 0, 1)):
        assert await rectification_due.run_due_rectifications() == 1
        assert await rectification_due.run_due_rectifications() == 0
        assert await rectification_due.check_due(assessment["id"]) == rectification_due.Due(False, None)
    told = await InboxItem.select(InboxItem.recipient).where(InboxItem.event == rectification_due.EVENT)
    assert len(told) == 2  # the buyer's officer and the provider's member, once each
    flagged = (await client.get(url(contract, f"/{assessment['id']}"), headers=officer)).json()
    assert flagged["rectification_overdue_at"] is not None
    assert contract["title"] in card(await dashboard_of(client, "xingfujia"), "整改逾期未报的评估")
    assert contract["title"] in card(await dashboard_of(client, "officer"), "整改逾期未报的评估")
    tab = await client.get(f"/contracts/{contract['id']}?tab=evaluations")
    assert "整改逾期未报" in tab.text
    client.cookies.clear()
    audit = await AuditEvent.count().where(AuditEvent.action == "assessment.rectification_overdue")
    assert audit == 1

    # Reported late: accepted, the flag stays on record, the item leaves the dashboards.
    reported = await client.post(
        url(contract, f"/{assessment['id']}/rectification"),
        headers=provider,
        json={"report": "已补齐全部服务台账并按评估意见整改到位。"},
    )
    assert reported.status_code == 200 and reported.json()["status"] == "reevaluating"
    assert "整改逾期未报的评估" not in await dashboard_of(client, "officer")
    client.cookies.clear()
    row = await Assessment.select().where(Assessment.id == assessment["id"]).first()
    assert row["next_check_at"] is None and row["rectification_overdue_at"] is not None


async def test_a_rectification_reported_on_its_deadline_day_is_never_flagged(client):
    contract, _officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    graded = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 70))
    deadline = date.fromisoformat(graded.json()["rectification_due_on"])
    with clock.frozen(beijing(deadline, 22)):
        provider = await api_login(client, "xingfujia")  # signed in on the deadline day
        reported = await client.post(
            url(contract, f"/{assessment['id']}/rectification"),
            headers=provider,
            json={"report": "已按评估意见逐项整改完毕，台账已补齐。"},
        )
        assert reported.status_code == 200, reported.text
    with clock.frozen(beijing(deadline + timedelta(days=2), 9)):
        assert await rectification_due.run_due_rectifications() == 0
        assert await rectification_due.check_due(assessment["id"]) == rectification_due.Due(False, None)
    assert await InboxItem.count().where(InboxItem.event == rectification_due.EVENT) == 0


# --------------------------------------------------------------------------- the reminder before the due day (issue 15 §1)


def _at9(day, hour: int = 9):
    from datetime import datetime, time

    return clock.to_utc(datetime.combine(day, time(hour)))


async def test_an_evaluation_is_reminded_once_three_days_before_its_due_day(client):
    from datetime import timedelta

    from contracts.assessments import due as assessments_due
    from procurement.accounts.tables import User
    from procurement.core.scheduler import run_due
    from procurement.core.tables import InboxItem
    from tests.integration.test_assessments import assigned

    contract, _officer, _provider, assessment = await assigned(client)
    row = await Assessment.select().where(Assessment.id == assessment["id"]).first()
    due_on = row["due_on"]
    assert row["next_check_at"] == _at9(due_on - timedelta(days=3))
    sweep = assessments_due.RECTIFICATION_DUE
    with clock.frozen(_at9(due_on - timedelta(days=3), 8)):
        await run_due(sweep)
    assert await InboxItem.count().where(InboxItem.event == "assessment.due") == 0
    with clock.frozen(_at9(due_on - timedelta(days=3))):
        assert await run_due(sweep) == 1
        assert await run_due(sweep) == 0
    with clock.frozen(_at9(due_on - timedelta(days=1))):
        assert await run_due(sweep) == 0
    told = await InboxItem.select(InboxItem.recipient, InboxItem.link).where(InboxItem.event == "assessment.due")
    assert told and len(told) == len({t["recipient"] for t in told})  # once per person
    assert all(t["link"] == f"/contracts/{contract['id']}/assessments/{assessment['id']}" for t in told)
    ids = {t["recipient"] for t in told}
    for username in ("pinggu", "xingfujia"):  # the agency's evaluator; the provider, its self-assessment missing
        user = await User.select(User.id).where(User.username == username).first()
        assert user["id"] in ids, username


async def test_an_evaluation_past_its_day_is_not_reminded_and_old_ones_are_armed(client):
    from datetime import timedelta

    from contracts.assessments import due as assessments_due
    from procurement.core.scheduler import run_due
    from procurement.core.tables import InboxItem
    from tests.integration.test_assessments import assigned

    _contract, _officer, _provider, assessment = await assigned(client)
    row = await Assessment.select().where(Assessment.id == assessment["id"]).first()
    # Written before the reminder existed: the hourly catch-up gives it its moment.
    await Assessment.update({Assessment.next_check_at: None}).where(Assessment.id == row["id"])
    assert await assessments_due.ensure_checks() >= 1
    again = await Assessment.select(Assessment.next_check_at).where(Assessment.id == row["id"]).first()
    assert again["next_check_at"] == _at9(row["due_on"] - timedelta(days=3))
    with clock.frozen(clock.after_local_day(row["due_on"]) + timedelta(hours=1)):  # the scheduler was down
        assert await run_due(assessments_due.RECTIFICATION_DUE) == 0
    assert await InboxItem.count().where(InboxItem.event == "assessment.due") == 0
