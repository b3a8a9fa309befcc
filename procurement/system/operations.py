"""The administrator's operations view (issue 15 §4): the scheduler's last run of each
sweep with its counts and error, what waits next on each due sweep, failed email sends
with a retry, and the holiday calendar's coverage of the coming years."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from procurement.accounts import policies
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.core.i18n import N_, Labels
from procurement.core.scheduler import CATCH_UP, DueSweep, registry
from procurement.core.tables import SchedulerRun
from procurement.system import notifications
from procurement.system import services as system
from procurement.system.schemas import CalendarYearOut, OutboxMessageOut

NEXT_SHOWN = 3  # earliest waiting rows shown per sweep
HOLIDAY_WARNING_MONTH = 11  # from 1 November, next year's holidays should be in

SWEEP_LABELS = Labels(
    {
        CATCH_UP: N_("启动补做（按到期时间顺序）"),
        "accounts.expire_sessions": N_("清理过期登录会话"),
        "tenders.close_due": N_("投标截止：关闭项目"),
        "bids.open_due": N_("开标"),
        "evaluation.report_overdue": N_("评审报告逾期提醒"),
        "awards.deem_due": N_("磋商：视为确定成交供应商"),
        "awards.publicity_end": N_("公益创投公示期满"),
        "awards.challenge_overdue": N_("质疑答复逾期提醒"),
        "bids.bond_refund_overdue": N_("投标保证金逾期未退提醒"),
        "system.audit_anchor": N_("审计日志每日锚定"),
        "contracts.lifecycle_due": N_("合同：签订提醒与逾期、合同公告、备案逾期、履约保证金逾期"),
        "contracts.delivery_due": N_("履约报告逾期"),
        "contracts.delivery_schedules": N_("补建履约报告计划"),
        "contracts.payments_due": N_("分期付款：日期条件与付款逾期"),
        "contracts.payments_rows": N_("补建分期付款记录"),
        "contracts.staffing_due": N_("社工登记即将到期提醒"),
        "notify.send_email": N_("发送通知邮件"),
        "notify.daily_digest": N_("每日摘要邮件"),
        "notify.prune_outbox": N_("清理过期的通知邮件记录"),
        "contracts.staffing_armed": N_("补建社工登记到期提醒"),
        "contracts.assessments_rectification_due": N_("第三方评估：到期提醒、整改逾期"),
        "contracts.assessments_rectification_checks": N_("补建评估到期与整改检查"),
    }
)


@dataclass(frozen=True)
class SweepStatus:
    name: str
    label: str
    interval_seconds: int | None
    last: dict[str, Any] | None  # the latest scheduler_run row
    failed_runs: int  # of the kept runs, those with a failure
    due_now: int | None = None  # due sweeps only
    next_due: list[tuple[int, datetime]] = field(default_factory=list)


@dataclass(frozen=True)
class FailedSends:
    """Failed email sends (the outbox's ``notifications.list_failed_messages``)."""

    items: list[dict[str, Any]]


@dataclass(frozen=True)
class Operations:
    sweeps: list[SweepStatus]
    sends: FailedSends
    years: list[CalendarYearOut]
    holiday_warning: int | None  # next year, when its holidays are missing from 1 November on
    checked_at: datetime


async def _sweep_status(name: str, interval: int | None, due: DueSweep | None, now: datetime) -> SweepStatus:
    runs = (
        await SchedulerRun.select()
        .where(SchedulerRun.sweep == name)
        .order_by(SchedulerRun.id, ascending=False)
        .limit(50)
    )
    status = SweepStatus(
        name=name,
        label=SWEEP_LABELS.get(name, name),
        interval_seconds=interval,
        last=runs[0] if runs else None,
        failed_runs=sum(1 for r in runs if r["failed"] or r["error"]),
    )
    if due is None:
        return status
    model = due.model
    key = model._meta.primary_key
    column = cast(Any, model).next_check_at
    waiting = (
        await model.select(key, column).where(column.is_not_null()).order_by(column).order_by(key).limit(NEXT_SHOWN)
    )
    return replace(
        status,
        due_now=await model.count().where(column <= now),
        next_due=[(r[key._meta.name], r[column._meta.name]) for r in waiting],
    )


def _message_row(message: OutboxMessageOut) -> dict[str, Any]:
    """One failed message as the page shows it."""
    return {
        "id": message.id,
        "to": " ".join(part for part in (message.recipient_name, message.address) if part) or "—",
        "subject": message.subject or message.event,
        "attempts": message.attempts,
        "error": message.last_error,
        "at": message.created_at,
    }


async def failed_sends(limit: int = 50) -> FailedSends:
    return FailedSends(items=[_message_row(m) for m in await notifications.list_failed_messages(limit)])


async def retry_send(actor: CurrentUser, message_id: int) -> None:
    policies.can_manage_system(actor).require()
    await notifications.retry_message(actor, message_id)


def holiday_warning(years: list[CalendarYearOut], today: Any) -> int | None:
    """Next year, from 1 November on, when its holidays are neither built in nor entered."""
    if today.month < HOLIDAY_WARNING_MONTH:
        return None
    following = today.year + 1
    source = next((y.source for y in years if y.year == following), None)
    return following if source in ("fallback", "weekends_only") else None


async def operations(actor: CurrentUser) -> Operations:
    policies.can_manage_system(actor).require()
    now = clock.now()
    jobs = registry.jobs()
    names = [job.name for job in jobs]
    sweeps = [
        await _sweep_status(job.name, job.interval_seconds, job.func if isinstance(job.func, DueSweep) else None, now)
        for job in jobs
    ]
    if CATCH_UP not in names:
        sweeps.insert(0, await _sweep_status(CATCH_UP, None, None, now))
    years = await system.calendar_years()
    return Operations(
        sweeps=sweeps,
        sends=await failed_sends(),
        years=years,
        holiday_warning=holiday_warning(years, clock.today_local()),
        checked_at=now,
    )
