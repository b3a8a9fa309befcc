"""The three kinds of 质疑 and their periods (rule 27; 《政府采购法实施条例》第五十三条,
《政府采购质疑和投诉办法》第十条、第十一条), each at its last allowed working day and the
day after, over the 2026 National Day holidays as the working-day calendar has them
(Oct 1–7 off, Sat Oct 10 a 调休 working day, the Mid-Autumn Festival Fri Sep 25 off).

The dates the periods start from are the data the earlier steps left (the tender's
publication, the organization's download, an amendment's version, the opening time,
the last qualification review, the report's delivery, the result notice), moved
into September 2026 here; the clock is frozen on each boundary (``core.clock``)."""

from __future__ import annotations

import json
from datetime import date, datetime

from procurement.awards import services as awards
from procurement.awards.tables import Award, Challenge
from procurement.core import clock
from procurement.core.tables import InboxItem
from procurement.evaluation.tables import BidReview, Panel
from procurement.tenders.tables import Tender, TenderVersion
from tests.integration.conftest import api_login, csrf_from, page_login
from tests.integration.evaluation_helpers import bids_by_org, evaluated
from tests.integration.test_evaluation_api import chinese_problem

OPEN_DEMO = "清波街道居家养老上门服务项目"  # published, open for bids, nobody has bid
GROUNDS = "招标文件的评分标准设置了与项目无关的地域限制，排斥潜在供应商，请予修改。"


def at(day: date, hour: int, minute: int) -> datetime:
    """A wall-clock moment in Asia/Shanghai on ``day``."""
    return clock.to_utc(datetime(day.year, day.month, day.day, hour, minute))


def last_minute(day: date) -> datetime:
    return at(day, 23, 59)


def next_morning(day: date) -> datetime:
    return at(date.fromordinal(day.toordinal() + 1), 0, 1)


async def file(client, tender_id: int, username: str, kind: str, step: str = "", grounds: str = GROUNDS):
    headers = await api_login(client, username)
    return await client.post(
        f"/api/v1/tenders/{tender_id}/challenges",
        headers=headers,
        json={"kind": kind, "step": step, "grounds": grounds},
    )


async def periods_of(client, tender_id: int, username: str) -> dict[str, dict]:
    headers = await api_login(client, username)
    listed = await client.get(f"/api/v1/tenders/{tender_id}/challenge-periods", headers=headers)
    assert listed.status_code == 200, listed.text
    return {(w["kind"] + ("/" + w["step"] if w["step"] else "")): w for w in listed.json()}


async def download(client, tender_id: int, username: str) -> None:
    """The organization obtains the documents: a signed-in member downloads the PDF."""
    headers = await api_login(client, username)
    got = await client.get(f"/api/v1/tenders/{tender_id}/document", headers=headers)
    assert got.status_code == 200, got.text


async def published_on_september_21() -> int:
    """The open demo tender, as if published on Mon 2026-09-21: its documents period of
    5 working days (the publication day counted) ends on Mon Sep 28 (Sep 25–27 off)."""
    row = await Tender.select(Tender.id).where(Tender.title == OPEN_DEMO).first()
    await Tender.update({Tender.published_at: at(date(2026, 9, 21), 9, 0), Tender.documents_until: None}).where(
        Tender.id == row["id"]
    )
    return row["id"]


# --------------------------------------------------------------------------- the documents


async def test_a_documents_challenge_runs_seven_working_days_from_the_later_of_obtaining_and_the_period_end(client):
    tender_id = await published_on_september_21()
    with clock.frozen(at(date(2026, 9, 22), 10, 0)):  # before the period ends: it starts on Sep 28
        await download(client, tender_id, "yile")
    with clock.frozen(at(date(2026, 9, 30), 10, 0)):  # after it: it starts on the day obtained
        await download(client, tender_id, "yangguang")

    # Sep 28 + 7: Sep 29, 30, (holiday) Oct 8, 9, 10 (调休 Saturday), 12, 13.
    with clock.frozen(last_minute(date(2026, 10, 13))):
        shown = await periods_of(client, tender_id, "yile")
        assert shown["documents"]["last_day"] == "2026-10-13" and shown["documents"]["open"] is True
        assert shown["documents"]["starts_on"] == "2026-09-28"
        on_time = await file(client, tender_id, "yile", "documents")
        assert on_time.status_code == 201, on_time.text
        body = on_time.json()
        assert body["kind"] == "documents" and body["period_until"] == "2026-10-13"
        assert body["affects_result"] is False
    with clock.frozen(next_morning(date(2026, 10, 13))):
        late = chinese_problem(await file(client, tender_id, "yile", "documents"), 409)
        assert "获取采购文件或采购文件公告期限届满之日" in late and "2026-10-13" in late
        assert "《政府采购法实施条例》第五十三条" in late
        # Sep 30 + 7: Oct 8, 9, 10, 12, 13, 14, 15.
        assert (await periods_of(client, tender_id, "yangguang"))["documents"]["last_day"] == "2026-10-15"
    with clock.frozen(last_minute(date(2026, 10, 15))):
        assert (await file(client, tender_id, "yangguang", "documents")).status_code == 201
    with clock.frozen(next_morning(date(2026, 10, 15))):
        assert "2026-10-15" in chinese_problem(await file(client, tender_id, "yangguang", "documents"), 409)
    assert await Challenge.count().where(Challenge.tender == tender_id) == 2, "a refused challenge saves nothing"


async def test_an_amendment_restarts_the_period_for_what_it_changed(client):
    tender_id = await published_on_september_21()
    with clock.frozen(at(date(2026, 9, 22), 10, 0)):
        await download(client, tender_id, "yile")
    # 更正公告 (version 2) on Fri Oct 9: its changes may be challenged until Oct 10 (Sat), 12 … 19.
    await TenderVersion.insert(
        TenderVersion(
            tender=tender_id,
            version=2,
            snapshot=json.dumps({}),
            change_summary="更正评分标准",
            created_by=0,
            created_at=at(date(2026, 10, 9), 15, 0),
        )
    )
    with clock.frozen(at(date(2026, 10, 14), 9, 0)):
        shown = await periods_of(client, tender_id, "yile")
        assert shown["documents"]["open"] is False
        assert shown["documents/amendment-2"]["last_day"] == "2026-10-19"
        assert "第1次更正公告" in shown["documents/amendment-2"]["label"]
        old = chinese_problem(await file(client, tender_id, "yile", "documents"), 409)
        assert "2026-10-13" in old
    with clock.frozen(last_minute(date(2026, 10, 19))):
        changed = await file(client, tender_id, "yile", "documents", "amendment-2")
        assert changed.status_code == 201, changed.text
        assert changed.json()["step"] == "amendment-2" and changed.json()["step_label"] == "第1次更正公告"
    with clock.frozen(next_morning(date(2026, 10, 19))):
        late = chinese_problem(await file(client, tender_id, "yile", "documents", "amendment-2"), 409)
        assert "第1次更正公告" in late and "2026-10-19" in late
        unknown = await file(client, tender_id, "yile", "documents", "amendment-7")
        assert unknown.status_code == 422 and "更正公告" in unknown.json()["errors"]["step"]


async def test_only_an_organization_that_obtained_the_documents_challenges_them_and_only_bidders_the_rest(client):
    tender_id = await published_on_september_21()
    with clock.frozen(at(date(2026, 9, 22), 10, 0)):
        await download(client, tender_id, "yile")
        public = await client.get(f"/api/v1/tenders/{tender_id}/document")  # signed out: obtains nothing
        assert public.status_code == 200
    with clock.frozen(at(date(2026, 9, 29), 10, 0)):
        not_obtained = chinese_problem(await file(client, tender_id, "yangguang", "documents"), 403)
        assert "已获取本项目采购文件" in not_obtained and "第十一条" in not_obtained
        for username in ("officer", "expert1"):
            assert (await file(client, tender_id, username, "documents")).status_code == 403
        # yile obtained the documents but has not bid: neither the process nor the result.
        for kind, step in (("process", "opening"), ("result", "")):
            refused = chinese_problem(await file(client, tender_id, "yile", kind, step), 403)
            assert "参加本项目的投标人" in refused
        shown = await periods_of(client, tender_id, "yile")
        assert list(shown) == ["documents"], "a non-bidder is offered the documents only"
        assert await periods_of(client, tender_id, "yangguang") == {}
        assert (await file(client, tender_id, "yile", "documents")).status_code == 201
    assert await Challenge.count().where(Challenge.tender == tender_id) == 1


# --------------------------------------------------------------------------- a step of the process


async def _steps_in_september(tender_id: int) -> None:
    """The opening on Tue Sep 29, the last qualification review on Wed Sep 30, the
    evaluation report delivered on Fri Oct 9."""
    await Tender.update({Tender.opening_at: at(date(2026, 9, 29), 9, 30)}).where(Tender.id == tender_id)
    await BidReview.update({BidReview.reviewed_at: at(date(2026, 9, 29), 14, 0)}).where(BidReview.tender == tender_id)
    first = await BidReview.select(BidReview.id).where(BidReview.tender == tender_id).order_by(BidReview.id).first()
    await BidReview.update({BidReview.reviewed_at: at(date(2026, 9, 30), 16, 0)}).where(BidReview.id == first["id"])
    await Panel.update({Panel.report_delivered_at: at(date(2026, 10, 9), 16, 0)}).where(Panel.tender == tender_id)


async def test_each_step_of_the_process_runs_seven_working_days_from_the_day_it_ended(client):
    tender_id, *_rest = await evaluated(client)
    await _steps_in_september(tender_id)
    cases = [
        # step, ended, last day, suspends signing
        ("opening", "2026-09-29", date(2026, 10, 14), False),  # Sep 30, Oct 8, 9, 10, 12, 13, 14
        ("qualification", "2026-09-30", date(2026, 10, 15), True),  # Oct 8, 9, 10, 12, 13, 14, 15
        ("evaluation", "2026-10-09", date(2026, 10, 19), True),  # Oct 10, 12, 13, 14, 15, 16, 19
    ]
    for step, ended, last, blocks in cases:
        with clock.frozen(last_minute(last)):
            shown = (await periods_of(client, tender_id, "yile"))[f"process/{step}"]
            assert shown["starts_on"] == ended and shown["last_day"] == last.isoformat() and shown["open"]
            on_time = await file(client, tender_id, "yile", "process", step)
            assert on_time.status_code == 201, (step, on_time.text)
            assert on_time.json()["affects_result"] is blocks and on_time.json()["period_until"] == last.isoformat()
        with clock.frozen(next_morning(last)):
            late = chinese_problem(await file(client, tender_id, "yangguang", "process", step), 409)
            assert f"于 {ended} 结束，截止到 {last.isoformat()}" in late, late
            assert "《政府采购法实施条例》第五十三条" in late
    assert await Challenge.count().where(Challenge.tender == tender_id) == 3


async def test_a_step_that_has_not_ended_cannot_be_challenged_yet(client):
    tender_id, *_rest = await evaluated(client, deliver=False)
    refused = chinese_problem(await file(client, tender_id, "yile", "process", "evaluation"), 409)
    assert "评标环节尚未结束" in refused and "第五十三条" in refused
    assert "step" in (await file(client, tender_id, "yile", "process", "scoring")).json()["errors"]
    assert (await file(client, tender_id, "yile", "process")).status_code == 422, "a process challenge names its step"
    opened = await file(client, tender_id, "yile", "process", "opening")
    assert opened.status_code == 201, opened.text
    officer = await api_login(client, "officer")
    [row] = (await client.get(f"/api/v1/tenders/{tender_id}/challenges", headers=officer)).json()
    assert row["kind_label"] == "采购过程" and row["step_label"] == "开标"
    # Before the award there is nothing to revoke: the step is corrected, the tender stays under evaluation.
    assert set(row["outcome_choices"]) == {"rejected", "correct"}
    answer = "经核查，开标时唱标价格与投标文件不一致，质疑成立，依法更正开标记录。"
    wrong = await client.post(
        f"/api/v1/challenges/{row['id']}/answer", headers=officer, json={"outcome": "re_award", "answer": answer}
    )
    assert wrong.status_code == 422
    corrected = await client.post(
        f"/api/v1/challenges/{row['id']}/answer", headers=officer, json={"outcome": "correct", "answer": answer}
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["status"] == "upheld" and "纠正该环节" in corrected.json()["outcome_label"]
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "evaluating"


# --------------------------------------------------------------------------- the result


async def test_a_result_challenge_runs_from_the_end_of_the_notice_period(client):
    tender_id, officer, *_rest = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()["lots"][0]["lot_id"]
    with clock.frozen(at(date(2026, 9, 29), 10, 0)):  # the result notice on Tue Sep 29
        officer = await api_login(client, "officer")
        done = await client.post(
            f"/api/v1/tenders/{tender_id}/award",
            headers=officer,
            json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
        )
        assert done.status_code == 200, done.text
        # The notice period ends Wed Sep 30; then Oct 8, 9, 10 (Sat), 12, 13, 14, 15.
        assert done.json()["challenge_until"] == "2026-10-15"
        assert "2026年10月15日" in done.json()["content"] and "公告期限 1 个工作日届满之日起" in done.json()["content"]
    [award] = await Award.select(Award.challenge_until).where(Award.tender == tender_id)
    assert award["challenge_until"] == date(2026, 10, 15)
    with clock.frozen(last_minute(date(2026, 10, 15))):
        shown = (await periods_of(client, tender_id, "yile"))["result"]
        assert shown["starts_on"] == "2026-09-30" and shown["last_day"] == "2026-10-15" and shown["open"]
        on_time = await file(client, tender_id, "yile", "result")
        assert on_time.status_code == 201, "the eighth working day after the notice is still in time"
    with clock.frozen(next_morning(date(2026, 10, 15))):
        late = chinese_problem(await file(client, tender_id, "yangguang", "result"), 409)
        assert late.startswith(
            "对采购结果的质疑应在结果公告期满之日起7个工作日内提出（《政府采购法实施条例》第五十三条），本项目截止到 2026-10-15。"
        )
        assert (await periods_of(client, tender_id, "yangguang"))["result"]["open"] is False


async def test_a_result_challenge_before_the_result_is_refused_with_its_period(client):
    tender_id, *_rest = await evaluated(client)
    refused = chinese_problem(await file(client, tender_id, "yile", "result"), 409)
    assert "尚未公布中标（成交）结果" in refused and "结果公告期满之日起7个工作日内" in refused


# --------------------------------------------------------------------------- signing and answers


async def _awarded(client):
    tender_id, officer, *_rest = await evaluated(client)
    bids = await bids_by_org(tender_id)
    lot_id = (await client.get(f"/api/v1/tenders/{tender_id}/ranking", headers=officer)).json()["lots"][0]["lot_id"]
    done = await client.post(
        f"/api/v1/tenders/{tender_id}/award",
        headers=officer,
        json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]},
    )
    assert done.status_code == 200, done.text
    return tender_id, officer


async def test_a_documents_challenge_does_not_block_signing_while_a_result_challenge_does(client):
    tender_id, officer = await _awarded(client)
    await download(client, tender_id, "yile")  # obtained today: its documents period is open
    documents = await file(client, tender_id, "yile", "documents")
    assert documents.status_code == 201, documents.text
    assert await awards.signing_blockers(tender_id) == []
    told = await InboxItem.select(InboxItem.body).where(InboxItem.event == "challenge.documents_filed").first()
    assert told is not None and "更正公告" in told["body"] and "终止" in told["body"]
    opening = await file(client, tender_id, "yangguang", "process", "opening")
    assert opening.status_code == 201, opening.text
    assert await awards.signing_blockers(tender_id) == [], "a challenge of the opening does not suspend signing"
    result = await file(client, tender_id, "yangguang", "result")
    assert result.status_code == 201, result.text
    [blocker] = await awards.signing_blockers(tender_id)
    assert "采购结果" in blocker and "暂停签订合同" in blocker
    qualification = await file(client, tender_id, "yile", "process", "qualification")
    assert qualification.status_code == 201, qualification.text
    assert len(await awards.signing_blockers(tender_id)) == 2


async def test_an_upheld_documents_challenge_records_its_outcome_and_revokes_no_award(client):
    tender_id, officer = await _awarded(client)
    await download(client, tender_id, "yile")
    filed = (await file(client, tender_id, "yile", "documents")).json()
    assert filed["outcome_choices"] == {}, "the challenger does not answer"
    listed = (await client.get(f"/api/v1/tenders/{tender_id}/challenges", headers=officer)).json()
    assert set(listed[0]["outcome_choices"]) == {"rejected", "amend_documents", "restart"}
    wrong = await client.post(
        f"/api/v1/challenges/{filed['id']}/answer",
        headers=officer,
        json={"outcome": "re_award", "answer": "对采购文件的质疑不能改为重新定标，应被拒绝。"},
    )
    assert wrong.status_code == 422 and "答复结论只能是" in wrong.json()["errors"]["outcome"]
    upheld = await client.post(
        f"/api/v1/challenges/{filed['id']}/answer",
        headers=officer,
        json={"outcome": "amend_documents", "answer": "经核查，评分标准中的地域限制不当，将发布更正公告予以修改。"},
    )
    assert upheld.status_code == 200, upheld.text
    assert upheld.json()["status"] == "upheld" and upheld.json()["outcome"] == "amend_documents"
    assert (await Tender.select(Tender.status).where(Tender.id == tender_id).first())["status"] == "awarded"
    assert await Award.count().where((Award.tender == tender_id) & (Award.status == "active")) == 1
    client.cookies.clear()
    assert (await page_login(client, "officer")).status_code == 303
    award_page = await client.get(f"/tenders/{tender_id}/award")
    assert "对采购文件的质疑成立，不撤销任何中标（成交）结果" in award_page.text
    assert "对采购文件" in award_page.text and "质疑期至" in award_page.text


# --------------------------------------------------------------------------- pages


async def test_an_organization_that_obtained_the_documents_files_from_its_challenge_page(client):
    tender_id = (await Tender.select(Tender.id).where(Tender.title == OPEN_DEMO).first())["id"]
    client.cookies.clear()
    assert (await page_login(client, "yile")).status_code == 303
    assert f'href="/org/tenders/{tender_id}/challenges"' in (await client.get(f"/tenders/{tender_id}")).text
    before = await client.get(f"/org/tenders/{tender_id}/challenges")
    assert before.status_code == 200 and "须先获取采购文件" in before.text and 'name="period"' not in before.text
    assert (await client.get(f"/tenders/{tender_id}/document.pdf")).status_code == 200
    shown = await client.get(f"/org/tenders/{tender_id}/challenges")
    assert 'name="period"' in shown.text and 'value="documents"' in shown.text
    assert "采购文件（截止" in shown.text, shown.text[shown.text.find("challenge-form") :][:3000]
    assert "开标环节" not in shown.text, "a non-bidder is offered the documents only"
    assert "rule" not in shown.text.lower().replace("ruler", "")
    token = csrf_from(shown.text)
    refused = await client.post(
        f"/org/tenders/{tender_id}/challenges",
        data={"period": "result", "grounds": GROUNDS, "_csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert refused.status_code == 403 and "参加本项目的投标人" in refused.text
    filed = await client.post(
        f"/org/tenders/{tender_id}/challenges",
        data={"period": "documents", "grounds": GROUNDS, "_csrf_token": token},
        files={"file": ("依据.pdf", b"%PDF-1.4 proof", "application/pdf")},
    )
    assert filed.status_code == 303, filed.text
    mine = await client.get(f"/org/tenders/{tender_id}/challenges")
    assert GROUNDS in mine.text and "依据.pdf" in mine.text and "待答复" in mine.text
    assert (await client.get(f"/tenders/{tender_id}/challenges")).headers["location"] == (
        f"/org/tenders/{tender_id}/challenges"
    )
