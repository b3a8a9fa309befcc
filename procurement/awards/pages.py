"""Web pages of 定标 and what follows: the bureau's award page (choices, notice,
letters, 质疑 and 投诉 answers), the bidder's result page (own scores and
rank, 质疑, 投诉) and an organization's 质疑 page for a tender (every kind it
may file, each with its period; the way in for an organization that obtained
the documents without bidding).

Thin: each handler parses the form, calls one service and renders; a refusal
shows the same page again with the message (``form_action``). The per-lot
radios and 公益创投 checkboxes become the services' input models here.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, URLEncodedBody
from litestar.response import Response

from procurement.accounts.states import Role
from procurement.awards import challenges, documents, refusals
from procurement.awards import services as awards
from procurement.awards.schemas import (
    AnswerIn,
    AwardChoiceIn,
    ChallengeIn,
    ComplaintDecisionIn,
    ComplaintIn,
    WinnerRefusalIn,
)
from procurement.awards.states import CHALLENGE_OUTCOME_LABELS, REFUSAL_KIND_LABELS
from procurement.bids import services as bids
from procurement.core import clock
from procurement.core.api import Id
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import _
from procurement.core.web import (
    checkbox,
    fen_field,
    form_action,
    page,
    parse_form,
    pdf_response,
    redirect,
    require_user,
    uploaded_bytes,
    yuan_field,
)
from procurement.evaluation import ranking
from procurement.evaluation.pages import LABELS as EVALUATION_LABELS
from procurement.evaluation.schemas import RankingOut
from procurement.tenders import services as tenders
from procurement.tenders.states import TenderStatus

Form = URLEncodedBody[dict[str, Any]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

LABELS: dict[str, Any] = {**EVALUATION_LABELS, "outcome": CHALLENGE_OUTCOME_LABELS, "refusal": REFUSAL_KIND_LABELS}
STAFF = (Role.OFFICER, Role.FINANCE, Role.ADMIN)
AWARDED = (TenderStatus.AWARDED,)


# --------------------------------------------------------------------------- form <-> input


def challenge_form_to_input(form: dict[str, Any], documents_in: list[dict[str, str]]) -> ChallengeIn:
    """The select ``period`` holds ``kind`` or ``kind/step`` (one option per open period)."""
    kind, _sep, step = str(form.get("period", "") or "").partition("/")
    try:
        return parse_form(
            ChallengeIn,
            {"kind": kind or "", "step": step, "grounds": form.get("grounds", ""), "documents": documents_in},
        )
    except ValidationFailed as exc:  # the kind and step are one field on the page
        errors = {("period" if k in ("kind", "step") else k): v for k, v in exc.field_errors.items()}
        raise ValidationFailed(exc.message, field_errors=errors) from None


async def _uploaded(chosen: Any) -> list[dict[str, str]]:
    """The one optional file of the 质疑 form, as the service's document input."""
    chosen = chosen[0] if isinstance(chosen, list) and chosen else chosen
    if not (isinstance(chosen, UploadFile) and chosen.filename):
        return []
    raw = await uploaded_bytes(chosen)
    if not raw:
        raise ValidationFailed(field_errors={"file": _("所选文件是空的，请重新选择。")})
    return [{"name": chosen.filename[:200], "content_base64": base64.b64encode(raw).decode("ascii")}]


async def file_from_form(user: Any, tender_id: int, data: dict[str, Any]) -> Any:
    """File a 质疑 from the multipart form; a refused field is named beside its control."""
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    try:
        filed = challenge_form_to_input(form, await _uploaded(data.get("file")))
        return await challenges.file_challenge(user, tender_id, filed)
    except ValidationFailed as exc:  # a refused file is named beside the upload field
        errors = {("file" if k.startswith("documents") else k): v for k, v in exc.field_errors.items()}
        errors = {("period" if k in ("kind", "step") else k): v for k, v in errors.items()}
        raise ValidationFailed(exc.message, field_errors=errors or {"file": exc.message}) from None


def award_form_to_choices(
    form: dict[str, Any], board: RankingOut, venture: bool
) -> tuple[list[AwardChoiceIn], list[dict]]:
    """Per lot a radio (``lot.<id>.bid_id``) or, for 公益创投, a checkbox and an amount per
    project (``bid.<id>.pick``, ``bid.<id>.amount_yuan``); one reason per lot. Returns the
    choices and, for each, the form fields its errors belong to."""
    choices: list[AwardChoiceIn] = []
    fields: list[dict] = []
    errors: dict[str, str] = {}
    for lot in board.lots:
        reason = str(form.get(f"lot.{lot.lot_id}.reason", "") or "").strip()
        reason_field = f"lot.{lot.lot_id}.reason"
        picked: list[tuple[int | str, str, str]]
        if venture:
            picked = [
                (b.bid_id, f"bid.{b.bid_id}.pick", f"bid.{b.bid_id}.amount_yuan")
                for b in lot.bids
                if form.get(f"bid.{b.bid_id}.pick")
            ]
        else:
            chosen = str(form.get(f"lot.{lot.lot_id}.bid_id", "") or "").strip()
            field = f"lot.{lot.lot_id}.bid_id"
            picked = [(chosen, field, field)] if chosen else []
        for bid_id, bid_field, amount_field in picked:
            data: dict[str, Any] = {"lot_id": lot.lot_id, "bid_id": bid_id, "reason": reason}
            if venture:
                amount = fen_field(form.get(amount_field), amount_field, errors)
                if amount is not None:
                    data["amount_fen"] = amount
            mapping = {"bid_id": bid_field, "amount_fen": amount_field, "reason": reason_field, "lot_id": bid_field}
            try:
                choices.append(parse_form(AwardChoiceIn, data))
                fields.append(mapping)
            except ValidationFailed as exc:
                errors.update({mapping.get(k, bid_field): v for k, v in exc.field_errors.items()})
    if errors:
        raise ValidationFailed(field_errors=errors)
    return choices, fields


def award_errors_to_form(exc: ValidationFailed, fields: list[dict]) -> ValidationFailed:
    """``choices.<n>.<field>`` of the service, named by the form field that holds it."""
    renamed = {}
    for key, message in exc.field_errors.items():
        parts = key.split(".")
        if parts[0] == "choices" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(fields):
            key = fields[int(parts[1])].get(parts[2], key)
        renamed[key] = message
    return ValidationFailed(exc.message, field_errors=renamed)


# --------------------------------------------------------------------------- the bureau


class AwardPages(Controller):
    """The buyer's award page and the award letter."""

    include_in_schema = False

    async def _award(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = require_user(request, *STAFF)
        tender = await tenders.get_tender(user, tender_id)
        try:
            board = await ranking.get_ranking(user, tender_id)
        except NotFound:
            board = None
        try:
            notice = await awards.award_notice(tender_id) if tender.status in AWARDED else None
        except NotFound:
            notice = None
        return {
            "tender": tender,
            "board": board,
            "notice": notice,
            "labels": LABELS,
            "history": await awards.list_awards(user, tender_id) if board else [],
            "challenges": await challenges.list_challenges(user, tender_id),
            "replaceable": await refusals.replaceable_awards(user, tender_id),
            "venture": tender.method == "venture_call",
            "acting": user.role == Role.OFFICER,
            "default_amounts": {
                b.bid_id: yuan_field(b.recommended_fen) for lot in (board.lots if board else []) for b in lot.bids
            },
            "page_title": f"{tender.title} · {_('定标与结果')}",
        }

    @get("/tenders/{tender_id:int}/award")
    async def award_page(self, request: Request, tender_id: Id) -> Response:
        return page(request, "procurement/awards/award.html", await self._award(request, tender_id))

    @post("/tenders/{tender_id:int}/award")
    async def award(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._award(request, tender_id)

        async def action() -> Response:
            if context["board"] is None:
                raise NotFound(_("本项目尚未抽取评标委员会。"))
            choices, fields = award_form_to_choices(data, context["board"], context["venture"])
            try:
                await awards.award_tender(user, tender_id, choices)
            except ValidationFailed as exc:
                raise award_errors_to_form(exc, fields) from None
            return redirect(f"/tenders/{tender_id}/award", _("已确定中标（成交）供应商，结果公告已发布。"))

        return await form_action(request, "procurement/awards/award.html", {**data, "_form": "award"}, action, context)

    @post("/tenders/{tender_id:int}/challenges/{challenge_id:int}/answer")
    async def answer(self, request: Request, tender_id: Id, challenge_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            answer = parse_form(
                AnswerIn,
                {
                    "outcome": data.get("outcome", ""),
                    "answer": data.get("answer", ""),
                    "affects_result": checkbox(data.get("affects_result")),
                },
            )
            done = await challenges.answer_challenge(
                user,
                challenge_id,
                answer.outcome,
                answer.answer,
                answer.affects_result,
            )
            return redirect(
                f"/tenders/{tender_id}/award#challenges", _("已答复{org}的质疑。").format(org=done.organization_name)
            )

        return await form_action(
            request,
            "procurement/awards/award.html",
            {**data, "_challenge": str(challenge_id)},
            action,
            await self._award(request, tender_id),
        )

    @post("/tenders/{tender_id:int}/challenges/{challenge_id:int}/complaint-decision")
    async def complaint_decision(self, request: Request, tender_id: Id, challenge_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            decision = parse_form(ComplaintDecisionIn, {"decision": data.get("decision", "")}).decision
            await challenges.record_complaint_decision(user, challenge_id, decision)
            return redirect(f"/tenders/{tender_id}/award#challenges", _("已登记投诉处理决定。"))

        return await form_action(
            request,
            "procurement/awards/award.html",
            {**data, "_challenge": str(challenge_id)},
            action,
            await self._award(request, tender_id),
        )

    @get("/tenders/{tender_id:int}/challenges")
    async def challenges_page(self, request: Request, tender_id: Id) -> Response:
        """The link in challenge notifications: the buyer answers on the award page, a bidder
        follows its challenges on its result page."""
        user = require_user(request)
        if user.role in STAFF:
            return redirect(f"/tenders/{tender_id}/award#challenges")
        if user.role == Role.ORG_MEMBER:
            own = next((b for b in await bids.my_bids(user) if b.tender_id == tender_id and b.submitted_at), None)
            if own is not None:
                return redirect(f"/bids/{own.id}/result#challenges")
            return redirect(f"/org/tenders/{tender_id}/challenges")
        raise NotFound(_("找不到该项目的质疑。"))

    @post("/awards/{award_id:int}/refusal")
    async def refusal(self, request: Request, award_id: Id, data: Form) -> Response:
        """中标人拒签，改授予下一名 (rule 28): the officer's form on the award page."""
        user = require_user(request)
        tender_id = (await awards.award_record(award_id)).tender_id

        async def action() -> Response:
            refusal = parse_form(
                WinnerRefusalIn,
                {
                    "kind": data.get("kind", ""),
                    "reason": data.get("reason", ""),
                    "written_refusal": checkbox(data.get("written_refusal")),
                },
            )
            done = await refusals.record_winner_refusal(user, award_id, refusal)
            return redirect(f"/tenders/{tender_id}/award", done.message)

        return await form_action(
            request,
            "procurement/awards/award.html",
            {**data, "_refusal": str(award_id)},
            action,
            await self._award(request, tender_id),
        )

    @get("/awards/{award_id:int}/letter.pdf")
    async def letter(self, request: Request, award_id: Id) -> Response:
        return pdf_response(*await documents.award_letter_pdf(require_user(request), award_id), request=request)


# --------------------------------------------------------------------------- the bidder


class ResultPages(Controller):
    """A bidder's result (own scores, rank, 质疑 and 投诉)."""

    path = "/bids/{bid_id:int}"
    include_in_schema = False

    async def _own_bid(self, request: Request, bid_id: int):
        user = require_user(request, Role.ORG_MEMBER)
        bid = next((b for b in await bids.my_bids(user) if b.id == bid_id), None)
        if bid is None:
            raise NotFound(_("找不到该投标。"))
        return user, bid

    async def _result(self, request: Request, bid_id: int) -> dict[str, Any]:
        user, bid = await self._own_bid(request, bid_id)
        try:
            result = await awards.my_result(user, bid_id)
        except NotFound:  # not published yet: the page says so
            result = None
        today = clock.today_local()
        windows = await challenges.challenge_periods(user, bid.tender_id)
        return {
            "bid": bid,
            "result": result,
            "labels": LABELS,
            "today": today,
            "challenges": await challenges.list_challenges(user, bid.tender_id),
            "windows": windows,
            "challenge_open": any(w.open for w in windows),
            "page_title": _("评审结果：{tender_title}").format(tender_title=bid.tender_title),
        }

    @get("/result")
    async def result(self, request: Request, bid_id: Id) -> Response:
        return page(request, "procurement/awards/result.html", await self._result(request, bid_id))

    @post("/challenges")
    async def challenge(self, request: Request, bid_id: Id, data: Multipart) -> Response:
        """质疑 without JavaScript: the kind, the grounds and one optional file in one multipart form."""
        user = require_user(request)
        context = await self._result(request, bid_id)
        form = {k: v for k, v in data.items() if isinstance(v, str)}

        async def action() -> Response:
            done = await file_from_form(user, context["bid"].tender_id, data)
            return redirect(
                f"/bids/{bid_id}/result#challenges",
                _("质疑已提交，采购人应在 {due} 前书面答复。").format(due=f"{done.answer_due_on:%Y-%m-%d}"),
            )

        return await form_action(
            request, "procurement/awards/result.html", {**form, "_form": "challenge"}, action, context
        )

    @post("/challenges/{challenge_id:int}/complaint")
    async def complain(self, request: Request, bid_id: Id, challenge_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._result(request, bid_id)

        async def action() -> Response:
            authority = parse_form(ComplaintIn, {"authority": data.get("authority", "")}).authority
            done = await challenges.escalate(user, challenge_id, authority)
            return redirect(
                f"/bids/{bid_id}/result#challenges",
                _("已登记向{authority}的投诉，处理决定应在 {due} 前作出。").format(
                    authority=done.complaint_authority,
                    due=f"{done.complaint_decision_due_on:%Y-%m-%d}" if done.complaint_decision_due_on else "—",
                ),
            )

        return await form_action(
            request, "procurement/awards/result.html", {**data, "_challenge": str(challenge_id)}, action, context
        )


# --------------------------------------------------------------------------- an organization's 质疑 of a tender


class OrgChallengePages(Controller):
    """An organization's 质疑 page for one tender: every kind it may file with its period
    and last day, its challenges and their 投诉. An organization that obtained the
    documents without bidding files its documents challenge here."""

    path = "/org/tenders/{tender_id:int}/challenges"
    include_in_schema = False

    async def _context(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = require_user(request, Role.ORG_MEMBER)
        tender = await tenders.get_tender(user, tender_id)
        windows = await challenges.challenge_periods(user, tender_id)
        return {
            "tender": tender,
            "windows": windows,
            "challenges": await challenges.list_challenges(user, tender_id),
            "challenge_open": any(w.open for w in windows),
            "page_title": _("质疑：{title}").format(title=tender.title),
        }

    @get("/")
    async def index(self, request: Request, tender_id: Id) -> Response:
        return page(request, "procurement/awards/challenges.html", await self._context(request, tender_id))

    @post("/")
    async def file(self, request: Request, tender_id: Id, data: Multipart) -> Response:
        """质疑 of any kind the organization may file now (the same form as on the result page)."""
        user = require_user(request)
        context = await self._context(request, tender_id)
        form = {k: v for k, v in data.items() if isinstance(v, str)}

        async def action() -> Response:
            done = await file_from_form(user, tender_id, data)
            return redirect(
                f"/org/tenders/{tender_id}/challenges#challenges",
                _("质疑已提交，采购人应在 {due} 前书面答复。").format(due=f"{done.answer_due_on:%Y-%m-%d}"),
            )

        return await form_action(
            request, "procurement/awards/challenges.html", {**form, "_form": "challenge"}, action, context
        )

    @post("/{challenge_id:int}/complaint")
    async def complain(self, request: Request, tender_id: Id, challenge_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._context(request, tender_id)

        async def action() -> Response:
            authority = parse_form(ComplaintIn, {"authority": data.get("authority", "")}).authority
            done = await challenges.escalate(user, challenge_id, authority)
            return redirect(
                f"/org/tenders/{tender_id}/challenges#challenges",
                _("已登记向{authority}的投诉，处理决定应在 {due} 前作出。").format(
                    authority=done.complaint_authority,
                    due=f"{done.complaint_decision_due_on:%Y-%m-%d}" if done.complaint_decision_due_on else "—",
                ),
            )

        return await form_action(
            request, "procurement/awards/challenges.html", {**data, "_challenge": str(challenge_id)}, action, context
        )
