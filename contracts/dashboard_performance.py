"""Dashboard items for a running contract's team, evaluations and payments (issues 13
and 14), registered with the core plug-in registry as ``contracts.dashboard`` does.

Provider (a member of the organization): registrations expired or expiring, its teams
short of the requirements or the bid's promise, evaluations waiting for its
self-assessment, rectifications due, installments to request. Bureau officer: teams
short, replacements to decide, rectifications due, payments to approve. Finance:
payments to release (or to check, with the second approval on). Evaluator: the
agency's evaluations to score. Late ones are flagged. Read-only; an empty item is left
out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from piccolo.columns.combination import Combinable

from contracts.assessments.states import ASSESSMENT_TABLE, STAGE_LABELS, AssessmentStatus
from contracts.assessments.tables import Assessment
from contracts.payments.states import PAYMENT_TABLE, PaymentStatus
from contracts.payments.tables import InstallmentPayment
from contracts.staffing import services as staffing
from procurement.core import clock, dashboard_items
from procurement.core.actors import Role
from procurement.core.auth import CurrentUser
from procurement.core.i18n import _
from procurement.core.prepared import Prepared
from procurement.dashboard.schemas import TodoEntry, TodoItem
from procurement.settings import get_settings

SHOWN = 5  # entries per card, as on the other cards


def _item(
    key: str, title: str, entries: list[TodoEntry], link: str, link_label: str, hint: str = ""
) -> TodoItem | None:
    if not entries:
        return None
    return TodoItem(
        key=key,
        title=title,
        count=len(entries),
        entries=entries[:SHOWN],
        link=link,
        link_label=link_label,
        empty="",
        hint=hint,
    )


def _late(day: date | None) -> bool:
    return day is not None and day < clock.today_local()


# --------------------------------------------------------------------------- staffing (issue 13)


async def _staffing_items(user: CurrentUser) -> list[TodoItem | None]:
    todo = await staffing.todo(user)
    today = clock.today_local()
    expiring = [
        TodoEntry(
            title=_("{name} · {level}").format(name=w.name, level=w.level_label),
            link="/social-workers",
            note=_("社工登记已过期，须重新登记后方可计为持证社工")
            if w.registration_expires and w.registration_expires < today
            else _("社工登记即将到期"),
            when_label=_("登记有效期至"),
            on=w.registration_expires,
            urgent=bool(w.registration_expires and w.registration_expires < today),
            badge=_("已过期") if w.registration_expires and w.registration_expires < today else "",
        )
        for w in todo.expiring
    ]
    short = [
        TodoEntry(title=t.title, link=f"/contracts/{t.contract_id}/team", note="；".join(t.gaps), urgent=True)
        for t in todo.short_teams
    ]
    replacements = [
        TodoEntry(title=r.title, link=f"/contracts/{r.contract_id}/team", note=_("人员更换申请待审批"))
        for r in todo.replacements
    ]
    waiting_title = _("待审批的人员更换") if user.role == Role.OFFICER else _("待民政局审批的人员更换")
    return [
        _item("staffing_expiring", _("社工登记过期或即将到期"), expiring, "/social-workers", _("社工名册")),
        _item(
            "staffing_short_teams",
            _("团队不符合合同要求或投标承诺"),
            short,
            "/social-workers",
            _("社工名册"),
            hint=_("项目团队应与投标承诺一致；主要人员变更须经采购人同意。"),
        ),
        _item("staffing_replacements", waiting_title, replacements, "/social-workers", _("社工名册")),
    ]


# --------------------------------------------------------------------------- evaluations (issue 14)


def _assessments(where: Callable[[Any], Combinable]) -> Prepared:
    """The evaluations matching ``where(org_id)``, by due day, as one prepared query."""
    return Prepared(
        lambda org_id: (
            Assessment.select(
                Assessment.id,
                Assessment.stage,
                Assessment.status,
                Assessment.due_on,
                Assessment.rectification_due_on,
                Assessment.agency_name,
                Assessment.contract.id,
                Assessment.contract.title,
            )
            .where(where(org_id))
            .order_by(Assessment.due_on)
        )
    )


_AGENCY_TO_SCORE = _assessments(
    lambda org_id: (
        (Assessment.agency == org_id)
        & Assessment.status.is_in([AssessmentStatus.SELF_ASSESSED, AssessmentStatus.REEVALUATING])
    )
)
# The provider's self-assessments due and rectifications due, in one query.
_PROVIDER_ASSESSMENTS = _assessments(
    lambda org_id: (
        (Assessment.contract.provider == org_id)
        & Assessment.status.is_in([AssessmentStatus.ASSIGNED, AssessmentStatus.RECTIFYING])
    )
)
_BUYER_RECTIFYING = _assessments(
    lambda org_id: (Assessment.contract.buyer == org_id) & (Assessment.status == AssessmentStatus.RECTIFYING)
)


def _assessment_entries(rows: list[dict[str, Any]], *, rectification: bool = False) -> list[TodoEntry]:
    out = []
    for r in rows:
        day = r["rectification_due_on"] if rectification else r["due_on"]
        out.append(
            TodoEntry(
                title=_("{title} · {stage}").format(title=r["contract.title"], stage=STAGE_LABELS[r["stage"]]),
                link=f"/contracts/{r['contract.id']}/assessments/{r['id']}",
                note=ASSESSMENT_TABLE.staff_label(r["status"]),
                when_label=_("整改期限") if rectification else _("完成日期"),
                on=day,
                urgent=_late(day),
                badge=_("已逾期") if _late(day) else "",
            )
        )
    return out


async def _evaluator_items(user: CurrentUser) -> list[TodoItem | None]:
    rows = await _AGENCY_TO_SCORE(user.organization_id or 0)
    return [
        _item(
            "assessments_to_score",
            _("待评估的项目"),
            _assessment_entries(rows),
            "/assessments",
            _("评估工作台"),
            hint=_("服务机构已提交自评或整改情况，请逐项打分并写明评分依据。"),
        )
    ]


async def _provider_assessment_items(user: CurrentUser) -> list[TodoItem | None]:
    rows = await _PROVIDER_ASSESSMENTS(user.organization_id or 0)
    self_due = [r for r in rows if r["status"] == AssessmentStatus.ASSIGNED]
    rectify = [r for r in rows if r["status"] == AssessmentStatus.RECTIFYING]
    return [
        _item(
            "assessments_self",
            _("待提交自评的评估"),
            _assessment_entries(self_due),
            "/contracts",
            _("全部合同"),
            hint=_("第三方评估前，服务机构先按指标体系逐项自评。"),
        ),
        _item(
            "assessments_rectify",
            _("待报送的整改"),
            _assessment_entries(rectify, rectification=True),
            "/contracts",
            _("全部合同"),
        ),
    ]


async def _officer_assessment_items(user: CurrentUser) -> list[TodoItem | None]:
    rows = await _BUYER_RECTIFYING(user.organization_id or 0)
    return [
        _item(
            "assessments_rectifying",
            _("整改中的项目"),
            _assessment_entries(rows, rectification=True),
            "/contracts",
            _("全部合同"),
        )
    ]


# --------------------------------------------------------------------------- payments (issue 14)


def _payments(where: Callable[[Any, Any], Combinable]) -> Prepared:
    """The installments matching ``where(org_id, status)``, by deadline, as one prepared query."""
    return Prepared(
        lambda org_id, status: (
            InstallmentPayment.select(
                InstallmentPayment.seq,
                InstallmentPayment.status,
                InstallmentPayment.deadline_on,
                InstallmentPayment.contract.id,
                InstallmentPayment.contract.title,
            )
            .where(where(org_id, status))
            .order_by(InstallmentPayment.deadline_on)
        )
    )


_PROVIDER_PAYMENTS = _payments(
    lambda org_id, status: (InstallmentPayment.contract.provider == org_id) & (InstallmentPayment.status == status)
)
_BUYER_PAYMENTS = _payments(
    lambda org_id, status: (InstallmentPayment.contract.buyer == org_id) & (InstallmentPayment.status == status)
)


def _payment_entries(rows: list[dict[str, Any]], note: str) -> list[TodoEntry]:
    return [
        TodoEntry(
            title=_("{title} · 第 {seq} 期款项").format(title=r["contract.title"], seq=r["seq"]),
            link=f"/contracts/{r['contract.id']}/payments",
            note=note or PAYMENT_TABLE.staff_label(r["status"]),
            when_label=_("付款期限"),
            on=r["deadline_on"],
            urgent=_late(r["deadline_on"]),
            badge=_("已逾期") if _late(r["deadline_on"]) else "",
        )
        for r in rows
    ]


async def _provider_payment_items(user: CurrentUser) -> list[TodoItem | None]:
    if not get_settings().payment_provider_requests:
        return []
    rows = await _PROVIDER_PAYMENTS(user.organization_id or 0, PaymentStatus.DUE)
    return [
        _item(
            "payments_to_request",
            _("可申请拨付的款项"),
            _payment_entries(rows, _("付款条件已达成，请提出拨付申请")),
            "/contracts",
            _("全部合同"),
        )
    ]


async def _officer_payment_items(user: CurrentUser) -> list[TodoItem | None]:
    rows = await _BUYER_PAYMENTS(user.organization_id or 0, PaymentStatus.REQUESTED)
    return [
        _item(
            "payments_to_approve",
            _("待审核的拨付申请"),
            _payment_entries(rows, _("核对评估报告后审核")),
            "/bureau/payments",
            _("待拨付款项"),
            hint=_("款项应在付款条件达成后 30 日内支付（《保障中小企业款项支付条例》）。"),
        )
    ]


async def _finance_payment_items(user: CurrentUser) -> list[TodoItem | None]:
    second = get_settings().payment_second_approval
    ready = PaymentStatus.CHECKED if second else PaymentStatus.APPROVED
    org_id = user.organization_id or 0
    items = [
        _item(
            "payments_to_release",
            _("待拨付的款项"),
            _payment_entries(await _BUYER_PAYMENTS(org_id, ready), _("已审核，请拨付并填写凭证号")),
            "/bureau/payments",
            _("待拨付款项"),
            hint=_("款项应在付款条件达成后 30 日内支付（《保障中小企业款项支付条例》）。"),
        )
    ]
    if second:
        to_check = await _BUYER_PAYMENTS(org_id, PaymentStatus.APPROVED)
        items.append(
            _item(
                "payments_to_check",
                _("待财务复核的款项"),
                _payment_entries(to_check, _("经办人已审核，请复核")),
                "/bureau/payments",
                _("待拨付款项"),
            )
        )
    return items


# --------------------------------------------------------------------------- registration


async def provider_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    return [
        *await _staffing_items(user),
        *await _provider_assessment_items(user),
        *await _provider_payment_items(user),
    ]


async def officer_items(user: CurrentUser) -> Sequence[TodoItem | None]:
    return [
        *await _staffing_items(user),
        *await _officer_assessment_items(user),
        *await _officer_payment_items(user),
    ]


def register() -> None:
    """Called from the package's ``subscribe``, after ``contracts.dashboard.register``."""
    dashboard_items.register(Role.ORG_MEMBER, provider_items)
    dashboard_items.register(Role.OFFICER, officer_items)
    dashboard_items.register(Role.FINANCE, _finance_payment_items)
    dashboard_items.register(Role.EVALUATOR, _evaluator_items)
