"""Delivery tracking of a contract (issue 12 §6, §7): the report schedule, submissions,
reviews, the overdue flag, attachments and who may do what. Runs on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta

from contracts.delivery import due as delivery_due
from contracts.delivery import rules
from contracts.delivery import services as delivery
from contracts.delivery.tables import ProgressReport, ReportSchedule, ReportSubmission
from contracts.lifecycle.tables import Contract
from procurement.core import clock
from procurement.core.tables import AuditEvent, InboxItem
from tests.integration.bid_helpers import PDF
from tests.integration.conftest import api_login, page_login, post_form
from tests.integration.contract_helpers import ready_contract, sign

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
ACTUALS = {"服务人次": 100, "活动场次": 2, "服务时长": "60.5", "服务对象满意度": 92}
NARRATIVE = "本月在东坡路社区开展助老服务和邻里活动，按计划完成。"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock moment as the clock's UTC instant."""
    return clock.to_utc(datetime(day.year, day.month, day.day, hour, minute))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def active_contract(client, *, past_year: bool = True):
    """A contract both parties signed; its term moved (in the draft) to the year just past,
    so that its periods have begun and the earlier reports are overdue."""
    contract, officer, provider, _tender = await ready_contract(client)
    if past_year:
        today = clock.today_local()
        start = date(today.year - 1, today.month, 1)
        end = date(today.year, today.month, 1) - timedelta(days=1)
        await Contract.update({Contract.term_start: start, Contract.term_end: end}).where(Contract.id == contract["id"])
    assert (await sign(client, officer, contract)).status_code == 200
    active = await sign(client, provider, contract)
    assert active.status_code == 200 and active.json()["status"] == "active", active.text
    return active.json(), officer, provider


def url(contract: dict, tail: str = "") -> str:
    return f"/api/v1/contracts/{contract['id']}/reports{tail}"


async def submit(client, headers, contract, report_id, **overrides):
    body = {"actuals": ACTUALS, "narrative": NARRATIVE, "attachments": [], **overrides}
    return await client.post(url(contract, f"/{report_id}/submissions"), headers=headers, json=body)


async def review(client, headers, contract, report_id, outcome, comments=""):
    return await client.post(
        url(contract, f"/{report_id}/review"), headers=headers, json={"outcome": outcome, "comments": comments}
    )


# --------------------------------------------------------------------------- the schedule


async def test_a_monthly_schedule_over_a_year_is_made_on_activation_and_never_drifts(client):
    contract, officer, provider = await active_contract(client)
    listed = await client.get(url(contract), headers=provider)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["schedule"]["kind"] == "monthly" and body["schedule"]["grace_days"] == 10
    reports = body["reports"]
    assert len(reports) == 12
    assert all(date.fromisoformat(r["due_on"]).day == 10 for r in reports)
    assert [r["status"] for r in reports] == ["due"] * 12
    first = reports[0]
    assert first["overdue"] and not first["late"]
    # A second read makes nothing more.
    assert await ProgressReport.count().where(ProgressReport.contract == contract["id"]) == 12
    assert await ReportSchedule.count().where(ReportSchedule.contract == contract["id"]) == 1
    # The first report, submitted months late, keeps its due date; the next ones do not move.
    done = await submit(client, provider, contract, first["id"])
    assert done.status_code == 200, done.text
    assert done.json()["due_on"] == first["due_on"] and done.json()["late"] and not done.json()["overdue"]
    after = (await client.get(url(contract), headers=officer)).json()["reports"]
    assert [r["due_on"] for r in after] == [r["due_on"] for r in reports]


async def test_the_officer_sets_a_quarterly_or_hand_set_schedule_until_a_report_is_submitted(client):
    contract, officer, provider = await active_contract(client)
    quarterly = await client.put(url(contract, "/schedule"), headers=officer, json={"kind": "quarterly"})
    assert quarterly.status_code == 200, quarterly.text
    assert quarterly.json()["schedule"]["kind"] == "quarterly" and 4 <= len(quarterly.json()["reports"]) <= 5
    term_end = date.fromisoformat(quarterly.json()["schedule"]["term_end"])
    custom = await client.put(
        url(contract, "/schedule"),
        headers=officer,
        json={"kind": "custom", "dates": [(term_end + timedelta(days=15)).isoformat()]},
    )
    assert custom.status_code == 200, custom.text
    (only,) = custom.json()["reports"]
    assert only["due_on"] == (term_end + timedelta(days=15)).isoformat()
    bad = await client.put(url(contract, "/schedule"), headers=officer, json={"kind": "custom", "dates": []})
    assert bad.status_code == 422 and "dates" in bad.json()["errors"]
    assert (await client.put(url(contract, "/schedule"), headers=provider, json={"kind": "monthly"})).status_code == 403
    assert (await submit(client, provider, contract, only["id"])).status_code == 200
    refused = await client.put(url(contract, "/schedule"), headers=officer, json={"kind": "monthly"})
    assert refused.status_code == 409 and "合同变更" in refused.json()["detail"]
    assert await ProgressReport.count().where(ProgressReport.contract == contract["id"]) == 1


async def test_activation_writes_the_default_schedule_at_once(client):
    contract, officer, provider = await active_contract(client, past_year=False)
    assert await ReportSchedule.count().where(ReportSchedule.contract == contract["id"]) == 1, "contract.activated"
    made = await ProgressReport.count().where(ProgressReport.contract == contract["id"])
    assert made >= 12
    assert await delivery_due.ensure_schedules() == 0, "the sweep finds nothing left to do"
    assert (await client.get(url(contract), headers=provider)).status_code == 200
    assert await ProgressReport.count().where(ProgressReport.contract == contract["id"]) == made, (
        "the lazy read is idempotent"
    )
    assert await AuditEvent.count().where(AuditEvent.action == "contract.report_schedule") == 1


async def test_the_sweep_gives_a_running_contract_without_a_schedule_the_default_once(client):
    contract, officer, provider = await active_contract(client, past_year=False)
    # A contract activated before activation made its schedule (or whose schedule went missing).
    await ProgressReport.delete().where(ProgressReport.contract == contract["id"])
    await ReportSchedule.delete().where(ReportSchedule.contract == contract["id"])
    assert await delivery_due.ensure_schedules() == 1
    assert await delivery_due.ensure_schedules() == 0, "idempotent"
    row = await Contract.select(Contract.term_start, Contract.term_end).where(Contract.id == contract["id"]).first()
    expected = rules.periods("monthly", row["term_start"], row["term_end"])
    reports = (await client.get(url(contract), headers=provider)).json()["reports"]
    assert [r["due_on"] for r in reports] == [p.due_on.isoformat() for p in expected]
    assert not any(r["overdue"] for r in reports), "a term that starts next month owes nothing yet"
    early = await submit(client, provider, contract, reports[0]["id"])
    assert early.status_code == 409 and "开始后才能提交" in early.json()["detail"]


# --------------------------------------------------------------------------- the overdue flag


async def test_an_overdue_report_is_flagged_once_and_the_provider_is_told(client):
    contract, officer, provider = await active_contract(client)
    reports = (await client.get(url(contract), headers=officer)).json()["reports"]
    last = reports[-1]
    due = date.fromisoformat(last["due_on"])
    earlier = len(reports) - 1
    with clock.frozen(at(due, 23, 59)):
        # Every earlier report is flagged; the last is only reminded (issue 15 §3: days before its due day).
        assert await delivery_due.run_due_reports() == earlier + 1, "every earlier report, and the last one's reminder"
        assert await delivery_due.run_due_reports() == 0, "exactly once"
    with clock.frozen(at(due + timedelta(days=1), 0, 0)):
        assert await delivery_due.run_due_reports() == 1, "the end of its due day in Beijing"
        assert await delivery_due.run_due_reports() == 0
    flagged = await ProgressReport.count().where(
        (ProgressReport.contract == contract["id"]) & ProgressReport.overdue_at.is_not_null()
    )
    assert flagged == len(reports)
    told = await InboxItem.count().where(InboxItem.event == "contract.report_overdue")
    members = {
        r["recipient"]
        for r in await InboxItem.select(InboxItem.recipient).where(InboxItem.event == "contract.report_overdue")
    }
    assert told == len(reports) * len(members) and members
    assert await AuditEvent.count().where(AuditEvent.action == "progress_report.overdue") == len(reports)
    listed = (await client.get(url(contract), headers=provider)).json()["reports"]
    assert all(r["overdue_flagged"] for r in listed)
    overdue_now = sum(r["overdue"] for r in listed)
    assert await delivery.overdue_counts([contract["id"]]) == ({contract["id"]: overdue_now} if overdue_now else {})


async def test_a_report_submitted_in_time_is_never_flagged(client):
    contract, officer, provider = await active_contract(client)
    reports = (await client.get(url(contract), headers=officer)).json()["reports"]
    last = reports[-1]
    assert (await submit(client, provider, contract, last["id"])).status_code == 200
    with clock.frozen(at(date.fromisoformat(last["due_on"]) + timedelta(days=30), 9)):
        assert await delivery_due.run_due_reports() == len(reports) - 1
    row = await ProgressReport.select().where(ProgressReport.id == last["id"]).first()
    assert row["overdue_at"] is None and row["next_check_at"] is None


# --------------------------------------------------------------------------- review


async def test_a_returned_report_is_resubmitted_and_accepted_and_its_history_is_kept(client):
    contract, officer, provider = await active_contract(client)
    report = (await client.get(url(contract), headers=provider)).json()["reports"][0]
    rid = report["id"]
    assert (await submit(client, provider, contract, rid)).status_code == 200
    no_comment = await review(client, officer, contract, rid, "return", "")
    assert no_comment.status_code == 422 and "comments" in no_comment.json()["errors"]
    returned = await review(client, officer, contract, rid, "return", "服务台账缺少签到表，请补充。")
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert (await review(client, officer, contract, rid, "accept")).status_code == 409, "nothing to review"
    again = await submit(client, provider, contract, rid, actuals={**ACTUALS, "服务人次": 120})
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    accepted = await review(client, officer, contract, rid, "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    history = accepted.json()["submissions"]
    assert [(s["round"], s["outcome"]) for s in history] == [(1, "return"), (2, "accept")]
    assert history[0]["comments"] == "服务台账缺少签到表，请补充。" and history[0]["actuals"]["服务人次"] == "100"
    assert history[1]["actuals"]["服务人次"] == "120"
    assert (await submit(client, provider, contract, rid)).status_code == 409, "an accepted report is final"
    progress = {p["name"]: p for p in (await client.get(url(contract), headers=officer)).json()["progress"]}
    assert progress["服务人次"]["actual"] == "120" and progress["服务人次"]["percent"] == "10.0"
    assert progress["服务对象满意度"]["actual"] == "92"
    assert await InboxItem.count().where(InboxItem.event == "contract.report_returned") >= 1
    # The contract page's 履约报告 tab draws the same progress, and links to the reports.
    await page_login(client, "officer")
    tab = await client.get(f"/contracts/{contract['id']}?tab=reports")
    assert tab.status_code == 200 and "<svg" in tab.text and f'href="/contracts/{contract["id"]}/reports"' in tab.text
    assert "<td>服务人次</td>" in tab.text and "暂无履约报告" not in tab.text
    client.cookies.clear()
    assert await InboxItem.count().where(InboxItem.event == "contract.report_submitted") >= 2


# --------------------------------------------------------------------------- who may do what


async def test_outsiders_neither_see_nor_touch_the_reports(client):
    contract, officer, provider = await active_contract(client)
    rid = (await client.get(url(contract), headers=provider)).json()["reports"][0]["id"]
    yile = await api_login(client, "yile")
    qingbo = await api_login(client, "qingbo")  # an officer of another bureau
    expert = await api_login(client, "expert1")
    for headers in (yile, qingbo, expert):
        assert (await client.get(url(contract), headers=headers)).status_code == 404
        assert (await submit(client, headers, contract, rid)).status_code == 404
        assert (await review(client, headers, contract, rid, "accept")).status_code == 404
        assert (
            await client.put(url(contract, "/schedule"), headers=headers, json={"kind": "monthly"})
        ).status_code == 404
    assert (await client.get(url(contract))).status_code == 401
    assert (await submit(client, officer, contract, rid)).status_code == 403, "the buyer does not report"
    assert (await submit(client, provider, contract, rid)).status_code == 200
    assert (await review(client, provider, contract, rid, "accept")).status_code == 403, "nor does the provider review"
    finance = await api_login(client, "finance")
    assert (await client.get(url(contract), headers=finance)).status_code == 200
    assert (await review(client, finance, contract, rid, "accept")).status_code == 403
    assert await ReportSubmission.count() == 1


async def test_no_reports_before_the_contract_is_active(client):
    contract, officer, provider, _ = await ready_contract(client)
    listed = await client.get(url(contract), headers=officer)
    assert listed.status_code == 200 and listed.json()["reports"] == [] and listed.json()["schedule"] is None
    refused = await client.put(url(contract, "/schedule"), headers=officer, json={"kind": "monthly"})
    assert refused.status_code == 409


# --------------------------------------------------------------------------- bad input, attachments


async def test_bad_reports_are_refused_in_chinese_and_nothing_is_saved(client):
    contract, officer, provider = await active_contract(client)
    rid = (await client.get(url(contract), headers=provider)).json()["reports"][0]["id"]
    missing = await submit(client, provider, contract, rid, actuals={"服务人次": -3, "活动场次": "很多"})
    assert missing.status_code == 422, missing.text
    errors = missing.json()["errors"]
    assert {"actuals.服务人次", "actuals.活动场次", "actuals.服务时长", "actuals.服务对象满意度"} <= set(errors)
    assert "不能小于 0" in errors["actuals.服务人次"]
    short = await submit(client, provider, contract, rid, narrative="好")
    assert short.status_code == 400, short.text  # the schema's own check (a narrative of at least 10 characters)
    fake = await submit(
        client,
        provider,
        contract,
        rid,
        attachments=[{"filename": "台账.pdf", "content_base64": b64(b"<html><script>alert(1)</script></html>")}],
    )
    assert fake.status_code == 422 and "按文件内容" in fake.text
    row = await ProgressReport.select().where(ProgressReport.id == rid).first()
    assert row["status"] == "due" and row["rounds"] == 0 and row["first_submitted_at"] is None
    assert await ReportSubmission.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "progress_report.submit") == 0


async def test_attachments_are_checked_by_content_kept_and_served_to_the_parties_only(client):
    contract, officer, provider = await active_contract(client)
    rid = (await client.get(url(contract), headers=provider)).json()["reports"][0]["id"]
    done = await submit(
        client,
        provider,
        contract,
        rid,
        attachments=[
            {"filename": "服务台账.pdf", "content_base64": b64(PDF)},
            {"filename": "活动照片.png", "content_base64": b64(PNG)},
        ],
    )
    assert done.status_code == 200, done.text
    files = done.json()["submissions"][0]["attachments"]
    assert [(f["name"], f["type"]) for f in files] == [("服务台账.pdf", "pdf"), ("活动照片.png", "png")]
    got = await client.get(files[0]["url"], headers=officer)
    assert got.status_code == 200 and got.content == PDF
    assert (await client.get(files[1]["url"], headers=provider)).content == PNG
    yile = await api_login(client, "yile")
    assert (await client.get(files[0]["url"], headers=yile)).status_code == 404
    other = files[0]["url"].rsplit("/", 1)[0] + "/" + "0" * 64
    assert (await client.get(other, headers=officer)).status_code == 404


# --------------------------------------------------------------------------- the page


async def test_the_reports_page_shows_the_schedule_the_forms_and_the_chart_by_role(client):
    contract, officer, provider = await active_contract(client)
    page_url = f"/contracts/{contract['id']}/reports"
    await page_login(client, "xingfujia")
    shown = await client.get(page_url)
    assert shown.status_code == 200, shown.text
    assert "<svg" in shown.text and "提交本期报告" in shown.text and "已逾期" in shown.text
    rid = (await client.get(url(contract), headers=provider)).json()["reports"][0]["id"]
    form = {"indicator": list(ACTUALS), "actual": [str(v) for v in ACTUALS.values()], "narrative": NARRATIVE}
    sent = await post_form(client, page_url, f"{page_url}/{rid}/submit", form)
    assert sent.status_code in (200, 303), sent.text
    assert (await ProgressReport.select().where(ProgressReport.id == rid).first())["status"] == "submitted"
    await client.post("/logout")
    client.cookies.clear()
    await page_login(client, "officer")
    shown = await client.get(page_url)
    assert "退回修改" in shown.text and "保存报告计划" not in shown.text
    refused = await post_form(client, page_url, f"{page_url}/{rid}/review", {"outcome": "return", "comments": ""})
    assert refused.status_code == 422 and "退回时请写明" in refused.text
    accepted = await post_form(client, page_url, f"{page_url}/{rid}/review", {"outcome": "accept", "comments": ""})
    assert accepted.status_code in (200, 303)
    assert (await ProgressReport.select().where(ProgressReport.id == rid).first())["status"] == "accepted"


def test_overdue_is_the_rule_the_sweep_uses():
    assert rules.overdue_from(date(2027, 2, 10)) == at(date(2027, 2, 11), 0)
