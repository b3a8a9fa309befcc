"""质疑 and 投诉 (rule 27).

A bidder files within 7 working days of the result notice, with grounds and
documents; the buyer answers within 7 working days (overdue answers are
flagged, and the buyer is told once). While a challenge that could affect the
result is unanswered, signing is blocked (``awards.signing_blockers``). An
upheld challenge revokes the award, for re-evaluation or a new choice, with
the reasons recorded. A complaint to the finance department may follow
within 15 working days after the answer period; its decision is due within
30 working days; both dates are recorded.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from procurement.accounts.services import actor_of
from procurement.accounts.states import Role
from procurement.awards.tables import Award, Challenge
from procurement.bids import services as bid_services
from procurement.bids.tables import Bid
from procurement.core import audit, clock, db
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from procurement.core.notify import notify
from procurement.evaluation import access, awards
from procurement.evaluation.schemas import ChallengeDocumentOut, ChallengeIn, ChallengeOut
from procurement.evaluation.states import (
    BIDDER,
    CHALLENGE_OUTCOME_LABELS,
    CHALLENGE_TABLE,
    OFFICER,
    AwardStatus,
    ChallengeOutcome,
    ChallengeStatus,
)
from procurement.tenders.states import TenderStatus

FILE_WORKING_DAYS = 7  # rule 27: a challenge within 7 working days of the notice
ANSWER_WORKING_DAYS = 7  # answered within 7 working days
COMPLAINT_WORKING_DAYS = 15  # a complaint within 15 working days after the answer period
COMPLAINT_DECISION_WORKING_DAYS = 30


def _out(row: dict[str, Any], user: CurrentUser | None) -> ChallengeOut:
    today = clock.today_local()
    allowed: list[str] = []
    if user is not None and user.role == Role.OFFICER:
        allowed = CHALLENGE_TABLE.allowed_actions(row["status"], OFFICER)
    elif user is not None and user.role == Role.ORG_MEMBER and user.organization_id == row["organization"]:
        allowed = CHALLENGE_TABLE.allowed_actions(row["status"], BIDDER)
        if row["status"] == ChallengeStatus.FILED and today <= row["answer_due_on"]:
            allowed = [a for a in allowed if a != "complain"]  # 投诉 only after the answer or its deadline
    return ChallengeOut(
        id=row["id"],
        tender_id=row["tender"],
        tender_title=row["tender.title"],
        organization_id=row["organization"],
        organization_name=row["organization.name"],
        grounds=row["grounds"],
        documents=[ChallengeDocumentOut(**d) for d in json.loads(row["documents"])],
        affects_result=row["affects_result"],
        filed_at=row["filed_at"],
        answer_due_on=row["answer_due_on"],
        overdue=row["status"] == ChallengeStatus.FILED and today > row["answer_due_on"],
        status=row["status"],
        status_label=CHALLENGE_TABLE.staff_label(row["status"]),
        outcome=row["outcome"],
        outcome_label=CHALLENGE_OUTCOME_LABELS.get(row["outcome"], "") if row["outcome"] else "",
        answer=row["answer"],
        answered_at=row["answered_at"],
        complaint_due_on=row["complaint_due_on"],
        complaint_authority=row["complaint_authority"],
        complaint_filed_at=row["complaint_filed_at"],
        complaint_decision_due_on=row["complaint_decision_due_on"],
        complaint_decision=row["complaint_decision"],
        allowed_actions=allowed,
    )


async def _row(challenge_id: int) -> dict[str, Any]:
    row = (
        await Challenge.select(*Challenge.all_columns(), Challenge.tender.title, Challenge.organization.name)
        .where(Challenge.id == challenge_id)
        .first()
    )
    if row is None:
        raise NotFound("找不到该质疑。")
    return row


def _documents(data: ChallengeIn) -> list[tuple[bytes, str]]:
    out = []
    for n, doc in enumerate(data.documents):
        try:
            raw = base64.b64decode(doc.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                field_errors={f"documents.{n}.content_base64": "文件内容不是有效的 Base64 编码。"}
            ) from None
        out.append((raw, doc.name))
    return out


async def file_challenge(user: CurrentUser, tender_id: int, data: ChallengeIn) -> ChallengeOut:
    """质疑: a bidder of this tender, within 7 working days of the result notice (rule 27)."""
    if user.role != Role.ORG_MEMBER or user.organization_id is None:
        raise PermissionDenied("只有参加本项目的投标人可以提出质疑。")
    files = _documents(data)
    store = bid_services.file_store()
    stored = [store.check(raw, name, allowed_types=bid_services.ALLOWED_TYPES) for raw, name in files]
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        took_part = await Bid.exists().where(
            (Bid.tender == tender_id) & (Bid.organization == user.organization_id) & (Bid.submitted_version > 0)
        )
        if not took_part:
            raise PermissionDenied("只有参加本项目的投标人可以提出质疑。")
        if tender["status"] != TenderStatus.AWARDED:
            raise Conflict("本项目尚未公布中标（成交）结果，或结果已撤销；质疑须针对已公告的结果提出。")
        current = (
            await Award.select(Award.challenge_until)
            .where((Award.tender == tender_id) & (Award.status == AwardStatus.ACTIVE))
            .first()
        )
        today = clock.today_local()
        if current is None or today > current["challenge_until"]:
            until = f"{current['challenge_until']:%Y-%m-%d}" if current else "—"
            raise Conflict(f"质疑期已于 {until} 届满（结果公告之日起 7 个工作日，rule 27），不能再提出质疑。")
        for raw, _ in files:
            store.save_blob(raw)
        due = get_default_calendar().add_working_days(today, ANSWER_WORKING_DAYS)
        docs = [{"name": m.original_name, "sha256": m.sha256, "size": m.size} for m in stored]
        challenge_id = (
            await Challenge.insert(
                Challenge(
                    tender=tender_id,
                    organization=user.organization_id,
                    filed_by=user.id,
                    grounds=data.grounds,
                    documents=json.dumps(docs, ensure_ascii=False),
                    affects_result=True,
                    filed_at=clock.now(),
                    answer_due_on=due,
                    status=ChallengeStatus.FILED,
                )
            ).returning(Challenge.id)
        )[0]["id"]
        await audit.record(
            "challenge.filed",
            "challenge",
            challenge_id,
            actor=actor_of(user),
            after={
                "tender_id": tender_id,
                "grounds": data.grounds,
                "documents": docs,
                "answer_due_on": due.isoformat(),
            },
        )
        officers = await access.officers_of(tender["buyer"])
        row = await _row(challenge_id)
        await notify(
            "challenge.filed",
            officers,
            {
                "title": tender["title"],
                "org_name": row["organization.name"],
                "due": f"{due:%Y-%m-%d}",
                "link": f"/tenders/{tender_id}/challenges",
            },
        )
    return _out(await _row(challenge_id), user)


async def answer_challenge(
    user: CurrentUser, challenge_id: int, outcome: str, answer: str, affects_result: bool
) -> ChallengeOut:
    """The buyer's written answer (rule 27). Upheld: the award is revoked, for a new
    evaluation round or a new choice, with the answer as the recorded reason."""
    async with db.transaction():
        row = await _row(challenge_id)
        tender = await access.tender(row["tender"], lock=True)
        access.require_buyer_officer(user, tender, "答复质疑")
        row = await _row(challenge_id)  # fresh under the lock
        action = "reject" if outcome == ChallengeOutcome.REJECTED else "uphold"
        target = CHALLENGE_TABLE.target(row["status"], action, role=user.role)
        now = clock.now()
        answer_period_end = max(row["answer_due_on"], clock.to_local(now).date())
        calendar = get_default_calendar()
        complaint_due = calendar.add_working_days(answer_period_end, COMPLAINT_WORKING_DAYS)
        changed = (
            await Challenge.update(
                {
                    Challenge.status: target,
                    Challenge.answer: answer,
                    Challenge.outcome: outcome,
                    Challenge.answered_by: user.id,
                    Challenge.answered_at: now,
                    Challenge.affects_result: affects_result,
                    Challenge.complaint_due_on: complaint_due,
                }
            )
            .where((Challenge.id == challenge_id) & (Challenge.status == row["status"]))
            .returning(Challenge.id)
        )
        if not changed:
            raise Conflict("该质疑刚刚被答复，请刷新后查看。")
        actor = actor_of(user)
        await audit.record(
            "challenge.answered",
            "challenge",
            challenge_id,
            actor=actor,
            before={"status": row["status"]},
            after={
                "status": target,
                "outcome": outcome,
                "answer": answer,
                "affects_result": affects_result,
                "complaint_due_on": complaint_due.isoformat(),
            },
        )
        if outcome != ChallengeOutcome.REJECTED:
            if tender["status"] != TenderStatus.AWARDED:
                raise Conflict("项目当前没有有效的中标结果可撤销；请先刷新查看项目状态。")
            await awards.revoke(
                tender,
                f"{row['organization.name']}的质疑成立：{answer}",
                actor,
                re_evaluate=outcome == ChallengeOutcome.RE_EVALUATE,
            )
        users = await access.members_of(row["organization"])
        await notify(
            "challenge.answered",
            users,
            {
                "title": tender["title"],
                "outcome": CHALLENGE_OUTCOME_LABELS[ChallengeOutcome(outcome)],
                "complaint_due": f"{complaint_due:%Y-%m-%d}",
                "link": f"/tenders/{row['tender']}/challenges",
            },
        )
    return _out(await _row(challenge_id), user)


async def escalate(user: CurrentUser, challenge_id: int, authority: str) -> ChallengeOut:
    """投诉: the challenger records its complaint to the finance department (rule 27):
    after the answer, or once the answer period passed without one, and within
    15 working days after the answer period. The decision is due in 30 working days."""
    async with db.transaction():
        row = await _row(challenge_id)
        if user.role != Role.ORG_MEMBER or user.organization_id != row["organization"]:
            raise PermissionDenied("只有提出质疑的投标人可以登记投诉。")
        today = clock.today_local()
        if row["status"] == ChallengeStatus.FILED and today <= row["answer_due_on"]:
            raise Conflict(f"答复期至 {row['answer_due_on']:%Y-%m-%d}；答复期届满或收到答复后方可投诉（rule 27）。")
        calendar = get_default_calendar()
        complaint_due = row["complaint_due_on"] or calendar.add_working_days(
            row["answer_due_on"], COMPLAINT_WORKING_DAYS
        )
        if today > complaint_due:
            raise Conflict(f"投诉期已于 {complaint_due:%Y-%m-%d} 届满（答复期满后 15 个工作日，rule 27）。")
        target = CHALLENGE_TABLE.target(row["status"], "complain", role=BIDDER)
        decision_due = calendar.add_working_days(today, COMPLAINT_DECISION_WORKING_DAYS)
        changed = (
            await Challenge.update(
                {
                    Challenge.status: target,
                    Challenge.complaint_authority: authority,
                    Challenge.complaint_filed_at: clock.now(),
                    Challenge.complaint_due_on: complaint_due,
                    Challenge.complaint_decision_due_on: decision_due,
                }
            )
            .where((Challenge.id == challenge_id) & (Challenge.status == row["status"]))
            .returning(Challenge.id)
        )
        if not changed:
            raise Conflict("该质疑的状态刚刚发生了变化，请刷新后重试。")
        await audit.record(
            "challenge.complained",
            "challenge",
            challenge_id,
            actor=actor_of(user),
            before={"status": row["status"]},
            after={"status": target, "authority": authority, "decision_due_on": decision_due.isoformat()},
        )
    return _out(await _row(challenge_id), user)


async def record_complaint_decision(user: CurrentUser, challenge_id: int, decision: str) -> ChallengeOut:
    """The buyer records the finance department's decision on the complaint."""
    async with db.transaction():
        row = await _row(challenge_id)
        tender = await access.tender(row["tender"])
        access.require_buyer_officer(user, tender, "登记投诉处理决定")
        target = CHALLENGE_TABLE.target(row["status"], "record_decision", role=user.role)
        changed = (
            await Challenge.update(
                {
                    Challenge.status: target,
                    Challenge.complaint_decision: decision,
                    Challenge.complaint_decided_at: clock.now(),
                }
            )
            .where((Challenge.id == challenge_id) & (Challenge.status == row["status"]))
            .returning(Challenge.id)
        )
        if not changed:
            raise Conflict("该投诉的状态刚刚发生了变化，请刷新后重试。")
        await audit.record(
            "challenge.complaint_decided",
            "challenge",
            challenge_id,
            actor=actor_of(user),
            before={"status": row["status"]},
            after={"status": target, "decision": decision},
        )
    return _out(await _row(challenge_id), user)


async def list_challenges(user: CurrentUser, tender_id: int) -> list[ChallengeOut]:
    """The buyer's staff see every challenge of the tender; a bidder sees its own."""
    tender = await access.tender(tender_id)
    condition = Challenge.tender == tender_id
    if not (access.is_buyer_staff(user, tender) or user.role == Role.ADMIN):
        if user.organization_id is None:
            raise PermissionDenied("只有采购人和提出质疑的投标人可以查看质疑。")
        condition &= Challenge.organization == user.organization_id
    rows = (
        await Challenge.select(*Challenge.all_columns(), Challenge.tender.title, Challenge.organization.name)
        .where(condition)
        .order_by(Challenge.id)
    )
    return [_out(r, user) for r in rows]


async def flag_overdue_answers() -> int:
    """Sweep: tell the buyer once when a challenge answer is overdue (rule 27)."""
    today = clock.today_local()
    rows = await Challenge.select(Challenge.id).where(
        (Challenge.status == ChallengeStatus.FILED)
        & (Challenge.answer_due_on < today)
        & Challenge.overdue_notified_at.is_null()
    )
    count = 0
    for r in rows:
        async with db.transaction():
            changed = (
                await Challenge.update({Challenge.overdue_notified_at: clock.now()})
                .where((Challenge.id == r["id"]) & Challenge.overdue_notified_at.is_null())
                .returning(Challenge.id)
            )
            if not changed:
                continue
            row = await _row(r["id"])
            buyer = (await access.tender(row["tender"]))["buyer"]
            officers = await access.officers_of(buyer)
            await notify(
                "challenge.overdue",
                officers,
                {
                    "title": row["tender.title"],
                    "org_name": row["organization.name"],
                    "due": f"{row['answer_due_on']:%Y-%m-%d}",
                    "link": f"/tenders/{row['tender']}/challenges",
                },
            )
            await audit.record(
                "challenge.overdue", "challenge", r["id"], after={"due": row["answer_due_on"].isoformat()}
            )
            count += 1
    return count
