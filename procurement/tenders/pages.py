"""Web pages of tenders for the bureau (项目列表, the long tender form, the
tender's own page with its actions) and for social organizations (可投标项目).

Thin: each handler parses, calls one service and renders. The long form's flat
fields become ``TenderIn`` in ``tenders.forms``; a refused form comes back with
status 422, every value kept and each error beside its input.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Response

from procurement.accounts import services as accounts
from procurement.accounts.states import OrgKind, Role
from procurement.catalogue import services as catalogue
from procurement.catalogue.states import CATEGORY_LABELS
from procurement.core import clock
from procurement.core.api import Id
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.web import page, parse_form, redirect, require_user
from procurement.tenders import forms, services
from procurement.tenders.schemas import (
    EVALUATION_GRADE_LABELS,
    EVALUATION_METHOD_LABELS,
    GATE_LABELS,
    REGISTRATION_TYPE_LABELS,
    WORKER_LEVEL_LABELS,
    AmendTenderIn,
    AnswerIn,
    CancelTenderIn,
    CriterionKind,
    Grade,
    TenderIn,
    TenderOut,
)
from procurement.tenders.states import METHOD_LABELS, NOTICE_TYPE_LABELS

Form = URLEncodedBody[dict[str, Any]]
TenderInT = TypeVar("TenderInT", bound=TenderIn)

STEP_NAMES = Labels(
    {
        1: N_("基本信息"),
        2: N_("标段与预算"),
        3: N_("资格与团队要求"),
        4: N_("评审办法"),
        5: N_("付款与合同"),
        6: N_("时间安排"),
    }
)
FORM_TITLES = Labels({"new": N_("新建采购项目"), "edit": N_("修改草稿"), "amend": N_("发布更正公告")})
LABELS: dict[str, Any] = {
    "method": METHOD_LABELS,
    "category": CATEGORY_LABELS,
    "notice_type": NOTICE_TYPE_LABELS,
    "registration": REGISTRATION_TYPE_LABELS,
    "worker_level": WORKER_LEVEL_LABELS,
    "evaluation_method": EVALUATION_METHOD_LABELS,
    "gate": GATE_LABELS,
    "grade": EVALUATION_GRADE_LABELS,
    "org_grade": {g.value: g.value for g in Grade},
    "criterion_kind": Labels({CriterionKind.OBJECTIVE: N_("客观分"), CriterionKind.SUBJECTIVE: N_("主观分")}),
}


async def show_again_when_invalid(
    request: Request,
    template: str,
    form: dict[str, Any],
    action: Callable[[], Awaitable[Response]],
    context: Callable[[], Awaitable[dict[str, Any]]],
) -> Response:
    """Run the page's one service call; when the input is refused (422), render
    the same page again with the values and each field's error. Any other
    refusal (403, 404, 409) goes to the error page as usual."""
    try:
        return await action()
    except ValidationFailed as exc:
        joined = "；".join(exc.field_errors.values())
        return page(
            request,
            template,
            {
                **await context(),
                "form": forms.for_display(form),
                "errors": exc.field_errors,
                "message": exc.message if exc.message != joined else None,
                "error_summary": forms.error_summary(exc.field_errors),
            },
            status_code=exc.status_code,
        )


def validated(model: type[TenderInT], parsed: forms.TenderForm) -> TenderInT:
    """parse_form over the nested data; unreadable amounts are reported with the other errors."""
    try:
        payload = parse_form(model, parsed.data)
    except ValidationFailed as exc:
        raise ValidationFailed(field_errors={**exc.field_errors, **parsed.errors}) from None
    if parsed.errors:
        raise ValidationFailed(field_errors=parsed.errors)
    return payload


def timeline(tender: TenderOut) -> list[dict[str, Any]]:
    """The tender's dates in the order they fall (dates not set yet last)."""
    steps = [
        (N_("公告发布"), tender.published_at),
        (N_("文件提供截止"), tender.documents_until),
        (N_("答疑截止"), tender.clarification_deadline),
        (N_("投标截止"), tender.bid_deadline),
        (N_("开标时间"), tender.opening_at),
    ]
    now = clock.now()
    ordered = sorted(steps, key=lambda s: (s[1] is None, s[1] or now))
    return [{"label": label, "at": at, "past": at is not None and at <= now} for label, at in ordered]


async def tender_page_context(user, tender_id: int) -> dict[str, Any]:
    """What the public and the bureau tender pages both show."""
    tender = await services.get_tender(user, tender_id)
    return {
        "tender": tender,
        "notices": await services.notices_for_tender(tender_id),
        "labels": LABELS,
        "answered": [q for q in tender.questions if q.answered_at],
        "timeline": timeline(tender),
        "page_title": tender.title,
    }


class BureauTenderPages(Controller):
    path = "/bureau/tenders"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        user = require_user(request, Role.OFFICER, Role.FINANCE)
        tenders = await services.list_tenders(user, mine=True, limit=200)
        return page(request, "procurement/tenders/bureau_list.html", {"tenders": tenders})

    # ------------------------------------------------------------------ the long form

    async def _form_context(self, mode: str, tender=None) -> dict[str, Any]:
        orgs = await accounts.organization_choices(kind=OrgKind.SOCIAL_ORG, active_only=True)
        items = await catalogue.list_items()
        return {
            "mode": mode,
            "tender": tender,
            "labels": LABELS,
            "social_orgs": orgs,
            "catalogue_items": [(i.id, f"{i.code} {i.name}（{i.category_label}）") for i in items],
            "rows": {"lots": forms.LOT_ROWS, "criteria": forms.CRITERION_ROWS, "payments": forms.INSTALLMENT_ROWS},
            "action": f"/bureau/tenders/{tender.id}/edit" if tender else "/bureau/tenders/new",
            "page_title": FORM_TITLES[mode],
            "step_names": STEP_NAMES,
        }

    def _render_form(self, request: Request, context: dict[str, Any], form: dict[str, Any]) -> Response:
        return page(
            request, "procurement/tenders/form.html", {**context, "form": form, "open_rows": forms.filled_rows(form)}
        )

    @get("/new")
    async def new(self, request: Request) -> Response:
        require_user(request, Role.OFFICER)
        return self._render_form(request, await self._form_context("new"), forms.blank_form())

    @post("/new")
    async def create(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            parsed = forms.tender_form_to_input(data)
            try:
                tender = await services.create_tender(user, validated(TenderIn, parsed))
            except ValidationFailed as exc:
                raise parsed.refusal(exc) from None
            return redirect(
                f"/bureau/tenders/{tender.id}",
                _("已保存草稿（项目编号 {ref}）。检查无误后即可发布。").format(ref=tender.reference_no),
            )

        return await self._submit(request, data, action, "new", None)

    async def _submit(self, request, data, action, mode, tender) -> Response:
        async def context() -> dict[str, Any]:
            ctx = await self._form_context(mode, tender)
            return {**ctx, "open_rows": forms.filled_rows(data)}

        return await show_again_when_invalid(request, "procurement/tenders/form.html", data, action, context)

    @get("/{tender_id:int}/edit")
    async def edit(self, request: Request, tender_id: Id) -> Response:
        user = require_user(request)
        current = await services.tender_input(user, tender_id)
        tender = await services.get_tender(user, tender_id)
        if "amend" not in tender.allowed_actions and "update" not in tender.allowed_actions:
            return redirect(
                f"/bureau/tenders/{tender_id}",
                _("项目当前状态为「{status}」，不能修改。").format(status=tender.status_label),
                "error",
            )
        mode = "amend" if "amend" in tender.allowed_actions else "edit"
        return self._render_form(request, await self._form_context(mode, tender), forms.input_to_form(current))

    @post("/{tender_id:int}/edit")
    async def update(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)
        tender = await services.get_tender(user, tender_id)
        amending = "amend" in tender.allowed_actions

        async def action() -> Response:
            parsed = forms.tender_form_to_input(data)
            try:
                if amending:
                    changed = await services.amend_tender(user, tender_id, validated(AmendTenderIn, parsed))
                else:
                    changed = await services.update_tender(user, tender_id, validated(TenderIn, parsed))
            except ValidationFailed as exc:
                raise parsed.refusal(exc) from None
            message = (
                _("更正公告已发布（第 {version} 版）。").format(version=changed.version)
                if amending
                else _("草稿已保存。")
            )
            return redirect(f"/bureau/tenders/{tender_id}", message)

        return await self._submit(request, data, action, "amend" if amending else "edit", tender)

    # ------------------------------------------------------------------ the tender's page

    async def _detail_context(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = require_user(request)
        ctx = await tender_page_context(user, tender_id)
        orgs = {o["id"]: o["name"] for o in await accounts.organization_choices()}
        return {**ctx, "org_names": orgs}

    @get("/{tender_id:int}")
    async def detail(self, request: Request, tender_id: Id) -> Response:
        require_user(request, Role.OFFICER, Role.FINANCE, Role.ADMIN)
        return page(request, "procurement/tenders/bureau_detail.html", await self._detail_context(request, tender_id))

    async def _act(self, request: Request, tender_id: int, form: dict[str, Any], action) -> Response:
        return await show_again_when_invalid(
            request,
            "procurement/tenders/bureau_detail.html",
            form,
            action,
            lambda: self._detail_context(request, tender_id),
        )

    @post("/{tender_id:int}/publish")
    async def publish(self, request: Request, tender_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            tender = await services.publish_tender(user, tender_id)
            return redirect(
                f"/bureau/tenders/{tender_id}", _("「{title}」已发布，公告已在门户公开。").format(title=tender.title)
            )

        return await self._act(request, tender_id, {}, action)

    @post("/{tender_id:int}/retender")
    async def retender(self, request: Request, tender_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            draft = await services.retender(user, tender_id)
            return redirect(
                f"/bureau/tenders/{draft.id}/edit", _("已按原项目内容创建新的草稿，请设定新的时间安排后发布。")
            )

        return await self._act(request, tender_id, {}, action)

    @post("/{tender_id:int}/cancel")
    async def cancel(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            reason = parse_form(CancelTenderIn, data).reason
            tender = await services.cancel_tender(user, tender_id, reason)
            return redirect(f"/bureau/tenders/{tender_id}", _("「{title}」已终止。").format(title=tender.title))

        return await self._act(request, tender_id, {**data, "_action": "cancel"}, action)

    @post("/{tender_id:int}/questions/{question_id:int}/answer")
    async def answer(self, request: Request, tender_id: Id, question_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            answer = parse_form(AnswerIn, data).answer
            tender = await services.answer_question(user, question_id, answer)
            return redirect(f"/bureau/tenders/{tender.id}#questions", _("答复已公开。"))

        return await self._act(request, tender_id, {**data, "_question": str(question_id)}, action)


class OrgTenderPages(Controller):
    path = "/org/tenders"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        tenders = await services.list_tenders(user, open_only=True, limit=200)
        return page(request, "procurement/tenders/org_list.html", {"tenders": tenders})
