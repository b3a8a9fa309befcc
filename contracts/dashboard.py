"""The contracts' items on each party's dashboard (issue 12 §8), registered with the
core plug-in registry (procurement never imports contracts).

Bureau officer: contracts awaiting the buyer's signature, signing deadlines near or
past (30 days from the award letter, rule 28), contract notices not yet published,
filings due, progress reports awaiting review, overdue reports. Provider (a member of
the organization): contracts awaiting its signature with the deadline, its details to
enter, reports due soon or overdue, returned reports to resubmit. Read-only; an item
with nothing in it is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from piccolo.columns.combination import Combinable

from contracts.delivery.states import ReportStatus
from contracts.delivery.tables import ProgressReport
from contracts.lifecycle import views
from contracts.lifecycle.states import ContractStatus
from procurement.core import clock, dashboard_items
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.prepared import Prepared
from procurement.dashboard.schemas import TodoEntry, TodoItem

SHOWN = 5  # entries per card, as on procurement's cards
REPORT_DUE_SOON = timedelta(days=14)  # a report due this soon shows on the provider's list
RUNNING = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)


def _item(key: str, title: str, entries: list[TodoEntry], **kw: Any) -> TodoItem | None:
    if not entries:
        return None
    return TodoItem(
        key=key,
        title=title,
        count=len(entries),
        entries=entries[:SHOWN],
        link="/contracts",
        link_label=_("全部合同"),
        empty="",
        **kw,
    )


def _contract_entries(card: views.TodoCard | None, *, sign_link: bool, label: str) -> list[TodoEntry]:
    if card is None:
        return []
    return [
        TodoEntry(
            title=e.title,
            link=f"/contracts/{e.contract_id}/sign" if sign_link else f"/contracts/{e.contract_id}",
            when_label=label,
            on=e.due,
            urgent=e.late,
            badge=_("已逾期") if e.late else "",
        )
        for e in card.entries
    ]


def _reports(party: Callable[[], Any], where: Callable[[Any, Any], Combinable]) -> Prepared:
    """The reports of the party's running contracts matching ``where(org_id, day)``, by due
    day: one query for the party's two report items, split by ``_split``.

    ``party`` names the column when the query is first built, not at import: the contract's
    buyer and provider reference procurement's organizations through Piccolo's app registry,
    and resolving that loads Piccolo's migration machinery and black (~0.1 s of every
    start-up, issue 11)."""
    return Prepared(
        lambda org_id, day: (
            ProgressReport.select(
                ProgressReport.id,
                ProgressReport.seq,
                ProgressReport.due_on,
                ProgressReport.status,
                ProgressReport.first_submitted_at,
                ProgressReport.contract.id,
                ProgressReport.contract.title,
            )
            .where((party() == org_id) & ProgressReport.contract.status.is_in(list(RUNNING)) & where(org_id, day))
            .order_by(ProgressReport.due_on)
        )
    )


# The buyer's: submitted (to review) or never submitted and past due (overdue).
_BUYER_REPORTS = _reports(
    lambda: ProgressReport.contract.buyer,
    lambda _org, today: (
        (ProgressReport.status == ReportStatus.SUBMITTED)
        | (ProgressReport.first_submitted_at.is_null() & (ProgressReport.due_on < today))
    ),
)
# The provider's: due within REPORT_DUE_SOON (``day``), or returned.
_PROVIDER_REPORTS = _reports(
    lambda: ProgressReport.contract.provider,
    lambda _org, soon: (
        ((ProgressReport.status == ReportStatus.DUE) & (ProgressReport.due_on <= soon))
        | (ProgressReport.status == ReportStatus.RETURNED)
    ),
)


def _report_entries(
    rows: list[dict[str, Any]], *, note: str, when_label: str, urgent_late: bool = True
) -> list[TodoEntry]:
    today = clock.today_local()
    return [
        TodoEntry(
            title=_("{title} · 第 {seq} 期进度报告").format(title=r["contract.title"], seq=r["seq"]),
            link=f"/contracts/{r['contract.id']}/reports",
            note=note,
            when_label=when_label,
            on=r["due_on"],
            urgent=urgent_late and r["due_on"] < today,
            badge=_("已逾期") if urgent_late and r["due_on"] < today else "",
        )
        for r in rows
    ]


async def officer_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    cards = {c.key: c for c in await views.contract_todo(user)}
    today = clock.today_local()
    rows = await _BUYER_REPORTS(user.organization_id or 0, today)
    to_review = [r for r in rows if r["status"] == ReportStatus.SUBMITTED]
    overdue = [r for r in rows if r["first_submitted_at"] is None and r["due_on"] < today]
    return [
        _item(
            "contracts_to_sign",
            _("待我方签署的合同"),
            _contract_entries(cards.get("sign"), sign_link=True, label=_("签订期限")),
            hint=_("中标通知书发出之日起 30 日内签订合同（《政府采购法》第四十六条）。"),
        ),
        _item(
            "contracts_signing_deadline",
            _("合同签订期限临近或已逾期"),
            _contract_entries(cards.get("deadline"), sign_link=False, label=_("签订期限")),
        ),
        _item(
            "contracts_notice",
            _("待发布的合同公告"),
            _contract_entries(cards.get("notice"), sign_link=False, label=_("发布期限")),
            hint=_("合同签订后 2 个工作日内在门户公告；逾期未发布的由系统自动发布。"),
        ),
        _item(
            "contracts_filing",
            _("待备案的合同"),
            _contract_entries(cards.get("filing"), sign_link=False, label=_("备案期限")),
        ),
        _item(
            "contract_reports_review",
            _("待审核的进度报告"),
            _report_entries(
                to_review, note=_("服务机构已提交，请审核通过或退回"), when_label=_("应交日期"), urgent_late=False
            ),
        ),
        _item(
            "contract_reports_overdue",
            _("逾期未交的进度报告"),
            _report_entries(overdue, note=_("服务机构尚未提交"), when_label=_("应交日期")),
        ),
    ]


async def provider_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    cards = {c.key: c for c in await views.contract_todo(user)}
    today = clock.today_local()
    rows = await _PROVIDER_REPORTS(user.organization_id or 0, today + REPORT_DUE_SOON)
    due = [r for r in rows if r["status"] == ReportStatus.DUE and r["due_on"] <= today + REPORT_DUE_SOON]
    returned = [r for r in rows if r["status"] == ReportStatus.RETURNED]
    return [
        _item(
            "contracts_to_sign",
            _("待本机构签署的合同"),
            _contract_entries(cards.get("sign"), sign_link=True, label=_("签订期限")),
            hint=_("中标通知书发出之日起 30 日内签订合同（《政府采购法》第四十六条）。"),
        ),
        _item(
            "contracts_provider_details",
            _("待填写乙方账户与地址的合同"),
            _contract_entries(cards.get("provider"), sign_link=False, label=_("签订期限")),
        ),
        _item(
            "contract_reports_due",
            _("近期应交或已逾期的进度报告"),
            _report_entries(due, note=_("填写各项指标完成情况并上传服务台账"), when_label=_("应交日期")),
        ),
        _item(
            "contract_reports_returned",
            _("被退回待重新提交的进度报告"),
            _report_entries(
                returned, note=_("按民政局意见修改后重新提交"), when_label=_("应交日期"), urgent_late=False
            ),
        ),
    ]


def register() -> None:
    """Called from the package's ``subscribe``."""
    dashboard_items.register(Role.OFFICER, officer_items)
    dashboard_items.register(Role.ORG_MEMBER, provider_items)
