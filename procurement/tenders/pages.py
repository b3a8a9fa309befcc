"""Web pages of tenders for the bureau (项目列表, the long tender form, the
tender's own page with its actions) and for social organizations (可投标项目).

Thin: each handler parses, calls one service and renders. The long form's flat
fields become ``TenderIn`` in ``tenders.forms``; a refused form comes back with
status 422, every value kept and each error beside its input.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, URLEncodedBody
from litestar.response import Response
from pydantic import ValidationError as PydanticValidationError

from procurement.accounts import services as accounts
from procurement.accounts.states import OrgKind, Role
from procurement.catalogue import services as catalogue
from procurement.catalogue.states import CATEGORY_LABELS
from procurement.core import clock, public_pages
from procurement.core.api import Id
from procurement.core.errors import ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.storage import content_disposition
from procurement.core.web import (
    current_user,
    field_errors_from_pydantic,
    page,
    parse_form,
    redirect,
    require_user,
    uploaded_bytes,
)
from procurement.settings import get_settings
from procurement.tenders import files, form_check, forms, services
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
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
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


_SECTION_HEADING = re.compile("^[一二三四五六七八九十]+、")  # i18n: data (a pattern of numbered headings)


def notice_paragraphs(text: str) -> list[dict[str, Any]]:
    """Plain-text notice -> one paragraph per line; 一、二、… lines read as headings
    (the same reading as the portal's notice page)."""
    return [
        {"text": line, "heading": bool(_SECTION_HEADING.match(line))}
        for line in (raw.strip() for raw in text.splitlines())
        if line
    ]


async def validated(
    model: type[TenderInT], parsed: forms.TenderForm, *, buyer_id: int | None, amending: bool = False
) -> TenderInT:
    """The form's input as ``model``, or one refusal with every error at once: the input
    errors (pydantic, unreadable amounts) and the legal rules checked on the rest
    (``tenders.form_check``), so that nobody fixes the form in two passes."""
    exc: PydanticValidationError | None = None
    try:
        payload = model.model_validate(parsed.data)
    except PydanticValidationError as error:
        exc = error
    if exc is None and not parsed.errors:
        return payload
    input_errors = {**(field_errors_from_pydantic(exc) if exc else {}), **parsed.errors}
    stand_in, suppressed = form_check.repaired(TenderIn, _without_note(parsed.data), exc, parsed.errors)
    if isinstance(stand_in, TenderIn):
        rules_broken = await services.check_tender(stand_in, buyer_id=buyer_id, timeline=not amending)
        input_errors = form_check.merged(input_errors, rules_broken, suppressed)
    raise ValidationFailed(field_errors=input_errors)


def _without_note(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "change_note"}


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
    for _label, at in steps:
        if at is not None and at > now:
            public_pages.changes_at(at)  # the date turns past
    ordered = sorted(steps, key=lambda s: (s[1] is None, s[1] or now))
    return [{"label": label, "at": at, "past": at is not None and at <= now} for label, at in ordered]


async def tender_page_context(user, tender_id: int) -> dict[str, Any]:
    """What the public and the bureau tender pages both show."""
    tender, notices = await services.tender_page(user, tender_id)
    member = user is not None and user.role == Role.ORG_MEMBER and user.organization_id is not None
    return {
        "tender": tender,
        # A member sees when its organization obtained the documents (its 质疑 period runs from then).
        "obtained_on": await services.documents_obtained_on(tender_id, user.organization_id) if member else None,
        "notices": notices,
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
            "calendar": await services.calendar_for_form(),
            "calendar_notes": {"blockers": {}, "warnings": {}},
        }

    def _render_form(self, request: Request, context: dict[str, Any], form: dict[str, Any]) -> Response:
        return page(
            request,
            "procurement/tenders/form.html",
            {**context, "form": form, "open_rows": forms.filled_rows(form), "weights": forms.weight_total(form)},
        )

    @get("/new")
    async def new(self, request: Request) -> Response:
        user = require_user(request, Role.OFFICER)
        contact = await services.buyer_contact_form(user.organization_id)
        return self._render_form(request, await self._form_context("new"), forms.blank_form(contact))

    @post("/new")
    async def create(self, request: Request, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            parsed = forms.tender_form_to_input(data)
            try:
                checked = await validated(TenderIn, parsed, buyer_id=user.organization_id)
                tender = await services.create_tender(user, checked)
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
            return {**ctx, "open_rows": forms.filled_rows(data), "weights": forms.weight_total(data)}

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
        context = await self._form_context(mode, tender)
        if mode == "edit":  # as if published now: the years not entered, the deadlines on a day off
            context["calendar_notes"] = await services.calendar_notes(current)
        return self._render_form(request, context, forms.input_to_form(current))

    @post("/{tender_id:int}/edit")
    async def update(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)
        tender = await services.get_tender(user, tender_id)
        amending = "amend" in tender.allowed_actions

        async def action() -> Response:
            parsed = forms.tender_form_to_input(data)
            try:
                if amending:
                    changed = await services.amend_tender(
                        user, tender_id, await validated(AmendTenderIn, parsed, buyer_id=tender.buyer_id, amending=True)
                    )
                else:
                    checked = await validated(TenderIn, parsed, buyer_id=tender.buyer_id)
                    changed = await services.update_tender(user, tender_id, checked)
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
        return {**ctx, "org_names": orgs, "max_file_mb": get_settings().max_file_mb}

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

    @post("/{tender_id:int}/files")
    async def attach_file(self, request: Request, tender_id: Id, data: Multipart) -> Response:
        """Attach the full 招标文件 (one file per submit, no JavaScript needed)."""
        user = require_user(request)
        chosen = data.get("file")
        chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen

        async def action() -> Response:
            if not isinstance(chosen, UploadFile) or not chosen.filename:
                raise ValidationFailed(field_errors={"file": _("请选择要上传的招标文件（PDF 或 DOCX）。")})
            content = await uploaded_bytes(chosen)
            try:
                attached = await files.attach_file(user, tender_id, chosen.filename, content)
            except ValidationFailed as exc:  # shown beside the upload field
                raise ValidationFailed(exc.message, field_errors=exc.field_errors or {"file": exc.message}) from None
            return redirect(
                f"/bureau/tenders/{tender_id}#files",
                _("已附上招标文件「{name}」，SHA-256：{sha}").format(name=attached.name, sha=attached.sha256),
            )

        return await self._act(request, tender_id, {"_action": "file"}, action)

    @post("/{tender_id:int}/files/{file_id:int}/remove")
    async def remove_file(self, request: Request, tender_id: Id, file_id: Id) -> Response:
        user = require_user(request)

        async def action() -> Response:
            name = await files.remove_file(user, tender_id, file_id)
            return redirect(f"/bureau/tenders/{tender_id}#files", _("已删除招标文件「{name}」。").format(name=name))

        return await self._act(request, tender_id, {"_action": "file"}, action)

    @post("/{tender_id:int}/questions/{question_id:int}/answer")
    async def answer(self, request: Request, tender_id: Id, question_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            answer = parse_form(AnswerIn, {k: v for k, v in data.items() if k == "answer"}).answer
            if data.get("confirmed") != "1":
                # Public and final: the officer first reads the 澄清公告 as the public will.
                preview = await services.preview_answer(user, question_id, answer)
                return page(
                    request,
                    "procurement/tenders/answer_preview.html",
                    {
                        "preview": preview,
                        "paragraphs": notice_paragraphs(preview.content),
                        "tender": await services.get_tender(user, tender_id),
                        "page_title": _("预览澄清公告"),
                    },
                )
            tender = await services.answer_question(user, question_id, answer)
            return redirect(f"/bureau/tenders/{tender.id}#q-{question_id}", _("答复已作为澄清公告在门户公开。"))

        return await self._act(request, tender_id, {**data, "_question": str(question_id)}, action)


class TenderFilePages(Controller):
    """The attached 招标文件 as the public notice links it (no login needed once published)."""

    path = "/tenders"
    include_in_schema = False

    @get("/{tender_id:int}/files/{file_id:int}")
    async def download(self, request: Request, tender_id: Id, file_id: Id) -> Response:
        name, mime, content = await files.download_file(current_user(request), tender_id, file_id)
        return Response(content, media_type=mime, headers={"Content-Disposition": content_disposition(name)})


class OrgTenderPages(Controller):
    path = "/org/tenders"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        user = require_user(request, Role.ORG_MEMBER)
        tenders = await services.list_tenders(user, open_only=True, limit=200)
        return page(request, "procurement/tenders/org_list.html", {"tenders": tenders})
