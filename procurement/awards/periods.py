"""When an organization may file each kind of 质疑 for a tender (rule 27).

The starting days come from what the other steps already recorded, never from
a date typed in: the tender's publication and documents period, the day the
organization first downloaded the documents (``tenders.services.
documents_obtained_on``), each 更正公告 (a new tender version), the opening
time, the last qualification review (or the tender's failure), the delivery of
the evaluation report, and the result notice with its stored last day. The
rules that turn them into periods are pure (``awards.rules``); who may file each
kind is a policy (``awards.policies``). No writes here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procurement.awards import policies, rules
from procurement.awards.rules import Window
from procurement.awards.schemas import ChallengeWindowOut
from procurement.awards.states import (
    CHALLENGE_KIND_LABELS,
    AwardStatus,
    ChallengeKind,
    ProcessStep,
)
from procurement.awards.tables import Award
from procurement.bids.states import BidStatus
from procurement.bids.tables import Bid
from procurement.core import clock
from procurement.core.auth import CurrentUser, Decision
from procurement.core.calendar import WorkdayCalendar, get_default_calendar
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import _
from procurement.evaluation.tables import BidReview, Panel
from procurement.tenders import rules as tender_rules
from procurement.tenders import services as tender_services
from procurement.tenders.states import Method, NoticeType, TenderStatus
from procurement.tenders.tables import Notice, TenderVersion

# The tender has been opened in these states (a failed tender fails at or after the opening).
OPENED_STATES = frozenset({TenderStatus.OPENED, TenderStatus.EVALUATING, TenderStatus.AWARDED, TenderStatus.FAILED})


def _day(moment: Any) -> date | None:
    return clock.to_local(moment).date() if moment is not None else None


def documents_period_ends(tender: dict[str, Any], cal: WorkdayCalendar) -> date | None:
    """Rule 15: the last day the documents are available: the tender's own 文件提供截止
    when it is later, else 5 working days from the notice's publication. 谈判 and 询价
    have no such period (None)."""
    if tender["published_at"] is None or Method(tender["method"]) in tender_rules.NO_DOCUMENT_PERIOD:
        return None
    earliest = tender_rules.earliest_documents_until(_day(tender["published_at"]) or clock.today_local(), cal)
    given = _day(tender["documents_until"])
    return max(earliest, given) if given else earliest


async def step_ends(tender: dict[str, Any]) -> dict[str, date | None]:
    """The day each step of the process ended, None while it has not (rule 27):
    开标 at the opening time; 资格审查 when the last bid was reviewed (or the tender
    failed on it); 评标 when the evaluation report reached the buyer."""
    opened = tender["status"] in OPENED_STATES
    ends: dict[str, date | None] = {
        ProcessStep.OPENING: _day(tender["opening_at"]) if opened else None,
        ProcessStep.QUALIFICATION: None,
        ProcessStep.EVALUATION: None,
    }
    if not opened:
        return ends
    reviewed = await BidReview.select(BidReview.reviewed_at).where(
        (BidReview.tender == tender["id"]) & BidReview.reviewed_at.is_not_null()
    )
    if reviewed:
        if tender["status"] == TenderStatus.FAILED:
            failure = (
                await Notice.select(Notice.published_at)
                .where((Notice.tender == tender["id"]) & (Notice.notice_type == NoticeType.FAILURE))
                .order_by(Notice.id, ascending=False)
                .first()
            )
            ends[ProcessStep.QUALIFICATION] = _day(failure["published_at"]) if failure else None
        elif not await Bid.exists().where((Bid.tender == tender["id"]) & (Bid.status == BidStatus.OPENED)):
            ends[ProcessStep.QUALIFICATION] = max(d for r in reviewed if (d := _day(r["reviewed_at"])))
    panel = await Panel.select(Panel.report_delivered_at).where(Panel.tender == tender["id"]).first()
    if panel is not None:
        ends[ProcessStep.EVALUATION] = _day(panel["report_delivered_at"])
    return ends


async def _result_window(tender: dict[str, Any], cal: WorkdayCalendar) -> Window:
    """The result's period: from the end of the notice's own period to the last day stored
    with the award (the day the notice itself announced)."""
    if tender["status"] != TenderStatus.AWARDED:
        return Window(ChallengeKind.RESULT)
    award = (
        await Award.select(Award.challenge_until, Award.notice.published_at)
        .where((Award.tender == tender["id"]) & (Award.status == AwardStatus.ACTIVE))
        .order_by(Award.id)
        .first()
    )
    if award is None or award["challenge_until"] is None:
        return Window(ChallengeKind.RESULT)
    published = _day(award["notice.published_at"])
    return Window(
        ChallengeKind.RESULT,
        starts_on=rules.result_notice_ends(published, cal) if published else None,
        last_day=award["challenge_until"],
        ended_on=published,
    )


async def _document_windows(tender: dict[str, Any], obtained_on: date | None, cal: WorkdayCalendar) -> list[Window]:
    """The documents as published, and what each 更正公告 changed (its own period)."""
    if obtained_on is None:
        return [Window(ChallengeKind.DOCUMENTS)]
    start = rules.documents_start(obtained_on, documents_period_ends(tender, cal))
    out = [Window(ChallengeKind.DOCUMENTS, starts_on=start, last_day=rules.last_day(start, cal), ended_on=obtained_on)]
    versions = (
        await TenderVersion.select(TenderVersion.version, TenderVersion.created_at)
        .where((TenderVersion.tender == tender["id"]) & (TenderVersion.version > 1))
        .order_by(TenderVersion.version)
    )
    for v in versions:
        amended = _day(v["created_at"]) or obtained_on
        start = max(obtained_on, amended)
        out.append(
            Window(
                ChallengeKind.DOCUMENTS,
                rules.amendment_step(v["version"]),
                starts_on=start,
                last_day=rules.last_day(start, cal),
                ended_on=amended,
            )
        )
    return out


async def windows(user: CurrentUser, tender: dict[str, Any]) -> list[tuple[Window, Decision]]:
    """Every kind (and step) of 质疑 for this tender, as the user's organization sees it,
    with who may file it: the documents for an organization that obtained them, the
    process and the result for the tender's bidders (《政府采购质疑和投诉办法》第十一条)."""
    cal = get_default_calendar()
    org = user.organization_id
    obtained = await tender_services.documents_obtained_on(tender["id"], org) if org is not None else None
    took_part = org is not None and await Bid.exists().where(
        (Bid.tender == tender["id"]) & (Bid.organization == org) & (Bid.submitted_version > 0)
    )
    holder = policies.document_holder(user, obtained)
    bidder = policies.bidder(user, took_part)
    out: list[tuple[Window, Decision]] = [(w, holder) for w in await _document_windows(tender, obtained, cal)]
    for step, ended in (await step_ends(tender)).items():
        window = Window(ChallengeKind.PROCESS, step)
        if ended is not None:
            window = Window(ChallengeKind.PROCESS, step, starts_on=ended, last_day=rules.last_day(ended, cal))
        out.append((window, bidder))
    out.append((await _result_window(tender, cal), bidder))
    return out


async def window_for(user: CurrentUser, tender: dict[str, Any], kind: str, step: str) -> tuple[Window, Decision]:
    """The period a 质疑 of this kind and step falls in; an unknown step is a field error."""
    step = step or ""
    if kind == ChallengeKind.PROCESS and step not in set(ProcessStep):
        raise ValidationFailed(field_errors={"step": _("请选择所质疑的采购过程环节：开标、资格审查或评标。")})
    if kind == ChallengeKind.RESULT and step:
        raise ValidationFailed(field_errors={"step": _("对采购结果的质疑不需要选择环节。")})
    if kind == ChallengeKind.DOCUMENTS and step and rules.amendment_version(step) is None:
        raise ValidationFailed(
            field_errors={"step": _("对采购文件的质疑只能针对采购文件本身或某次更正公告的修改内容。")}
        )
    every = await windows(user, tender)
    found = next(((w, d) for w, d in every if w.kind == kind and w.step == step), None)
    if found is not None:
        return found
    decision = next(d for w, d in every if w.kind == kind)
    if not decision:
        return Window(kind, step), decision  # not entitled: the policy's reason comes first
    raise ValidationFailed(field_errors={"step": _("本项目没有这次更正公告。")})


def window_out(window: Window, decision: Decision, today: date) -> ChallengeWindowOut:
    return ChallengeWindowOut(
        kind=window.kind,
        kind_label=CHALLENGE_KIND_LABELS[ChallengeKind(window.kind)],
        step=window.step,
        step_label=rules.step_label(window.kind, window.step),
        label=window.label,
        starts_on=window.starts_on,
        last_day=window.last_day,
        open=bool(decision) and window.is_open(today),
        period=window.period_text(),
    )


async def open_windows(user: CurrentUser, tender: dict[str, Any]) -> list[ChallengeWindowOut]:
    """The kinds this organization may file (its own periods), open ones first-class:
    the 质疑 form offers those with ``open``, each with its last day."""
    today = clock.today_local()
    return [window_out(w, d, today) for w, d in await windows(user, tender) if d]
