"""Third-party evaluation of a contract (issue 14 §1–§3, §6): indicator systems and the
contract's copy, assigning an independent agency, the self-assessment, the agency's
scoring and grade, rule 33, rectification and re-evaluation, the report, the event for
payments, and who may do what. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import copy
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from contracts.assessments import services as assessments
from contracts.assessments.seed import SOCIAL_WORK_SYSTEM
from contracts.assessments.tables import Assessment, AssessmentRound, ContractIndicators, IndicatorSystem
from contracts.lifecycle.tables import Contract
from procurement.accounts.tables import Organization
from procurement.core import clock, events
from procurement.core.tables import AuditEvent
from tests.integration.conftest import api_login
from tests.integration.test_contract_delivery import active_contract
from tests.unit.test_pdf import font_names

SYSTEMS = "/api/v1/assessments/indicator-systems"


def url(contract: dict, tail: str = "") -> str:
    return f"/api/v1/contracts/{contract['id']}/assessments{tail}"


@pytest.fixture
def finished():
    """The ``assessment.finished`` events emitted during the test, as payments sees them."""
    seen: list[dict] = []

    async def handler(**payload):
        seen.append(payload)

    events.subscribe(assessments.FINISHED_EVENT, handler)
    yield seen
    events._handlers[assessments.FINISHED_EVENT].remove(handler)


async def agency_id() -> int:
    row = await Organization.select(Organization.id).where(Organization.kind == "agency").first()
    return row["id"]


async def seeded_system(client, headers) -> dict:
    await assessments.seed_systems()
    listed = await client.get(SYSTEMS, headers=headers)
    assert listed.status_code == 200, listed.text
    return next(s for s in listed.json()["items"] if s["name"] == SOCIAL_WORK_SYSTEM["name"])


def all_scores(system_or_assessment: dict, value) -> dict:
    return {i["key"]: value for d in system_or_assessment["dimensions"] for i in d["indicators"]}


def all_notes(assessment: dict) -> dict:
    return {i["key"]: f"查阅{i['name']}相关台账与佐证材料" for d in assessment["dimensions"] for i in d["indicators"]}


async def assigned(client, stage="midterm", past_year=False, **body):
    contract, officer, provider = await active_contract(client, past_year=past_year)
    system = await seeded_system(client, officer)
    made = await client.post(
        url(contract),
        headers=officer,
        json={"agency_id": await agency_id(), "stage": stage, "system_id": system["id"], **body},
    )
    assert made.status_code == 201, made.text
    return contract, officer, provider, made.json()


async def self_assessed(client, **kwargs):
    contract, officer, provider, assessment = await assigned(client, **kwargs)
    done = await client.post(
        url(contract, f"/{assessment['id']}/self-assessment"),
        headers=provider,
        json={"scores": all_scores(assessment, 88), "notes": {}, "summary": "本期按合同完成各项服务，台账齐全。"},
    )
    assert done.status_code == 200, done.text
    return contract, officer, provider, done.json()


async def evaluate(client, contract, assessment, headers, scores):
    return await client.post(
        url(contract, f"/{assessment['id']}/evaluation"),
        headers=headers,
        json={"scores": scores, "notes": all_notes(assessment), "opinion": "项目执行规范，服务成效明显，建议继续。"},
    )


# --------------------------------------------------------------------------- indicator systems


async def test_the_seeded_system_for_social_work_has_four_dimensions_weighted_to_100(client):
    officer = await api_login(client, "officer")
    system = await seeded_system(client, officer)
    assert [d["name"] for d in system["dimensions"]] == ["项目管理", "服务成效", "财务管理", "满意度"]
    assert sum(d["weight"] for d in system["dimensions"]) == 100
    assert all(sum(i["weight"] for i in d["indicators"]) == 100 for d in system["dimensions"])
    assert all(i["guidance"] for d in system["dimensions"] for i in d["indicators"])
    assert system["version"] == 1 and system["latest"]
    assert await assessments.seed_systems() == 0  # a second seeding adds nothing


async def test_an_officer_saves_a_new_version_and_a_wrong_weight_is_refused_with_the_level_named(client):
    officer = await api_login(client, "officer")
    body = {"name": SOCIAL_WORK_SYSTEM["name"], **copy.deepcopy(SOCIAL_WORK_SYSTEM["tree"])}
    await assessments.seed_systems()
    body["dimensions"][1]["indicators"][0]["weight"] = 45  # 服务成效 now adds up to 105
    refused = await client.post(SYSTEMS, headers=officer, json=body)
    assert refused.status_code == 422, refused.text
    assert "服务成效" in str(refused.json()) and "105" in str(refused.json())
    body["dimensions"][1]["indicators"][0]["weight"] = 40
    body["dimensions"][3]["indicators"][0]["guidance"] = "按社区评议满意率计分。"
    saved = await client.post(SYSTEMS, headers=officer, json=body)
    assert saved.status_code == 201, saved.text
    assert saved.json()["version"] == 2
    listed = (await client.get(SYSTEMS, headers=officer)).json()["items"]
    assert [(s["version"], s["latest"]) for s in listed if s["name"] == body["name"]] == [(2, True), (1, False)]
    provider = await api_login(client, "xingfujia")
    denied = await client.post(SYSTEMS, headers=provider, json=body)
    assert denied.status_code == 403 and "经办人" in denied.json()["detail"]


async def test_the_contracts_copy_of_its_system_is_unchanged_by_a_later_version(client):
    contract, officer, _provider, assessment = await assigned(client)
    assert assessment["system_version"] == 1
    before = await ContractIndicators.select().where(ContractIndicators.contract == contract["id"]).first()
    body = {"name": SOCIAL_WORK_SYSTEM["name"], **copy.deepcopy(SOCIAL_WORK_SYSTEM["tree"])}
    body["dimensions"][0]["name"] = "项目管理与执行"
    assert (await client.post(SYSTEMS, headers=officer, json=body)).status_code == 201
    after = await ContractIndicators.select().where(ContractIndicators.contract == contract["id"]).first()
    assert after == before
    again = await client.get(url(contract, f"/{assessment['id']}"), headers=officer)
    assert again.json()["dimensions"][0]["name"] == "项目管理" and again.json()["system_version"] == 1
    # A later assignment of the same contract keeps the copy; another system is refused.
    latest = next(s for s in (await client.get(SYSTEMS, headers=officer)).json()["items"] if s["version"] == 2)
    other = await client.post(
        url(contract),
        headers=officer,
        json={"agency_id": await agency_id(), "stage": "final", "system_id": latest["id"]},
    )
    assert other.status_code == 409 and "同一指标体系" in other.json()["detail"]
    final = await client.post(url(contract), headers=officer, json={"agency_id": await agency_id(), "stage": "final"})
    assert final.status_code == 201, final.text
    assert final.json()["system_version"] == 1


# --------------------------------------------------------------------------- assignment


async def test_the_midterm_is_due_at_the_midpoint_and_the_final_a_month_before_the_end(client):
    contract, officer, _provider, assessment = await assigned(client)
    row = await Contract.select(Contract.term_start, Contract.term_end).where(Contract.id == contract["id"]).first()
    start, end = row["term_start"], row["term_end"]
    assert date.fromisoformat(assessment["due_on"]) == start + timedelta(days=(end - start).days // 2)
    assert assessment["status"] == "assigned" and assessment["agency_name"] == "杭州市众合社会组织评估中心"
    assert assessment["independence"]
    final = await client.post(url(contract), headers=officer, json={"agency_id": await agency_id(), "stage": "final"})
    assert date.fromisoformat(final.json()["due_on"]) == end - timedelta(days=30)
    twice = await client.post(url(contract), headers=officer, json={"agency_id": await agency_id(), "stage": "final"})
    assert twice.status_code == 409
    spot = await client.post(url(contract), headers=officer, json={"agency_id": await agency_id(), "stage": "spot"})
    assert spot.status_code == 422 and "due_on" in str(spot.json())
    audit = await AuditEvent.select().where(AuditEvent.action == "assessment.assigned")
    assert len(audit) == 2


async def test_only_the_buyers_officer_assigns_and_the_first_assignment_needs_a_system(client):
    contract, officer, provider = await active_contract(client, past_year=False)
    await assessments.seed_systems()
    body = {"agency_id": await agency_id(), "stage": "midterm"}
    no_system = await client.post(url(contract), headers=officer, json=body)
    assert no_system.status_code == 422 and "system_id" in str(no_system.json())
    for who in (provider, await api_login(client, "finance")):
        denied = await client.post(url(contract), headers=who, json=body)
        assert denied.status_code == 403, denied.text
    stranger = await client.post(url(contract), headers=await api_login(client, "pinggu"), json=body)
    assert stranger.status_code == 404
    assert await Assessment.count() == 0


async def test_an_agency_that_is_not_independent_of_the_provider_is_refused_with_the_reason(client):
    contract, officer, _provider = await active_contract(client, past_year=False)
    system = await seeded_system(client, officer)
    body = {"stage": "midterm", "system_id": system["id"]}
    own = await client.post(url(contract), headers=officer, json={**body, "agency_id": contract["provider_id"]})
    assert own.status_code == 422 and "服务机构本身" in str(own.json())
    bureau = await client.post(url(contract), headers=officer, json={**body, "agency_id": contract["buyer_id"]})
    assert bureau.status_code == 422 and "不是登记的第三方评估机构" in str(bureau.json())
    provider_rep = (await Organization.select().where(Organization.id == contract["provider_id"]).first())[
        "legal_representative"
    ]
    await Organization.update({Organization.legal_representative: provider_rep}).where(
        Organization.id == await agency_id()
    )
    same_head = await client.post(url(contract), headers=officer, json={**body, "agency_id": await agency_id()})
    assert same_head.status_code == 422 and "负责人" in str(same_head.json())
    await Organization.update(
        {Organization.legal_representative: "吴静", Organization.parent: contract["provider_id"]}
    ).where(Organization.id == await agency_id())
    child = await client.post(url(contract), headers=officer, json={**body, "agency_id": await agency_id()})
    assert child.status_code == 422 and "隶属" in str(child.json())
    assert await Assessment.count() == 0 and await ContractIndicators.count() == 0


# --------------------------------------------------------------------------- the evaluation


async def test_the_self_assessment_comes_first_and_the_agency_grades_with_evidence(client, finished):
    contract, officer, provider, assessment = await assigned(client)
    evaluator = await api_login(client, "pinggu")
    early = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 85))
    assert early.status_code == 409, early.text
    wrong = await client.post(
        url(contract, f"/{assessment['id']}/self-assessment"),
        headers=evaluator,
        json={"scores": all_scores(assessment, 80), "summary": "评估机构代为自评，不应允许。"},
    )
    assert wrong.status_code == 403
    done = await client.post(
        url(contract, f"/{assessment['id']}/self-assessment"),
        headers=provider,
        json={"scores": all_scores(assessment, "92.5"), "summary": "本期按合同完成各项服务，台账齐全。"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "self_assessed" and done.json()["self_score"] == "92.5"
    assert done.json()["actions"] == []
    # The agency sees it in its queue, and may evaluate it.
    queue = (await client.get("/api/v1/assessments/mine", headers=evaluator)).json()["items"]
    assert [a["id"] for a in queue] == [assessment["id"]] and queue[0]["actions"] == ["evaluate"]
    no_notes = await client.post(
        url(contract, f"/{assessment['id']}/evaluation"),
        headers=evaluator,
        json={"scores": all_scores(assessment, 85), "notes": {}, "opinion": "项目执行规范，服务成效明显。"},
    )
    assert no_notes.status_code == 422 and "评分依据" in str(no_notes.json())
    by_officer = await evaluate(client, contract, assessment, officer, all_scores(assessment, 85))
    assert by_officer.status_code == 403
    scored = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, "85.5"))
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert body["status"] == "finished" and body["grade"] == "good" and body["grade_label"] == "良好"
    assert body["score"] == "85.5" and body["score_tenths"] == 855
    assert len(body["rounds"]) == 1 and body["rounds"][0]["grade_reasons"] == []
    assert len(finished) == 1
    event = finished[0]
    assert {k: event[k] for k in ("contract_id", "assessment_id", "stage", "grade", "score_tenths")} == {
        "contract_id": contract["id"],
        "assessment_id": assessment["id"],
        "stage": "midterm",
        "grade": "good",
        "score_tenths": 855,
    }
    assert event["finished_at"].tzinfo is not None
    again = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 95))
    assert again.status_code == 409 and len(finished) == 1


async def test_a_late_or_missing_midterm_report_makes_the_midterm_fail_whatever_the_score(client, finished):
    contract, _officer, _provider, assessment = await self_assessed(client, past_year=True)
    evaluator = await api_login(client, "pinggu")
    scored = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 95))
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert body["score"] == "95.0" and body["grade"] == "fail" and body["grade_label"] == "不合格"
    reasons = body["rounds"][0]["grade_reasons"]
    assert "不合格" in reasons[0] and any("未交" in r for r in reasons[1:])
    assert finished[-1]["grade"] == "fail" and finished[-1]["score_tenths"] == 950
    # 不合格 calls for rectification (rule 32) with a deadline.
    assert body["status"] == "rectifying"
    assert date.fromisoformat(body["rectification_due_on"]) == clock.today_local() + timedelta(days=30)


async def test_a_pass_calls_for_rectification_and_the_re_evaluation_is_a_new_round(client, finished):
    contract, officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    scored = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, "79.9"))
    body = scored.json()
    assert body["grade"] == "pass" and body["status"] == "rectifying", body
    early = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 90))
    assert early.status_code == 409
    by_officer = await client.post(
        url(contract, f"/{assessment['id']}/rectification"),
        headers=officer,
        json={"report": "已按评估意见完成全部整改。"},
    )
    assert by_officer.status_code == 403
    reported = await client.post(
        url(contract, f"/{assessment['id']}/rectification"),
        headers=provider,
        json={"report": "已补齐个案档案并调整活动计划，整改完成。"},
    )
    assert reported.status_code == 200 and reported.json()["status"] == "reevaluating", reported.text
    again = await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 90))
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["status"] == "finished" and body["grade"] == "excellent" and body["rectification_due_on"] is None
    assert [r["grade"] for r in body["rounds"]] == ["pass", "excellent"]
    assert [e["grade"] for e in finished] == ["pass", "excellent"]
    assert await AssessmentRound.count() == 2
    actions = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {
        "assessment.self_assess",
        "assessment.evaluate",
        "assessment.require_rectification",
        "assessment.report_rectification",
        "assessment.reevaluate",
    } <= actions


async def test_the_report_lists_the_tree_scores_evidence_and_grade_for_those_who_may_read_it(client):
    contract, officer, provider, assessment = await self_assessed(client)
    evaluator = await api_login(client, "pinggu")
    none_yet = await client.get(url(contract, f"/{assessment['id']}/report"), headers=officer)
    assert none_yet.status_code == 409
    await evaluate(client, contract, assessment, evaluator, all_scores(assessment, 84))
    for who in (officer, provider, evaluator, await api_login(client, "finance")):
        report = await client.get(url(contract, f"/{assessment['id']}/report"), headers=who)
        assert report.status_code == 200, report.text
    body = report.json()
    assert body["grade_label"] == "良好" and body["score"] == "84.0"
    assert len(body["lines"]) == 11 and all(line["evidence"] for line in body["lines"])
    assert body["lines"][0]["self_score"] == "88" and body["lines"][0]["score"] == "84"
    assert [d["name"] for d in body["dimensions"]] == ["项目管理", "服务成效", "财务管理", "满意度"]
    outsider = await client.get(url(contract, f"/{assessment['id']}/report"), headers=await api_login(client, "yile"))
    assert outsider.status_code == 404
    listed = await client.get(url(contract), headers=await api_login(client, "yile"))
    assert listed.status_code == 404


async def test_the_report_pdf_embeds_a_cjk_font_and_shows_the_grade(client):
    contract, officer, _provider, assessment = await self_assessed(client)
    await evaluate(client, contract, assessment, await api_login(client, "pinggu"), all_scores(assessment, 91))
    got = await client.get(url(contract, f"/{assessment['id']}/report.pdf"), headers=officer)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/pdf") and got.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(got.content))
    assert any("CJK" in name or "Noto" in name for name in font_names(reader))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "第三方评估报告" in text and "优秀" in text and "服务对象满意度" in text
    outsider = await client.get(
        url(contract, f"/{assessment['id']}/report.pdf"), headers=await api_login(client, "yile")
    )
    assert outsider.status_code == 404


async def test_the_contracts_demo_seeds_the_indicator_system_once(client):
    from contracts.demo import load_demo_contracts

    await load_demo_contracts()
    await load_demo_contracts()
    names = [r["name"] for r in await IndicatorSystem.select(IndicatorSystem.name)]
    assert names == [SOCIAL_WORK_SYSTEM["name"]]


async def test_the_provider_self_assesses_and_the_agency_scores_on_the_pages(client):
    from tests.integration.conftest import page_login, post_form

    contract, _officer, _provider, assessment = await assigned(client)
    link = f"/contracts/{contract['id']}/assessments/{assessment['id']}"
    keys = [i["key"] for d in assessment["dimensions"] for i in d["indicators"]]
    await page_login(client, "xingfujia")
    shown = await client.get(link)
    assert shown.status_code == 200 and "服务对象满意度" in shown.text and "提交自评" in shown.text
    form = {
        "action": "self_assess",
        "text": "本期按合同完成各项服务，台账齐全。",
        **{f"score__{k}": "88" for k in keys},
    }
    done = await post_form(client, link, link, form)
    assert done.status_code == 303, done.text
    client.cookies.clear()
    await page_login(client, "pinggu")
    workspace = await client.get("/assessments")
    assert workspace.status_code == 200 and link in workspace.text
    assert "样本不足" in (await client.get(link)).text  # no survey answers yet
    scores = {f"score__{k}": "82" for k in keys}
    no_notes = await post_form(
        client, link, link, {"action": "evaluate", "text": "项目执行规范，服务成效明显。", **scores}
    )
    assert no_notes.status_code == 422 and "评分依据" in no_notes.text
    notes = {f"note__{k}": "查阅台账与现场走访" for k in keys}
    scored = await post_form(
        client, link, link, {"action": "evaluate", "text": "项目执行规范，服务成效明显。", **scores, **notes}
    )
    assert scored.status_code == 303, scored.text
    page = await client.get(link)
    assert "良好" in page.text and "report.pdf" in page.text


async def test_a_contract_without_a_term_cannot_be_given_evaluation_dates(client):
    contract, officer, _provider = await active_contract(client, past_year=False)
    system = await seeded_system(client, officer)
    await Contract.update({Contract.term_end: None}).where(Contract.id == contract["id"])
    body = {"agency_id": await agency_id(), "stage": "final", "system_id": system["id"]}
    refused = await client.post(url(contract), headers=officer, json=body)
    assert refused.status_code == 409 and "履行期限" in refused.json()["detail"]
