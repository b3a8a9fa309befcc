"""质疑 and 投诉 (rule 27).

Three kinds of 质疑, each in its own period (``awards.periods``, ``awards.rules``):
the documents (an organization that obtained them), a step of the process and
the result (the tender's bidders), with grounds and documents. The buyer
answers within 7 working days (an overdue answer is flagged and the buyer told
once, by the challenge's own ``next_check_at``). While a challenge that could
affect the result (the result, or a step after the opening) is unanswered,
signing is blocked (``awards.services.signing_blockers``); a documents
challenge does not block it, and the buyer is asked to consider an amendment or
termination. An upheld result or process challenge after the award revokes the
award, for re-evaluation or a new choice, with the reasons recorded; an upheld
documents challenge records the outcome and leads the officer to the
amendment or termination, never revoking an award. A complaint to the finance
department may follow within 15 working days after the answer period; its
decision is due within 30 working days. Every status change goes through
``CHALLENGE_TABLE`` and ``apply_transition``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import datetime
from typing import Any

from piccolo.columns.combination import Combinable

from procurement.accounts.states import Role
from procurement.awards import periods, policies, rules
from procurement.awards import services as awards
from procurement.awards.schemas import ChallengeDocumentOut, ChallengeIn, ChallengeOut, ChallengeWindowOut
from procurement.awards.states import (
    CHALLENGE_KIND_LABELS,
    CHALLENGE_OUTCOME_LABELS,
    CHALLENGE_TABLE,
    REVOKING_OUTCOMES,
    ChallengeKind,
    ChallengeOutcome,
    ChallengeStatus,
)
from procurement.awards.tables import Challenge
from procurement.bids import services as bid_services
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM, Actor
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.notify import notify
from procurement.core.scheduler import Due, DueSweep, run_due
from procurement.core.transitions import apply_transition
from procurement.evaluation import access
from procurement.tenders import policies as tender_policies
from procurement.tenders.states import TenderStatus

ANSWER_WORKING_DAYS = 7  # rule 27: answered within 7 working days
COMPLAINT_WORKING_DAYS = 15  # a complaint within 15 working days after the answer period
COMPLAINT_DECISION_WORKING_DAYS = 30


COLUMNS = (
    *Challenge.all_columns(),
    Challenge.tender.title,
    Challenge.tender.buyer,
    Challenge.tender.status,
    Challenge.organization.name,
)


def _actor_for(user: CurrentUser | None, row: dict[str, Any]) -> Actor | None:
    """The relation the user has to this challenge, if any (for the actions offered)."""
    if user is None:
        return None
    for decision in (
        tender_policies.buyer_officer(user, {"buyer": row["tender.buyer"]}),
        policies.challenger(user, row),
    ):
        if decision:
            return decision.acting(user)
    return None


def _next_check(status: str, answer_due_on: Any, overdue_notified: bool) -> datetime | None:
    """A filed challenge waits on its answer deadline; nothing else of it waits on time."""
    if status == ChallengeStatus.FILED and not overdue_notified:
        return clock.after_local_day(answer_due_on)
    return None


def _out(row: dict[str, Any], user: CurrentUser | None) -> ChallengeOut:
    today = clock.today_local()
    actor = _actor_for(user, row)
    allowed = CHALLENGE_TABLE.actions_for(row["status"], actor) if actor is not None else []
    if row["status"] == ChallengeStatus.FILED and today <= row["answer_due_on"]:
        allowed = [a for a in allowed if a != "complain"]  # 投诉 only after the answer or its deadline
    answering = "reject" in allowed or "uphold" in allowed
    return ChallengeOut(
        id=row["id"],
        tender_id=row["tender"],
        tender_title=row["tender.title"],
        organization_id=row["organization"],
        organization_name=row["organization.name"],
        kind=row["kind"],
        kind_label=CHALLENGE_KIND_LABELS.get(row["kind"], row["kind"]),
        step=row["step"],
        step_label=rules.step_label(row["kind"], row["step"]),
        period_until=row["period_until"],
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
        outcome_choices={
            str(o): CHALLENGE_OUTCOME_LABELS[o]
            for o in rules.outcome_choices(row["kind"], row["tender.status"] == TenderStatus.AWARDED)
        }
        if answering
        else {},
    )


async def _row(challenge_id: int) -> dict[str, Any]:
    row = await Challenge.select(*COLUMNS).where(Challenge.id == challenge_id).first()
    if row is None:
        raise NotFound(_("找不到该质疑。"))
    return row


def _documents(data: ChallengeIn) -> list[tuple[bytes, str]]:
    out = []
    for n, doc in enumerate(data.documents):
        try:
            raw = base64.b64decode(doc.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                field_errors={f"documents.{n}.content_base64": _("文件内容不是有效的 Base64 编码。")}
            ) from None
        out.append((raw, doc.name))
    return out


async def challenge_periods(user: CurrentUser, tender_id: int) -> list[ChallengeWindowOut]:
    """The kinds of 质疑 the user's organization may file for this tender, each with its
    period and last day (rule 27); ``open`` marks those it may file today."""
    tender = await access.tender(tender_id)
    return await periods.open_windows(user, tender)


async def file_challenge(user: CurrentUser, tender_id: int, data: ChallengeIn) -> ChallengeOut:
    """质疑 (rule 27): of the documents by an organization that obtained them, of a step of
    the process or of the result by a bidder, each within its 7 working days
    (《政府采购法实施条例》第五十三条); a refusal names the period and its last day."""
    if user.role != Role.ORG_MEMBER or user.organization_id is None:
        if data.kind == ChallengeKind.DOCUMENTS:
            policies.document_holder(user, None).require()
        policies.bidder(user, took_part=False).require()
    files = _documents(data)
    store = bid_services.file_store()
    # Checking and hashing the files is CPU work: in a worker thread, as is writing them.
    stored = await asyncio.to_thread(
        lambda: [store.check(raw, name, allowed_types=bid_services.ALLOWED_TYPES) for raw, name in files]
    )
    async with db.transaction():
        tender = await access.tender(tender_id, lock=True)
        window, decision = await periods.window_for(user, tender, data.kind, data.step)
        actor = decision.acting(user)
        today = clock.today_local()
        if not window.is_open(today):
            raise Conflict(window.refusal())
        kind, step = str(data.kind), str(window.step)
        for raw, _unused in files:
            await asyncio.to_thread(store.save_blob, raw)
        due = get_default_calendar().add_working_days(today, ANSWER_WORKING_DAYS)
        docs = [{"name": m.original_name, "sha256": m.sha256, "size": m.size} for m in stored]
        challenge_id = (
            await Challenge.insert(
                Challenge(
                    tender=tender_id,
                    organization=user.organization_id,
                    filed_by=user.id,
                    kind=kind,
                    step=step,
                    period_until=window.last_day,
                    grounds=data.grounds,
                    documents=json.dumps(docs, ensure_ascii=False),
                    affects_result=rules.affects_result(kind, step),
                    filed_at=clock.now(),
                    answer_due_on=due,
                    status=ChallengeStatus.FILED,
                    next_check_at=_next_check(ChallengeStatus.FILED, due, False),
                )
            ).returning(Challenge.id)
        )[0]["id"]
        await audit.record(
            "challenge.filed",
            "challenge",
            challenge_id,
            actor=actor,
            after={
                "tender_id": tender_id,
                "kind": kind,
                "step": step,
                "period_until": window.last_day.isoformat() if window.last_day else None,
                "grounds": data.grounds,
                "documents": docs,
                "answer_due_on": due.isoformat(),
            },
        )
        officers = await access.officers_of(tender["buyer"])
        row = await _row(challenge_id)
        # A documents challenge does not suspend signing; the buyer is asked to weigh an
        # amendment or a termination (《政府采购质疑和投诉办法》第十六条).
        await notify(
            "challenge.documents_filed" if kind == ChallengeKind.DOCUMENTS else "challenge.filed",
            officers,
            {
                "title": tender["title"],
                "org_name": row["organization.name"],
                "subject": window.label,
                "due": f"{due:%Y-%m-%d}",
                "link": f"/tenders/{tender_id}/challenges",
            },
        )
    return _out(await _row(challenge_id), user)


async def answer_challenge(
    user: CurrentUser, challenge_id: int, outcome: str, answer: str, affects_result: bool
) -> ChallengeOut:
    """The buyer's written answer (rule 27), with an outcome the law allows for its kind
    (``outcome_choices``). A result or process challenge upheld after the award revokes
    the award, for a new evaluation round or a new choice, with the answer as the
    recorded reason. An upheld documents challenge, or a process challenge upheld
    before the award, records the outcome only: the officer then amends or
    terminates the tender, or corrects the step, by the usual actions."""
    async with db.transaction():
        row = await _row(challenge_id)
        tender = await access.tender(row["tender"], lock=True)
        actor = tender_policies.buyer_officer(user, tender, _("答复质疑")).acting(user)
        row = await _row(challenge_id)  # fresh under the lock
        action = "reject" if outcome == ChallengeOutcome.REJECTED else "uphold"
        CHALLENGE_TABLE.decide(row["status"], action, actor)
        allowed = rules.outcome_choices(row["kind"], tender["status"] == TenderStatus.AWARDED)
        if outcome not in allowed:
            raise ValidationFailed(
                field_errors={
                    "outcome": _("对{kind}的质疑，答复结论只能是：{choices}。").format(
                        kind=CHALLENGE_KIND_LABELS.get(row["kind"], row["kind"]),
                        choices="；".join(CHALLENGE_OUTCOME_LABELS[o] for o in allowed),
                    )
                }
            )
        now = clock.now()
        answer_period_end = max(row["answer_due_on"], clock.to_local(now).date())
        calendar = get_default_calendar()
        complaint_due = calendar.add_working_days(answer_period_end, COMPLAINT_WORKING_DAYS)
        await apply_transition(
            CHALLENGE_TABLE,
            Challenge,
            challenge_id,
            row["status"],
            action,
            actor,
            values={
                Challenge.answer: answer,
                Challenge.outcome: outcome,
                Challenge.answered_by: user.id,
                Challenge.answered_at: now,
                Challenge.affects_result: affects_result,
                Challenge.complaint_due_on: complaint_due,
                Challenge.next_check_at: None,
            },
            audit_action="challenge.answered",
            after={
                "outcome": outcome,
                "answer": answer,
                "affects_result": affects_result,
                "complaint_due_on": complaint_due.isoformat(),
            },
        )
        if outcome in REVOKING_OUTCOMES:
            if tender["status"] != TenderStatus.AWARDED:
                raise Conflict(_("项目当前没有有效的中标结果可撤销；请先刷新查看项目状态。"))
            await awards.revoke(
                tender,
                _("{name}的质疑成立：{answer}").format(name=row["organization.name"], answer=answer),
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
        actor = policies.challenger(user, row).acting(user)
        today = clock.today_local()
        if row["status"] == ChallengeStatus.FILED and today <= row["answer_due_on"]:
            raise Conflict(
                _(
                    "答复期至 {answer_due_on:%Y-%m-%d}；答复期届满或收到答复后方可投诉（《政府采购法》第五十二条）。"
                ).format(answer_due_on=row["answer_due_on"])
            )
        calendar = get_default_calendar()
        complaint_due = row["complaint_due_on"] or calendar.add_working_days(
            row["answer_due_on"], COMPLAINT_WORKING_DAYS
        )
        if today > complaint_due:
            raise Conflict(
                _(
                    "投诉期已于 {complaint_due:%Y-%m-%d} 届满（《政府采购法》第五十二条，答复期满后 15 个工作日）。"
                ).format(complaint_due=complaint_due)
            )
        CHALLENGE_TABLE.decide(row["status"], "complain", actor)
        decision_due = calendar.add_working_days(today, COMPLAINT_DECISION_WORKING_DAYS)
        await apply_transition(
            CHALLENGE_TABLE,
            Challenge,
            challenge_id,
            row["status"],
            "complain",
            actor,
            values={
                Challenge.complaint_authority: authority,
                Challenge.complaint_filed_at: clock.now(),
                Challenge.complaint_due_on: complaint_due,
                Challenge.complaint_decision_due_on: decision_due,
                Challenge.next_check_at: None,
            },
            audit_action="challenge.complained",
            after={"authority": authority, "decision_due_on": decision_due.isoformat()},
        )
    return _out(await _row(challenge_id), user)


async def record_complaint_decision(user: CurrentUser, challenge_id: int, decision: str) -> ChallengeOut:
    """The buyer records the finance department's decision on the complaint."""
    async with db.transaction():
        row = await _row(challenge_id)
        tender = await access.tender(row["tender"])
        actor = tender_policies.buyer_officer(user, tender, _("登记投诉处理决定")).acting(user)
        await apply_transition(
            CHALLENGE_TABLE,
            Challenge,
            challenge_id,
            row["status"],
            "record_decision",
            actor,
            values={Challenge.complaint_decision: decision, Challenge.complaint_decided_at: clock.now()},
            audit_action="challenge.complaint_decided",
            after={"decision": decision},
        )
    return _out(await _row(challenge_id), user)


async def list_challenges(user: CurrentUser, tender_id: int) -> list[ChallengeOut]:
    """The buyer's staff see every challenge of the tender; a bidder sees its own."""
    tender = await access.tender(tender_id)
    condition: Combinable = Challenge.tender == tender_id
    reader = policies.challenge_reader(user, tender)
    reader.require()
    if reader.relation is None:  # not the buyer's staff: only the organization's own
        condition &= Challenge.organization == user.organization_id
    rows = await Challenge.select(*COLUMNS).where(condition).order_by(Challenge.id)
    return [_out(r, user) for r in rows]


async def flag_overdue_if_due(challenge_id: int) -> Due:
    """Rule 27: once the answer period has passed without an answer, the buyer's
    officers are told, once (the challenge's ``next_check_at``)."""
    async with db.transaction():
        await db.lock(Challenge, Challenge.id == challenge_id)
        row = await _row(challenge_id)
        notified = row["overdue_notified_at"] is not None
        acted = False
        if row["status"] == ChallengeStatus.FILED and not notified and clock.today_local() > row["answer_due_on"]:
            await Challenge.update({Challenge.overdue_notified_at: clock.now()}).where(Challenge.id == challenge_id)
            officers = await access.officers_of(row["tender.buyer"])
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
                "challenge.overdue",
                "challenge",
                challenge_id,
                actor=SYSTEM,
                after={"due": row["answer_due_on"].isoformat()},
            )
            notified = acted = True
        return Due(acted, _next_check(row["status"], row["answer_due_on"], notified))


OVERDUE_DUE = DueSweep("awards.challenge_overdue", Challenge, flag_overdue_if_due)


async def flag_overdue_answers() -> int:
    """Sweep: tell the buyer once when a challenge answer is overdue (rule 27)."""
    return await run_due(OVERDUE_DUE)
