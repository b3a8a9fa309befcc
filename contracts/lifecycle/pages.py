"""Pages of a contract's life (issue 12 §8): the contract list with its filters, the
contract page with its tabs, the signing confirmation, and the forms that each call
one service (draft, sign, paper signing, notice, filing, suspend, resume, terminate).

Thin: parse the form, call one service, redirect with a message; a refusal shows the
same page again with the message in Chinese (``form_action``)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter, URLEncodedBody
from litestar.response import Response

from contracts.assessments import services as assessment_services
from contracts.assessments import survey as survey_services
from contracts.assessments.schemas import AssignIn, SurveyCodesIn
from contracts.assessments.states import STAGE_LABELS
from contracts.changes import services as change_services
from contracts.changes.documents import term_text
from contracts.delivery import services as delivery_services
from contracts.lifecycle import document, ending, signing, views
from contracts.lifecycle import services as contracts
from contracts.lifecycle.document_routes import pdf_answer
from contracts.lifecycle.schemas import (
    BondRefundIn,
    ContractDraftIn,
    ContractOut,
    FilingIn,
    GroundIn,
    OfflineSigningIn,
    TerminateIn,
)
from contracts.lifecycle.states import CONTRACT_TABLE, ContractStatus
from contracts.payments import services as payment_services
from contracts.staffing import services as staffing_services
from procurement.accounts import services as accounts
from procurement.accounts.schemas import OrgKind
from procurement.core import clock
from procurement.core.actors import Role
from procurement.core.api import Id
from procurement.core.auth import CurrentUser
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.web import checkbox, fen_field, form_action, page, parse_form, redirect, require_user, yuan_field

Form = URLEncodedBody[dict[str, Any]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

LIST = "contracts/list.html"
CONTRACT = "contracts/contract.html"
SIGN = "contracts/sign.html"

TABS = Labels(
    {
        "overview": N_("概况"),
        "document": N_("合同文本"),
        "changes": N_("变更"),
        "reports": N_("履约报告"),
        "team": N_("团队"),
        "evaluations": N_("评估"),
        "payments": N_("拨付"),
    }
)
GROUNDS = Labels({"consent": N_("双方协商一致（服务机构同意）"), "legal": N_("法定事由")})
STATUS_KIND = {
    "draft": "muted",
    "awaiting_signatures": "warning",
    "active": "success",
    "suspended": "warning",
    "completed": "info",
    "terminated": "danger",
    "voided": "muted",
}


def _days_left(contract: ContractOut) -> int:
    return (contract.signing_deadline - clock.today_local()).days


async def _contract_context(request: Request, contract_id: int, tab: str = "overview") -> dict[str, Any]:
    user = require_user(request)
    contract = await contracts.get_contract(user, contract_id)
    tab = tab if tab in TABS.source() else "overview"
    changes = []
    if tab == "changes":  # the history, each difference as people read it (old and new side by side)
        for change in await change_services.list_changes(user, contract_id):
            rows = [(d.field_label, term_text(d.field, d.old), term_text(d.field, d.new)) for d in change.diff]
            changes.append((change, rows))
    progress = await delivery_services.progress(user, contract_id) if tab == "reports" else None
    team = await staffing_services.get_team(user, contract_id) if tab == "team" else None
    evaluations = await _evaluations_context(user, contract) if tab == "evaluations" else {}
    payments = await payment_services.list_installments(user, contract_id) if tab == "payments" else None
    return {
        **evaluations,
        "payments": payments,
        "changes": changes,
        "progress": progress,
        "team": team,
        "contract": contract,
        "versions": await document.frozen_versions(user, contract_id),
        "tab": tab,
        "tabs": [(key, TABS[key]) for key in TABS.source()],
        "grounds": [(key, GROUNDS[key]) for key in GROUNDS.source()],
        "status_kind": STATUS_KIND,
        "days_left": _days_left(contract),
        "is_buyer": user.organization_id == contract.buyer_id,
        "is_provider": user.organization_id == contract.provider_id,
        "unsigned": contract.status in (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES),
        "amount_yuan": yuan_field(contract.amount_fen),
        "page_title": contract.title,
    }


async def _evaluations_context(user: CurrentUser, contract: ContractOut) -> dict[str, Any]:
    """The 评估 tab: the contract's evaluations and, for the buyer's officer, the choices of
    the assignment form (the registered evaluation agencies, the stages, the indicator
    systems) and the survey codes issued so far."""
    listed = await assessment_services.list_assessments(user, contract.id)
    officer = user.role == Role.OFFICER and user.organization_id == contract.buyer_id
    context: dict[str, Any] = {"evaluations": listed.items, "may_assign": officer}
    if officer:
        agencies = await accounts.organization_choices(kind=OrgKind.AGENCY, active_only=True)
        systems = (await assessment_services.list_indicator_systems(user)).items
        codes = await survey_services.list_codes(user, contract.id)
        context |= {
            "agencies": [(str(a["id"]), a["name"]) for a in agencies],
            "stages": [(key, STAGE_LABELS[key]) for key in STAGE_LABELS.source()],
            "systems": [
                (str(s.id), _("{name}（第 {version} 版）").format(name=s.name, version=s.version))
                for s in systems
                if s.latest
            ],
            "codes_issued": len(codes.issued),
            "codes_unused": sum(1 for c in codes.issued if not c.used),
        }
    return context


def _draft_input(form: dict[str, Any], contract: ContractOut, provider: bool) -> ContractDraftIn:
    """The buyer's or the provider's part of the draft form as the service's input."""
    if provider:
        fields = ("provider_address", "provider_legal_rep", "provider_bank_name", "provider_bank_account")
        return parse_form(ContractDraftIn, {k: form.get(k, "") for k in fields})
    errors: dict[str, str] = {}
    indicators = []
    for n, indicator in enumerate(contract.indicators):
        raw = str(form.get(f"target_{n}", "") or "").strip()
        target: int | None = None
        if raw:
            if not raw.isdigit() or int(raw) < 1:
                errors[f"target_{n}"] = _("目标值须为正整数。")
            else:
                target = int(raw)
        indicators.append({"name": indicator.name, "unit": indicator.unit, "target": target})
    amount = fen_field(form.get("amount"), "amount", errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    values: dict[str, Any] = {
        "delivery_place": form.get("delivery_place", ""),
        "service_content": form.get("service_content", ""),
        "indicators": indicators,
        "confirm_provider_details": checkbox(form.get("confirm_provider_details")),
    }
    if amount is not None:
        values["amount_fen"] = amount
    return parse_form(ContractDraftIn, values)


class ContractPages(Controller):
    include_in_schema = False

    @get("/contracts")
    async def list_contracts(
        self,
        request: Request,
        status: str | None = Parameter(default=None, max_length=30),
        overdue_signing: bool = Parameter(default=False),
        overdue_reports: bool = Parameter(default=False),
    ) -> Response:
        """The filters: status, unsigned past the 30 days (rule 28), reports overdue."""
        user = require_user(request)
        found = await contracts.list_contracts(
            user,
            status=status if status in ContractStatus.__members__.values() else None,
            overdue_signing=overdue_signing,
        )
        late_reports = await delivery_services.overdue_counts([c.id for c in found])
        if overdue_reports:
            found = [c for c in found if late_reports.get(c.id)]
        statuses = [(s.value, CONTRACT_TABLE.staff_label(s.value)) for s in ContractStatus]
        return page(
            request,
            LIST,
            {
                "contracts": found,
                "statuses": statuses,
                "status": status or "",
                "overdue_signing": overdue_signing,
                "overdue_reports": overdue_reports,
                "late_reports": late_reports,
                "status_kind": STATUS_KIND,
                "today": clock.today_local(),
                "todo": await views.contract_todo(user),
                "to_draft": await views.awards_to_draft(user),
                "page_title": _("合同"),
            },
        )

    @post("/contracts/new")
    async def create(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            raw = str(data.get("award_id", "") or "")
            if not raw.isdigit():
                raise ValidationFailed(_("请选择要起草合同的中标结果。"))
            contract = await contracts.create_contract_from_award(user, int(raw))
            return redirect(f"/contracts/{contract.id}", _("已根据中标结果起草合同，请完善草稿。"))

        listed = await contracts.list_contracts(user)
        context = {
            "contracts": listed,
            "late_reports": await delivery_services.overdue_counts([c.id for c in listed]),
            "statuses": [],
            "status_kind": STATUS_KIND,
            "page_title": _("合同"),
        }
        return await form_action(request, LIST, data, action, context)

    @get("/contracts/{contract_id:int}")
    async def show(self, request: Request, contract_id: Id, tab: str = Parameter(default="overview")) -> Response:
        return page(request, CONTRACT, await _contract_context(request, contract_id, tab))

    @get("/contracts/{contract_id:int}/document.pdf")
    async def pdf(self, request: Request, contract_id: Id) -> Response:
        return await pdf_answer(request, contract_id)

    @post("/contracts/{contract_id:int}/draft")
    async def draft(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)
        contract: ContractOut = context["contract"]

        async def action() -> Response:
            provider = user.organization_id == contract.provider_id
            await contracts.update_draft(user, contract_id, _draft_input(data, contract, provider))
            return redirect(f"/contracts/{contract_id}", _("合同草稿已保存。"))

        return await form_action(request, CONTRACT, {**data, "_form": "draft"}, action, context)

    @get("/contracts/{contract_id:int}/sign")
    async def sign_form(self, request: Request, contract_id: Id) -> Response:
        context = await _contract_context(request, contract_id)
        return page(request, SIGN, {**context, "page_title": _("签署合同")})

    @post("/contracts/{contract_id:int}/sign")
    async def sign(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            raw = str(data.get("version", "") or "")
            if not raw.isdigit():
                raise ValidationFailed(_("请确认所签署的合同版本。"))
            done = await signing.sign_contract(user, contract_id, int(raw))
            message = _("合同已生效。") if done.status == ContractStatus.ACTIVE else _("已签署，等待对方签署。")
            return redirect(f"/contracts/{contract_id}", message)

        return await form_action(request, SIGN, data, action, {**context, "page_title": _("签署合同")})

    @post("/contracts/{contract_id:int}/offline-signing")
    async def offline(self, request: Request, contract_id: Id, data: Multipart) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)
        form = {k: v for k, v in data.items() if isinstance(v, str)}

        async def action() -> Response:
            chosen = data.get("scan")
            chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen
            if not (isinstance(chosen, UploadFile) and chosen.filename):
                raise ValidationFailed(field_errors={"scan": _("请选择签字盖章后的合同扫描件。")})
            content = base64.b64encode(await chosen.read()).decode()
            payload = parse_form(
                OfflineSigningIn,
                {"version": context["contract"].version, "filename": chosen.filename, "content_base64": content},
            )
            await signing.record_offline_signing(user, contract_id, payload)
            return redirect(f"/contracts/{contract_id}", _("已登记线下签订，合同已生效。"))

        return await form_action(request, CONTRACT, {**form, "_form": "offline"}, action, context)

    @post("/contracts/{contract_id:int}/notice")
    async def notice(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            await signing.publish_contract_notice(user, contract_id)
            return redirect(f"/contracts/{contract_id}", _("合同公告已发布。"))

        return await form_action(request, CONTRACT, {**data, "_form": "notice"}, action, context)

    @post("/contracts/{contract_id:int}/filing")
    async def filing(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            await signing.record_filing(
                user, contract_id, parse_form(FilingIn, {"reference": data.get("reference", "")})
            )
            return redirect(f"/contracts/{contract_id}", _("已登记合同备案。"))

        return await form_action(request, CONTRACT, {**data, "_form": "filing"}, action, context)

    @post("/contracts/{contract_id:int}/performance-bond/refund")
    async def refund_bond(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            await ending.record_bond_refund(
                user, contract_id, parse_form(BondRefundIn, {"voucher_no": data.get("voucher_no", "")})
            )
            return redirect(f"/contracts/{contract_id}", _("已登记退还履约保证金。"))

        return await form_action(request, CONTRACT, {**data, "_form": "bond-refund"}, action, context)

    @post("/contracts/{contract_id:int}/suspend")
    async def suspend(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            ground = parse_form(GroundIn, {"ground": data.get("ground", ""), "reason": data.get("reason", "")})
            await ending.suspend_contract(user, contract_id, ground)
            return redirect(f"/contracts/{contract_id}", _("合同已中止。"))

        return await form_action(request, CONTRACT, {**data, "_form": "suspend"}, action, context)

    @post("/contracts/{contract_id:int}/resume")
    async def resume(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            await ending.resume_contract(user, contract_id)
            return redirect(f"/contracts/{contract_id}", _("合同已恢复履行。"))

        return await form_action(request, CONTRACT, {**data, "_form": "resume"}, action, context)

    @post("/contracts/{contract_id:int}/terminate")
    async def terminate(self, request: Request, contract_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await _contract_context(request, contract_id)

        async def action() -> Response:
            errors: dict[str, str] = {}
            settlement = fen_field(data.get("settlement"), "settlement", errors)
            if settlement is None and "settlement" not in errors:
                errors["settlement"] = _("请填写结算金额（元）。")
            if errors:
                raise ValidationFailed(field_errors=errors)
            values = {"ground": data.get("ground", ""), "reason": data.get("reason", ""), "settlement_fen": settlement}
            await ending.terminate_contract(user, contract_id, parse_form(TerminateIn, values))
            return redirect(f"/contracts/{contract_id}", _("合同已解除，解除公告已发布。"))

        return await form_action(request, CONTRACT, {**data, "_form": "terminate"}, action, context)

    @post("/contracts/{contract_id:int}/evaluations")
    async def assign_evaluation(self, request: Request, contract_id: Id, data: Form) -> Response:
        """The buyer's officer commissions an evaluation agency from the 评估 tab."""
        user = require_user(request)
        context = await _contract_context(request, contract_id, "evaluations")

        async def action() -> Response:
            values = {
                "agency_id": str(data.get("agency_id") or "").strip() or None,
                "stage": data.get("stage", ""),
                "due_on": str(data.get("due_on") or "").strip() or None,
                "system_id": str(data.get("system_id") or "").strip() or None,
            }
            made = await assessment_services.assign_evaluation(user, contract_id, parse_form(AssignIn, values))
            return redirect(
                f"/contracts/{contract_id}?tab=evaluations",
                _("已委托{agency}开展{stage}，应于 {day} 前完成。").format(
                    agency=made.agency_name, stage=made.stage_label, day=made.due_on.isoformat()
                ),
            )

        return await form_action(request, CONTRACT, {**data, "_form": "assign"}, action, context)

    @post("/contracts/{contract_id:int}/survey-codes")
    async def issue_survey_codes(self, request: Request, contract_id: Id, data: Form) -> Response:
        """The buyer's officer issues one-time survey codes and gets their printable QR sheet."""
        user = require_user(request)
        context = await _contract_context(request, contract_id, "evaluations")

        async def action() -> Response:
            count = parse_form(SurveyCodesIn, {"count": str(data.get("count") or "").strip() or None})
            issued = await survey_services.issue_codes(user, contract_id, count)
            return redirect(
                f"/contracts/{contract_id}/survey-codes/sheet",
                _("已发放 {n} 个问卷码，请打印问卷卡。").format(n=len(issued.issued)),
            )

        return await form_action(request, CONTRACT, {**data, "_form": "codes"}, action, context)
