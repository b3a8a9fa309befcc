"""Delivery tracking of a contract (issue 12 §6, 实施管理): the report schedule, the
provider's progress reports, the buyer's review, the overdue flag and indicator
progress.

Each use case is one transaction that locks the contract (read through
``contracts.lifecycle.services.readable``, so outsiders get 404), checks the caller's
relation (``policies``), validates everything before writing anything, and changes a
report's status only through ``apply_transition`` (with the audit row).

The schedule exists as rows from the start: when the buyer's officer sets it
(``set_report_schedule``), or else, for a signed contract, the default monthly
schedule is made when the contract becomes active (``contract.activated``, see
``contracts.delivery.reactions``); the first read of the reports and the sweep
``ensure_schedules`` still make it, once, for a contract activated without it. A schedule can be replaced only while no report of it has been
submitted, so a due date never moves once work has been reported against it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.delivery import chart, policies, rules
from contracts.delivery.schemas import (
    AttachmentOut,
    ProgressOut,
    ReportOut,
    ReportsOut,
    ReviewIn,
    ScheduleIn,
    ScheduleOut,
    SubmissionIn,
    SubmissionOut,
)
from contracts.delivery.states import (
    OUTCOME_LABELS,
    REPORT_TABLE,
    SCHEDULE_KIND_LABELS,
    ReportStatus,
    ReviewOutcome,
)
from contracts.delivery.tables import ProgressReport, ReportSchedule, ReportSubmission
from contracts.lifecycle.services import message_context, party_users, readable
from contracts.lifecycle.states import ContractStatus, Party
from contracts.lifecycle.tables import Contract
from procurement.core import audit, clock, db
from procurement.core.actors import SYSTEM
from procurement.core.auth import CurrentUser
from procurement.core.errors import Conflict, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.storage import KNOWN_TYPES, FileStore
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings

ATTACHMENT_TYPES = ("pdf", "jpg", "png", "xlsx", "docx")  # 服务台账, photos, sign-in sheets
# Reports are kept and reviewed while the contract runs (a suspended one still owes the
# reports of the periods before its suspension).
REPORTING_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)
SIGNED_STATES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.COMPLETED, ContractStatus.TERMINATED)
MIN_RETURN_COMMENTS = 4

# The messages of delivery tracking (one notify() call per event).
NOTIFICATIONS.update(
    {
        "contract.report_submitted": {
            "title": N_("进度报告待审核：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期进度报告已提交，请审核（通过，或写明意见退回）。"),
        },
        "contract.report_accepted": {
            "title": N_("进度报告已通过：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期进度报告已审核通过。"),
        },
        "contract.report_returned": {
            "title": N_("进度报告被退回：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期进度报告被退回，请修改后重新提交。意见：{comments}"),
        },
        "contract.report_due": {
            "title": N_("进度报告即将到期：{title}"),
            "body": N_(
                "合同「{title}」（编号 {number}）第 {seq} 期进度报告应于 {due} 前提交，请按时提交（逾期未交的，中期评估按不合格计）。"
            ),
        },
        "contract.report_overdue": {
            "title": N_("进度报告逾期未交：{title}"),
            "body": N_("合同「{title}」（编号 {number}）第 {seq} 期进度报告应于 {due} 前提交，现已逾期，请尽快提交。"),
        },
    }
)


def file_store() -> FileStore:
    settings = get_settings()
    return FileStore(settings.files_dir, max_bytes=settings.max_file_mb * 1024 * 1024, allowed_types=ATTACHMENT_TYPES)


async def contract_row(contract_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """The contract row read by the system (the sweeps), without a user; the lifecycle
    owns the table and its status, delivery only reads it."""
    if lock:
        await db.lock(Contract, Contract.id == contract_id)
    return await Contract.select().where(Contract.id == contract_id).first()


def _indicators(contract: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(contract["indicators"] or "[]"))


# --------------------------------------------------------------------------- the schedule


async def _schedule_row(contract_id: int) -> dict[str, Any] | None:
    return await ReportSchedule.select().where(ReportSchedule.contract == contract_id).first()


async def _write_schedule(
    contract: dict[str, Any], kind: str, grace_days: int, dates: list[date], user_id: int | None
) -> list[rules.Period]:
    """The schedule row and one report row per period, each with its fixed due date."""
    items = rules.periods(kind, contract["term_start"], contract["term_end"], grace_days=grace_days, dates=dates)
    now = clock.now()
    await ReportSchedule.insert(
        ReportSchedule(
            contract=contract["id"],
            kind=kind,
            grace_days=grace_days,
            dates=json.dumps([d.isoformat() for d in sorted(dates)]),
            term_start=contract["term_start"],
            term_end=contract["term_end"],
            created_by=user_id,
            created_at=now,
        )
    )
    if items:
        await ProgressReport.insert(
            *[
                ProgressReport(
                    contract=contract["id"],
                    seq=p.seq,
                    period_start=p.start,
                    period_end=p.end,
                    due_on=p.due_on,
                    status=ReportStatus.DUE,
                    next_check_at=rules.next_check(
                        p.due_on,
                        submitted=False,
                        flagged=False,
                        remind_days=get_settings().report_reminder_days,
                        reminded=False,
                    ),
                    created_at=now,
                    updated_at=now,
                )
                for p in items
            ]
        )
    return items


async def ensure_schedule(contract: dict[str, Any]) -> bool:
    """The default monthly schedule for a signed contract that has none; True if made.
    Locks the contract so that two first readers make it once."""
    if contract["status"] not in REPORTING_STATES or contract["term_start"] is None or contract["term_end"] is None:
        return False
    if await _schedule_row(contract["id"]) is not None:
        return False
    async with db.transaction():
        row = await contract_row(contract["id"], lock=True)
        if row is None or await _schedule_row(row["id"]) is not None:
            return False
        items = await _write_schedule(row, rules.ScheduleKind.MONTHLY, rules.DEFAULT_GRACE_DAYS, [], None)
        await audit.record(
            "contract.report_schedule",
            "contract",
            row["id"],
            actor=SYSTEM,
            after={"kind": rules.ScheduleKind.MONTHLY, "reports": len(items), "default": True},
        )
    return True


async def set_report_schedule(user: CurrentUser, contract_id: int, data: ScheduleIn) -> ReportsOut:
    """The buyer's officer sets how often the provider reports: monthly, quarterly or on
    dates set by hand. Every report of the term is written at once with its due date.
    Replacing a schedule is refused once a report has been submitted (no drift)."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.reviewer(user, contract, _("设置进度报告计划")).acting(user)
        if contract["status"] not in REPORTING_STATES:
            raise Conflict(_("合同生效（履行中）后才能设置进度报告计划。"))
        problems = rules.schedule_problems(
            data.kind, contract["term_start"], contract["term_end"], data.grace_days, data.dates
        )
        if problems:
            raise ValidationFailed(field_errors=problems)
        reported = await ProgressReport.count().where(
            (ProgressReport.contract == contract_id) & (ProgressReport.rounds > 0)
        )
        if reported:
            raise Conflict(_("已有进度报告提交，不能再更改报告计划；如需调整，请通过合同变更办理。"))
        before = await _schedule_row(contract_id)
        if before is not None:
            await ProgressReport.delete().where(ProgressReport.contract == contract_id)
            await ReportSchedule.delete().where(ReportSchedule.contract == contract_id)
        items = await _write_schedule(contract, data.kind, data.grace_days, list(data.dates), user.id)
        await audit.record(
            "contract.report_schedule",
            "contract",
            contract_id,
            actor=actor,
            before={"kind": before["kind"]} if before else None,
            after={
                "kind": data.kind,
                "grace_days": data.grace_days,
                "due_on": [p.due_on.isoformat() for p in items],
            },
        )
    return await list_reports(user, contract_id)


# --------------------------------------------------------------------------- reading


def _attachments_out(contract_id: int, report_id: int, raw: str) -> list[AttachmentOut]:
    return [
        AttachmentOut(
            sha256=a["sha256"],
            name=a["name"],
            type=a["type"],
            size=a["size"],
            url=f"/api/v1/contracts/{contract_id}/reports/{report_id}/attachments/{a['sha256']}",
        )
        for a in json.loads(raw or "[]")
    ]


def _report_out(
    user: CurrentUser, contract: dict[str, Any], row: dict[str, Any], submissions: list[dict[str, Any]]
) -> ReportOut:
    now = clock.now()
    submitted = row["first_submitted_at"] is not None
    decisions = [policies.submitter(user, contract), policies.reviewer(user, contract, "")]
    actions: list[str] = []
    if contract["status"] in REPORTING_STATES:
        for decision in decisions:
            if decision:
                actions += REPORT_TABLE.actions_for(row["status"], decision.acting(user))
    return ReportOut(
        id=row["id"],
        seq=row["seq"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        due_on=row["due_on"],
        status=row["status"],
        status_label=REPORT_TABLE.staff_label(row["status"]),
        overdue=rules.is_overdue(row["due_on"], submitted, now),
        late=submitted and row["first_submitted_at"] >= rules.overdue_from(row["due_on"]),
        overdue_flagged=row["overdue_at"] is not None,
        actions=actions,
        submissions=[
            SubmissionOut(
                round=s["round"],
                actuals=json.loads(s["actuals"]),
                narrative=s["narrative"],
                attachments=_attachments_out(contract["id"], row["id"], s["attachments"]),
                submitted_by=s["submitted_by"],
                submitted_at=s["submitted_at"],
                outcome=s["outcome"],
                outcome_label=OUTCOME_LABELS[s["outcome"]] if s["outcome"] else _("待审核"),
                comments=s["comments"],
                reviewed_at=s["reviewed_at"],
            )
            for s in submissions
        ],
    )


async def _accepted_actuals(contract_id: int) -> list[dict[str, Any]]:
    """The actuals of each accepted report (its accepted submission), in period order."""
    reports = (
        await ProgressReport.select(ProgressReport.id)
        .where((ProgressReport.contract == contract_id) & (ProgressReport.status == ReportStatus.ACCEPTED))
        .order_by(ProgressReport.seq)
    )
    ids = [r["id"] for r in reports]
    if not ids:
        return []
    rows = await ReportSubmission.select(ReportSubmission.report, ReportSubmission.actuals).where(
        ReportSubmission.report.is_in(ids) & (ReportSubmission.outcome == ReviewOutcome.ACCEPT)
    )
    by_report = {r["report"]: json.loads(r["actuals"]) for r in rows}
    return [by_report[i] for i in ids if i in by_report]


@dataclass(frozen=True)
class ProgressView:
    """Indicator progress for the contract page: the figures and the chart (SVG markup)."""

    items: list[ProgressOut]
    svg: str


async def _progress(contract: dict[str, Any]) -> tuple[list[rules.Progress], str]:
    items = rules.progress(_indicators(contract), await _accepted_actuals(contract["id"]))
    return items, chart.progress_svg(items)


def _progress_out(items: list[rules.Progress]) -> list[ProgressOut]:
    return [ProgressOut(**item.as_json()) for item in items]


async def progress(user: CurrentUser, contract_id: int) -> ProgressView:
    """Indicator progress (accepted reports against the targets) and its SVG chart, for
    the parties of the contract; anyone else gets 404."""
    contract = await readable(user, contract_id)
    items, svg = await _progress(contract)
    return ProgressView(_progress_out(items), svg)


async def list_reports(user: CurrentUser, contract_id: int) -> ReportsOut:
    """The schedule, every report with its submissions and reviews, and the progress,
    for the buyer's staff, the provider's members and administrators (others: 404)."""
    contract = await readable(user, contract_id)
    await ensure_schedule(contract)
    schedule = await _schedule_row(contract_id)
    rows = await ProgressReport.select().where(ProgressReport.contract == contract_id).order_by(ProgressReport.seq)
    ids = [r["id"] for r in rows]
    submissions: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for s in (
            await ReportSubmission.select()
            .where(ReportSubmission.report.is_in(ids))
            .order_by(ReportSubmission.report)
            .order_by(ReportSubmission.round)
        ):
            submissions[s["report"]].append(s)
    items, _svg = await _progress(contract)
    return ReportsOut(
        contract_id=contract_id,
        schedule=ScheduleOut(
            kind=schedule["kind"],
            kind_label=SCHEDULE_KIND_LABELS[schedule["kind"]],
            grace_days=schedule["grace_days"],
            dates=[date.fromisoformat(d) for d in json.loads(schedule["dates"])],
            term_start=schedule["term_start"],
            term_end=schedule["term_end"],
        )
        if schedule
        else None,
        reports=[_report_out(user, contract, r, submissions[r["id"]]) for r in rows],
        progress=_progress_out(items),
        can_set_schedule=bool(policies.reviewer(user, contract, ""))
        and contract["status"] in REPORTING_STATES
        and not any(r["rounds"] for r in rows),
    )


async def _report(contract_id: int, report_id: int, *, lock: bool = False) -> dict[str, Any]:
    where = (ProgressReport.id == report_id) & (ProgressReport.contract == contract_id)
    if lock:
        await db.lock(ProgressReport, where)
    row = await ProgressReport.select().where(where).first()
    if row is None:
        raise NotFound(_("找不到该进度报告。"))
    return row


# --------------------------------------------------------------------------- submitting


@dataclass(frozen=True)
class _Upload:
    content: bytes
    stored: Any  # storage.StoredFile


def _checked_uploads(data: SubmissionIn) -> list[_Upload]:
    """Every attachment decoded and checked by its content (PDF, JPG, PNG, XLSX, DOCX),
    before anything is written; all problems reported at once."""
    store = file_store()
    uploads: list[_Upload] = []
    problems: dict[str, str] = {}
    for index, item in enumerate(data.attachments):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            problems[f"attachments.{index}"] = _("附件「{name}」内容无法读取，请重新上传。").format(name=item.filename)
            continue
        try:
            uploads.append(_Upload(content, store.check(content, item.filename)))
        except ValidationFailed as exc:
            problems[f"attachments.{index}"] = exc.message
    if problems:
        raise ValidationFailed(field_errors=problems)
    return uploads


async def submit_report(user: CurrentUser, contract_id: int, report_id: int, data: SubmissionIn) -> ReportOut:
    """The provider submits a report (or resubmits a returned one): the actual value of
    every indicator of the contract (numbers ≥ 0), a narrative and attachments checked
    by their content. A late report keeps its due date; the history is kept."""
    uploads = _checked_uploads(data)
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.submitter(user, contract).acting(user)
        if contract["status"] not in REPORTING_STATES:
            raise Conflict(_("合同不在履行中，不能提交进度报告。"))
        row = await _report(contract_id, report_id, lock=True)
        action = "resubmit" if row["status"] == ReportStatus.RETURNED else "submit"
        REPORT_TABLE.decide(row["status"], action, actor)
        today = clock.today_local()
        if today < row["period_start"]:
            raise Conflict(
                _("第 {seq} 期报告期自 {start} 开始，开始后才能提交。").format(
                    seq=row["seq"], start=f"{row['period_start']:%Y-%m-%d}"
                )
            )
        problems = rules.actuals_problems(_indicators(contract), data.actuals)
        if problems:
            raise ValidationFailed(field_errors=problems)
        store = file_store()
        attachments = []
        for upload in uploads:
            store.save_blob(upload.content)
            s = upload.stored
            attachments.append({"sha256": s.sha256, "name": s.original_name, "type": s.type, "size": s.size})
        now = clock.now()
        actuals = {k: rules.number_text(rules.parse_actual(v)) for k, v in data.actuals.items()}
        round_no = row["rounds"] + 1
        await ReportSubmission.insert(
            ReportSubmission(
                report=report_id,
                round=round_no,
                actuals=json.dumps(actuals, ensure_ascii=False),
                narrative=data.narrative.strip(),
                attachments=json.dumps(attachments, ensure_ascii=False),
                submitted_by=user.id,
                submitted_at=now,
            )
        )
        await apply_transition(
            REPORT_TABLE,
            ProgressReport,
            report_id,
            row["status"],
            action,
            actor,
            values={
                ProgressReport.rounds: round_no,
                ProgressReport.first_submitted_at: row["first_submitted_at"] or now,
                ProgressReport.next_check_at: None,
                ProgressReport.updated_at: now,
            },
            guard=ProgressReport.rounds == row["rounds"],
            after={"contract_id": contract_id, "round": round_no, "due_on": row["due_on"].isoformat()},
        )
        await notify(
            "contract.report_submitted", await party_users(contract, Party.BUYER), report_context(contract, row)
        )
        submissions = await _submissions(report_id)
        fresh = await _report(contract_id, report_id)
    return _report_out(user, contract, fresh, submissions)


def report_context(contract: dict[str, Any], report: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return message_context(contract, seq=report["seq"], due=f"{report['due_on']:%Y-%m-%d}", **extra) | {
        "link": f"/contracts/{contract['id']}/reports"
    }


async def _submissions(report_id: int) -> list[dict[str, Any]]:
    return await ReportSubmission.select().where(ReportSubmission.report == report_id).order_by(ReportSubmission.round)


# --------------------------------------------------------------------------- reviewing


async def review_report(user: CurrentUser, contract_id: int, report_id: int, data: ReviewIn) -> ReportOut:
    """The buyer's officer accepts a submitted report, or returns it with comments (required)
    for the provider to correct and resubmit; the submission keeps its outcome."""
    async with db.transaction():
        contract = await readable(user, contract_id, lock=True)
        actor = policies.reviewer(user, contract, _("审核进度报告")).acting(user)
        if contract["status"] not in REPORTING_STATES:
            raise Conflict(_("合同不在履行中，不能审核进度报告。"))
        row = await _report(contract_id, report_id, lock=True)
        action = "accept" if data.outcome == ReviewOutcome.ACCEPT else "return"
        REPORT_TABLE.decide(row["status"], action, actor)
        comments = data.comments.strip()
        if action == "return" and len(comments) < MIN_RETURN_COMMENTS:
            raise ValidationFailed(field_errors={"comments": _("退回时请写明需要修改的内容（至少 4 个字）。")})
        now = clock.now()
        await ReportSubmission.update(
            {
                ReportSubmission.outcome: data.outcome,
                ReportSubmission.comments: comments,
                ReportSubmission.reviewed_by: user.id,
                ReportSubmission.reviewed_at: now,
            }
        ).where((ReportSubmission.report == report_id) & (ReportSubmission.round == row["rounds"]))
        values: dict[Any, Any] = {ProgressReport.updated_at: now}
        if action == "accept":
            values[ProgressReport.accepted_at] = now
        await apply_transition(
            REPORT_TABLE,
            ProgressReport,
            report_id,
            row["status"],
            action,
            actor,
            values=values,
            guard=ProgressReport.rounds == row["rounds"],
            after={"contract_id": contract_id, "round": row["rounds"], "comments": comments},
        )
        event = "contract.report_accepted" if action == "accept" else "contract.report_returned"
        await notify(
            event, await party_users(contract, Party.PROVIDER), report_context(contract, row, comments=comments)
        )
        submissions = await _submissions(report_id)
        fresh = await _report(contract_id, report_id)
    return _report_out(user, contract, fresh, submissions)


async def attachment(user: CurrentUser, contract_id: int, report_id: int, sha256: str) -> tuple[bytes, str, str]:
    """An attachment of a report, for those who may read the contract: (bytes, name, mime)."""
    await readable(user, contract_id)
    await _report(contract_id, report_id)
    for s in await _submissions(report_id):
        for a in json.loads(s["attachments"]):
            if a["sha256"] == sha256:
                return file_store().read(sha256), a["name"], KNOWN_TYPES[a["type"]]
    raise NotFound(_("找不到该附件。"))


async def overdue_counts(contract_ids: list[int]) -> dict[int, int]:
    """How many reports of each contract are overdue now (not submitted after the end of
    their due day), for the contract list's "overdue reports" filter and the dashboards.
    The caller has already filtered the contracts the user may read."""
    if not contract_ids:
        return {}
    rows = await ProgressReport.select(ProgressReport.contract, ProgressReport.due_on).where(
        ProgressReport.contract.is_in(contract_ids)
        & ProgressReport.first_submitted_at.is_null()
        & (ProgressReport.due_on < clock.today_local())
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["contract"]] = counts.get(row["contract"], 0) + 1
    return counts
