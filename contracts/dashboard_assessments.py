"""Dashboard items of issue 14 §1 and §3 added later (registered with the core plug-in
registry as ``contracts.dashboard`` does): for the bureau officer, this year's spot-check
coverage of multi-year contracts when it is below the share (rule 33), and for the
officer and the provider, rectifications flagged overdue by the sweep (rule 32). Each
item is one or two queries, whatever the number of contracts.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.assessments import coverage
from contracts.assessments.states import STAGE_LABELS, AssessmentStatus
from contracts.assessments.tables import Assessment
from procurement.core import clock, dashboard_items
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.dashboard.schemas import TodoEntry, TodoItem

SHOWN = 5
COVERAGE_PAGE = "/bureau/evaluations/coverage"


async def coverage_item(user: CurrentUser) -> TodoItem | None:
    """This year's multi-year contracts without a spot check, while the share is not reached."""
    year = clock.today_local().year
    report = await coverage.coverage_of(user.organization_id or 0, year)
    if report.met:
        return None
    entries = [
        TodoEntry(
            title=c.title,
            link=f"/contracts/{c.contract_id}?tab=evaluations#assign",
            note=_("{provider} · 本年度尚未专项抽查").format(provider=c.provider_name),
            when_label=_("合同期至"),
            on=c.term_end,
        )
        for c in report.unchecked_contracts[:SHOWN]
    ]
    return TodoItem(
        key="assessments_spot_check_coverage",
        title=_("{year} 年度专项抽查不足：还须抽查 {n} 个合同").format(year=year, n=report.shortfall),
        count=len(report.unchecked_contracts),
        entries=entries,
        link=COVERAGE_PAGE,
        link_label=_("抽查覆盖情况"),
        empty="",
        hint=_("跨年度合同每年至少抽查 {p}%：{running} 个在履行，已抽查 {checked} 个（{share}%）。").format(
            p=report.percent, running=report.running, checked=report.checked, share=report.share
        ),
    )


async def overdue_rectification_item(user: CurrentUser, *, provider: bool) -> TodoItem | None:
    party = Assessment.contract.provider if provider else Assessment.contract.buyer
    rows = await (
        Assessment.select(
            Assessment.id,
            Assessment.stage,
            Assessment.rectification_due_on,
            Assessment.contract.id,
            Assessment.contract.title,
        )
        .where(
            (party == (user.organization_id or 0))
            & (Assessment.status == AssessmentStatus.RECTIFYING)
            & Assessment.rectification_overdue_at.is_not_null()
        )
        .order_by(Assessment.rectification_due_on)
    )
    if not rows:
        return None
    entries = [
        TodoEntry(
            title=_("{title} · {stage}").format(title=r["contract.title"], stage=STAGE_LABELS[r["stage"]]),
            link=f"/contracts/{r['contract.id']}/assessments/{r['id']}",
            note=_("整改期限已过，尚未报送整改情况"),
            when_label=_("整改期限"),
            on=r["rectification_due_on"],
            urgent=True,
            badge=_("整改逾期"),
        )
        for r in rows[:SHOWN]
    ]
    return TodoItem(
        key="assessments_rectification_overdue",
        title=_("整改逾期未报的评估"),
        count=len(rows),
        entries=entries,
        link="/contracts",
        link_label=_("全部合同"),
        empty="",
        hint=_("请尽快报送整改情况。") if provider else _("可督促服务机构报送；情节严重的，可依合同约定处理。"),
    )


async def officer_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    return [await coverage_item(user), await overdue_rectification_item(user, provider=False)]


async def provider_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    return [await overdue_rectification_item(user, provider=True)]


def register() -> None:
    """Called from the package's ``subscribe``, after the other dashboard registrations."""
    dashboard_items.register(Role.OFFICER, officer_items)
    dashboard_items.register(Role.ORG_MEMBER, provider_items)
