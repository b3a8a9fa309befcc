"""Deemed 磋商 awards, challenges and complaints, abnormally low prices, and the
time-driven sweeps of evaluation (rules 23, 26, 27; invariants 3, 4, 10)."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta

from procurement.awards import challenges
from procurement.awards import services as awards
from procurement.awards.tables import Award, Challenge
from procurement.core import clock
from procurement.core.calendar import get_default_calendar
from procurement.core.tables import AuditEvent, InboxItem
from procurement.evaluation import ranking
from procurement.evaluation.tables import Panel, ScoreSheet
from procurement.settings import get_settings
from procurement.tenders.tables import Notice, Tender
from tests.integration.conftest import api_login
from tests.integration.evaluation_helpers import (
    bids_by_org,
    evaluated,
    opened_tender,
    score_all,
)
from tests.integration.test_evaluation_api import chinese_problem


def at(day, hour: int, minute: int):
    """A wall-clock moment in Asia/Shanghai on ``day``."""
    return clock.to_utc(datetime(day.year, day.month, day.day, hour, minute))


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def awarded(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
    lot_id = board["lots"][0]["lot_id"]
    done = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert done.status_code == 200, done.text
    return tender_id, officer, panel, logins, bids, lot_id


async def challenge(client, tender_id: int, username: str = "yile", **extra):
    headers = await api_login(client, username)
    body = {
        "grounds": "中标人项目负责人不具备中级社会工作师资格，不符合招标文件团队要求，请予复核。",
        "documents": [{"name": "证明材料.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        **extra,
    }
    return await client.post(f"/api/v1/tenders/{tender_id}/challenges", headers=headers, json=body), headers


# --------------------------------------------------------------------------- deemed choice (rule 26)


async def test_a_consultation_award_is_deemed_once_the_buyer_lets_five_working_days_pass(client):
    tender_id, officer = await opened_tender(client)
    await Tender.update({Tender.method: "competitive_consultation"}).where(Tender.id == tender_id)
    from tests.integration.evaluation_helpers import deliver_report, ready_to_score

    panel, logins, chair = await ready_to_score(client, officer, tender_id, size=3)
    await score_all(client, tender_id, logins)
    assert (await deliver_report(client, chair, tender_id)).status_code == 200
    due = (await Panel.select(Panel.award_due_on).where(Panel.tender == tender_id).first())["award_due_on"]
    assert get_default_calendar().working_days_between(clock.today_local(), due) == 5
    with clock.frozen(at(due, 23, 59)):
        assert await awards.deem_due_awards() == 0, "the fifth working day is still the buyer's"
    with clock.frozen(at(due + timedelta(days=1), 9, 0)):
        assert await awards.deem_due_awards() == 1
        assert await awards.deem_due_awards() == 0, "exactly once"
        [award] = await Award.select().where(Award.tender == tender_id)
        assert award["deemed"] and award["rank"] == 1 and award["decided_by"] is None
        assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "awarded"
        notice = await client.get(f"/api/v1/tenders/{tender_id}/award-notice")
        assert "视为确定排名第一" in notice.json()["content"]
    assert await AuditEvent.count().where(AuditEvent.action == "tender.deem_award") == 1
    late = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": award["lot"], "bid_id": award["bid"]}]},
    )
    assert late.status_code == 409


async def test_an_open_tender_is_never_deemed(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    due = (await Panel.select(Panel.award_due_on).where(Panel.tender == tender_id).first())["award_due_on"]
    with clock.frozen(at(due + timedelta(days=10), 9, 0)):
        assert await awards.deem_due_awards() == 0
        assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "evaluating"


# --------------------------------------------------------------------------- challenges (rule 27)


async def test_a_challenge_blocks_signing_until_answered_and_a_rejection_keeps_the_award(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    assert await awards.signing_blockers(tender_id) == []
    filed, yile = await challenge(client, tender_id)
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert body["status"] == "filed" and body["documents"][0]["sha256"]
    assert get_default_calendar().working_days_between(clock.today_local(), date_of(body["answer_due_on"])) == 7
    blockers = await awards.signing_blockers(tender_id)
    assert len(blockers) == 1 and "暂停签订合同" in blockers[0]
    assert await InboxItem.count().where(InboxItem.event == "challenge.filed") >= 1
    # Only the buyer answers; the challenger cannot.
    assert (
        await client.post(
            f"/api/v1/challenges/{body['id']}/answer",
            headers=yile,
            json={"outcome": "rejected", "answer": "经核查，中标人项目负责人持有中级社会工作师证书。"},
        )
    ).status_code == 403
    answered = await client.post(
        f"/api/v1/challenges/{body['id']}/answer",
        headers=officer,
        json={"outcome": "rejected", "answer": "经核查，中标人项目负责人持有中级社会工作师证书，质疑不成立。"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "rejected" and answered.json()["complaint_due_on"]
    assert await awards.signing_blockers(tender_id) == []
    twice = await client.post(
        f"/api/v1/challenges/{body['id']}/answer",
        headers=officer,
        json={"outcome": "re_award", "answer": "再次答复，改为成立，测试不可重复答复。"},
    )
    assert twice.status_code == 409
    # 投诉 after the answer: recorded with its 30-working-day decision date.
    complained = await client.post(
        f"/api/v1/challenges/{body['id']}/complaint", headers=yile, json={"authority": "杭州市上城区财政局"}
    )
    assert complained.status_code == 200, complained.text
    c = complained.json()
    assert c["status"] == "complained"
    assert (
        get_default_calendar().working_days_between(clock.today_local(), date_of(c["complaint_decision_due_on"])) == 30
    )
    decided = await client.post(
        f"/api/v1/challenges/{body['id']}/complaint-decision", headers=officer, json={"decision": "财政部门驳回投诉。"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "complaint_decided"


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


async def test_result_challenges_are_refused_after_their_period_and_from_outsiders(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    until = (await Award.select(Award.challenge_until).where(Award.tender == tender_id).first())["challenge_until"]
    # Rule 27: 7 working days from the end of the 1-working-day notice period, not from publication.
    assert get_default_calendar().working_days_between(clock.today_local(), until) == 8
    with clock.frozen(at(until, 17, 0)):
        on_time, _ = await challenge(client, tender_id, username="yangguang")
        assert on_time.status_code == 201, "the seventh working day after the notice period is still in time"
        assert on_time.json()["kind"] == "result" and on_time.json()["period_until"] == until.isoformat()
    with clock.frozen(at(until + timedelta(days=1), 9, 0)):
        late, _ = await challenge(client, tender_id)
        message = chinese_problem(late, 409)
        assert "届满" in message and f"截止到 {until:%Y-%m-%d}" in message and "第五十三条" in message
    other = await api_login(client, "expert1")
    refused = await client.post(
        f"/api/v1/tenders/{tender_id}/challenges",
        headers=other,
        json={"grounds": "我不是投标人，但想提出质疑，看看会怎样。"},
    )
    assert refused.status_code == 403
    bad_file = await client.post(
        f"/api/v1/tenders/{tender_id}/challenges",
        headers=await api_login(client, "yile"),
        json={
            "grounds": "附件不是允许的类型，应被拒绝且不保存任何内容。",
            "documents": [{"name": "x.exe", "content_base64": base64.b64encode(b"MZ\x90\x00binary").decode()}],
        },
    )
    chinese_problem(bad_file, 422)
    assert await Challenge.count() == 1, "a refused challenge saves nothing"


async def test_an_overdue_answer_is_flagged_once(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    filed, _ = await challenge(client, tender_id)
    due = date_of(filed.json()["answer_due_on"])
    with clock.frozen(at(due + timedelta(days=1), 9, 0)):
        officer = await api_login(client, "officer")  # the old session has expired by then
        listed = await client.get(f"/api/v1/tenders/{tender_id}/challenges", headers=officer)
        assert listed.json()[0]["overdue"] is True
        assert await challenges.flag_overdue_answers() == 1
        assert await challenges.flag_overdue_answers() == 0
    assert await InboxItem.count().where(InboxItem.event == "challenge.overdue") >= 1


async def test_an_upheld_challenge_revokes_the_award_and_forces_a_new_one(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    filed, _ = await challenge(client, tender_id)
    upheld = await client.post(
        f"/api/v1/challenges/{filed.json()['id']}/answer",
        headers=officer,
        json={"outcome": "re_award", "answer": "经核查，中标人项目负责人证书已过期，不符合团队要求，质疑成立。"},
    )
    assert upheld.status_code == 200, upheld.text
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "evaluating"
    [old] = await Award.select().where(Award.tender == tender_id)
    assert old["status"] == "revoked" and "质疑成立" in old["revoked_reason"]
    assert await awards.signing_blockers(tender_id), "no active award: nothing to sign"
    correction = (
        await Notice.select(Notice.content)
        .where((Notice.tender == tender_id) & (Notice.notice_type == "amendment"))
        .first()
    )
    assert correction is not None and "撤销" in correction["content"]
    # The buyer chooses again; the top-ranked needs no reason, the next one does (rule 26).
    no_reason = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["颐乐"]}]},
    )
    assert no_reason.status_code == 422
    again = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={
            "choices": [
                {"lot_id": lot_id, "bid_id": bids["颐乐"], "reason": "质疑成立，原排名第一的供应商不符合团队要求。"}
            ]
        },
    )
    assert again.status_code == 200, again.text
    active = await Award.select().where((Award.tender == tender_id) & (Award.status == "active"))
    assert [a["bid"] for a in active] == [bids["颐乐"]]
    notice = (await client.get(f"/api/v1/tenders/{tender_id}/award-notice")).json()
    assert notice["awards"][0]["bid_id"] == bids["颐乐"]


async def test_an_upheld_challenge_for_re_evaluation_starts_a_new_round(client):
    tender_id, officer, panel, logins, bids, lot_id = await awarded(client)
    filed, _ = await challenge(client, tender_id)
    upheld = await client.post(
        f"/api/v1/challenges/{filed.json()['id']}/answer",
        headers=officer,
        json={"outcome": "re_evaluate", "answer": "评审中客观分认定有误，质疑成立，由原评标委员会重新评审。"},
    )
    assert upheld.status_code == 200, upheld.text
    row = await Panel.select().where(Panel.tender == tender_id).first()
    assert row["round"] == 2 and row["report_delivered_at"] is None
    assert await ScoreSheet.count().where(ScoreSheet.status == "superseded") == 15
    board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
    assert board["round"] == 2 and not board["complete"] and board["lots"][0]["bids"][0]["total"] is None
    refused = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert "评审报告" in chinese_problem(refused, 409)
    await score_all(client, tender_id, logins)
    assert await ScoreSheet.count().where(ScoreSheet.round == 2) == 15


# --------------------------------------------------------------------------- abnormally low prices (rule 23)


async def test_an_abnormally_low_price_needs_an_explanation_the_panel_accepts(client, monkeypatch):
    # 平均 ¥338,166.67; with a 2 % margin the threshold is ¥331,403.33: 阳光 (¥329,000) is flagged, 幸福家 is not.
    monkeypatch.setattr(get_settings(), "abnormal_low_margin_percent", 2)
    tender_id, officer, panel, logins, chair = await evaluated(client, deliver=False)
    bids = await bids_by_org(tender_id)
    board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
    flags = {b["bid_id"]: b["low_price_status"] for b in board["lots"][0]["bids"]}
    assert flags == {bids["幸福家"]: "none", bids["颐乐"]: "none", bids["阳光"]: "awaiting_explanation"}
    assert any("书面说明" in b for b in board["blockers"])
    assert await InboxItem.count().where(InboxItem.event == "bid.low_price_explanation") >= 1
    blocked = await client.post(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=chair)
    assert "《政府采购货物和服务招标投标管理办法》第六十条" in chinese_problem(blocked, 409)
    early = await client.post(
        f"/api/v1/bids/{bids['阳光']}/low-price-decision", headers=chair, json={"accepted": True, "note": "认可"}
    )
    assert "书面说明" in chinese_problem(early, 409)
    yangguang = await api_login(client, "yangguang")
    not_flagged = await client.post(
        f"/api/v1/bids/{bids['颐乐']}/low-price-explanation",
        headers=await api_login(client, "yile"),
        json={"explanation": "我们的报价不低，但也想说明一下成本构成。"},
    )
    assert not_flagged.status_code == 409
    explained = await client.post(
        f"/api/v1/bids/{bids['阳光']}/low-price-explanation",
        headers=yangguang,
        json={"explanation": "本机构承接辖区内同类项目，场地由街道无偿提供，人员成本已核算，详见成本测算表。"},
    )
    assert explained.status_code == 200, explained.text
    not_chair = next(h for h in logins.values() if h is not chair)
    assert (
        await client.post(
            f"/api/v1/bids/{bids['阳光']}/low-price-decision",
            headers=not_chair,
            json={"accepted": True, "note": "认可"},
        )
    ).status_code == 403
    accepted = await client.post(
        f"/api/v1/bids/{bids['阳光']}/low-price-decision",
        headers=chair,
        json={"accepted": True, "note": "成本测算合理，予以认可。"},
    )
    assert accepted.status_code == 200, accepted.text
    from tests.integration.evaluation_helpers import deliver_report

    delivered = await deliver_report(client, chair, tender_id)
    assert delivered.status_code == 200, delivered.text


async def test_a_rejected_explanation_makes_the_bid_invalid(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "abnormal_low_margin_percent", 2)
    tender_id, officer, panel, logins, chair = await evaluated(client, deliver=False)
    bids = await bids_by_org(tender_id)
    yangguang = await api_login(client, "yangguang")
    await client.post(
        f"/api/v1/bids/{bids['阳光']}/low-price-explanation",
        headers=yangguang,
        json={"explanation": "我们愿意少赚一点，报价是真实的，请评标委员会认可。"},
    )
    rejected = await client.post(
        f"/api/v1/bids/{bids['阳光']}/low-price-decision",
        headers=chair,
        json={"accepted": False, "note": "未提供成本测算依据，不能证明可按质履约。"},
    )
    assert rejected.status_code == 200, rejected.text
    status = {r["bid_id"]: r["status"] for r in rejected.json()}
    assert status[bids["阳光"]] == "disqualified"
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "failed", (
        "two valid bids left of an open tender: 废标 (rule 18)"
    )


# --------------------------------------------------------------------------- concurrency (invariant 3)


async def test_simultaneous_awards_and_answers_happen_once(client):
    tender_id, officer, panel, logins, chair = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()["lots"][0]["lot_id"]
    body = {"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]}
    results = await asyncio.gather(
        *[client.post(f"/api/v1/tenders/{tender_id}/award", headers=officer, json=body) for _ in range(6)]
    )
    assert sorted(r.status_code for r in results) == [200] + [409] * 5, [r.text for r in results]
    assert await Award.count().where(Award.tender == tender_id) == 1
    assert await Notice.count().where((Notice.tender == tender_id) & (Notice.notice_type == "result")) == 1
    filed, _ = await challenge(client, tender_id)
    answers = await asyncio.gather(
        *[
            client.post(
                f"/api/v1/challenges/{filed.json()['id']}/answer",
                headers=officer,
                json={"outcome": outcome, "answer": "并发答复测试：只能有一个答复生效。"},
            )
            for outcome in ("rejected", "re_award", "re_evaluate")
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409], [a.text for a in answers]


async def test_simultaneous_submissions_of_one_sheet_lock_it_once(client):
    tender_id, officer = await opened_tender(client)
    from tests.integration.evaluation_helpers import ready_to_score

    panel, logins, chair = await ready_to_score(client, officer, tender_id)
    bid_id = (await bids_by_org(tender_id))["幸福家"]
    headers = next(iter(logins.values()))
    from tests.integration.evaluation_helpers import sheet

    attempts = await asyncio.gather(
        *[
            client.put(
                f"/api/v1/bids/{bid_id}/score-sheet",
                headers=headers,
                json=sheet({"c1": str(20 + n), "c2": "12", "c3": "15", "c4": "12"}),
            )
            for n in range(5)
        ]
    )
    assert sorted(a.status_code for a in attempts) == [200] + [409] * 4, [a.text for a in attempts]
    [row] = await ScoreSheet.select().where(ScoreSheet.bid == bid_id)
    winner = next(a for a in attempts if a.status_code == 200).json()["mine"]["scores"]["c1"]
    assert row["status"] == "submitted" and winner in row["scores"]


async def test_sweeps_catch_up_on_overdue_reports(client):
    tender_id, officer, panel, logins, chair = await evaluated(client, deliver=False)
    due = (await Panel.select(Panel.report_due_on).where(Panel.tender == tender_id).first())["report_due_on"]
    assert due is not None and get_default_calendar().working_days_between(clock.today_local(), due) == 2
    with clock.frozen(at(due + timedelta(days=1), 9, 0)):
        officer = await api_login(client, "officer")
        board = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()
        assert board["report_overdue"] is True
        assert await ranking.flag_overdue_reports() == 1
        assert await ranking.flag_overdue_reports() == 0


async def test_simultaneous_corrections_of_one_sheet_are_each_kept_or_refused(client):
    """Invariant 6: two corrections racing on one sheet never overwrite each other silently."""
    tender_id, officer, panel, logins, chair = await evaluated(client, deliver=False)
    bid_id = (await bids_by_org(tender_id))["颐乐"]
    headers = next(iter(logins.values()))
    sheet_id = (await client.get(f"/api/v1/bids/{bid_id}/scoring", headers=headers)).json()["mine"]["id"]
    attempts = await asyncio.gather(
        *[
            client.post(
                f"/api/v1/score-sheets/{sheet_id}/corrections",
                headers=headers,
                json={
                    "criterion_key": "c1",
                    "new_points": str(20 + n),
                    "reason": "summing_error",
                    "explanation": f"汇总时抄录错误，第 {n} 次更正。",
                },
            )
            for n in range(4)
        ]
    )
    ok = [a for a in attempts if a.status_code == 200]
    assert len(ok) >= 1 and all(a.status_code in (200, 409) for a in attempts), [a.text for a in attempts]
    from procurement.evaluation.tables import ScoreCorrection

    history = await ScoreCorrection.select().where(ScoreCorrection.sheet == sheet_id).order_by(ScoreCorrection.id)
    assert len(history) == len(ok), "every accepted correction is in the history, and only those"
    # Each correction starts from the value the previous one left: the chain is unbroken.
    assert history[0]["old_points"] == "24"
    for before, after in zip(history, history[1:], strict=False):
        assert after["old_points"] == before["new_points"]
    [row] = await ScoreSheet.select(ScoreSheet.scores).where(ScoreSheet.id == sheet_id)
    assert f'"c1": "{history[-1]["new_points"]}"' in row["scores"]
