"""Web pages of the evaluation: the expert's panels, 回避声明 and score sheets;
the bureau's evaluation page (panel, review, ranking, report); the bidder's
low-price explanation. The award and result pages are awards'.

Thin: each handler parses the form, calls one service and renders; a refusal
shows the same page again with the message (``form_action``). The flat form
fields (``scores.<key>``, yuan amounts, per-lot radios) become the services'
input models here and nowhere else. Nothing about a bid is fetched for a
member who has not declared no conflict (invariant 5).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, URLEncodedBody
from litestar.response import Response

from procurement.accounts.states import Role
from procurement.bids import services as bids
from procurement.bids.states import BidStatus
from procurement.core.api import Id
from procurement.core.errors import NotFound, PermissionDenied, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.web import (
    checkbox,
    fen_field,
    form_action,
    page,
    parse_form,
    pdf_response,
    redirect,
    require_user,
    yuan_field,
)
from procurement.evaluation import chair, documents, ranking, review, services, sheets
from procurement.evaluation.schemas import (
    BidForScoringOut,
    ChairVoteIn,
    ComplianceIn,
    CorrectionIn,
    DeclareIn,
    DeclineIn,
    DrawPanelIn,
    ExplanationDecisionIn,
    ExplanationIn,
    FailureIn,
    QualifyIn,
    ReplaceMemberIn,
    ScoreSheetIn,
)
from procurement.evaluation.states import (
    CORRECTION_REASON_LABELS,
    MEMBER_KIND_LABELS,
    SEATED,
    MemberStatus,
    SheetStatus,
)
from procurement.tenders import services as tenders
from procurement.tenders.schemas import WORKER_LEVEL_LABELS

Form = URLEncodedBody[dict[str, Any]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

LOW_PRICE_LABELS = {
    "awaiting_explanation": (N_("异常低价：待投标人书面说明"), "warning"),
    "awaiting_decision": (N_("异常低价：待评标委员会认定"), "warning"),
    "accepted": (N_("异常低价：说明已获认可"), "info"),
    "rejected": (N_("异常低价：说明未获认可"), "danger"),
}
LABELS: dict[str, Any] = {
    "member_kind": MEMBER_KIND_LABELS,
    "correction_reason": CORRECTION_REASON_LABELS,
    "low_price": LOW_PRICE_LABELS,
    "worker_level": Labels({**{k.value: v for k, v in WORKER_LEVEL_LABELS.source().items()}, "none": N_("未持证")}),
    "team_role": Labels({"lead": N_("项目负责人"), "member": N_("成员"), "supervisor": N_("督导")}),
}
STAFF = (Role.OFFICER, Role.FINANCE, Role.ADMIN)


def _scored(review_row) -> bool:
    """Bids that passed both reviews are the ones the panel scores (rule 41)."""
    return review_row.status == BidStatus.RESPONSIVE


# --------------------------------------------------------------------------- form <-> input


def sheet_to_form(scoring: BidForScoringOut) -> dict[str, Any]:
    form: dict[str, Any] = {f"scores.{k}": v for k, v in scoring.mine.scores.items()}
    form.update({f"comments.{k}": v for k, v in scoring.mine.comments.items()})
    form["recommended_yuan"] = yuan_field(scoring.mine.recommended_fen)
    return form


def sheet_form_to_input(form: dict[str, Any], *, venture: bool) -> ScoreSheetIn:
    """``scores.<key>`` and ``comments.<key>`` become the sheet; the button pressed decides draft or submit."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "scores": {k.removeprefix("scores."): str(v).strip() for k, v in form.items() if k.startswith("scores.")},
        "comments": {k.removeprefix("comments."): str(v).strip() for k, v in form.items() if k.startswith("comments.")},
        "submit": form.get("action") == "submit",
    }
    if venture:
        recommended = fen_field(form.get("recommended_yuan"), "recommended_fen", errors)
        if recommended is not None:
            data["recommended_fen"] = recommended
    try:
        sheet = parse_form(ScoreSheetIn, data)
    except ValidationFailed as exc:
        raise ValidationFailed(field_errors={**exc.field_errors, **errors}) from None
    if errors:
        raise ValidationFailed(field_errors=errors)
    return sheet


# --------------------------------------------------------------------------- the expert


class ReviewPages(Controller):
    """我的评审: panels, 回避声明, score sheets, corrections, the chair's report."""

    path = "/review"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        user = require_user(request)
        return page(
            request,
            "procurement/evaluation/my_panels.html",
            {"panels": await services.my_panels(user), "labels": LABELS, "page_title": _("我的评审")},
        )

    async def _seat(self, user, panel_id: int):
        seat = next((p for p in await services.my_panels(user) if p.panel_id == panel_id), None)
        if seat is None:
            raise PermissionDenied(_("您不是该评标委员会的成员。"))
        return seat

    async def _panel(self, request: Request, panel_id: int) -> dict[str, Any]:
        user = require_user(request)
        seat = await self._seat(user, panel_id)
        context: dict[str, Any] = {"seat": seat, "labels": LABELS, "page_title": seat.tender_title}
        if seat.status != MemberStatus.DECLARED_NO_CONFLICT:
            return context  # invariant 5: nothing about the bids before the declaration
        reviews = await review.list_reviews(user, seat.tender_id)
        mine = await sheets.my_sheets(user, seat.tender_id)
        try:
            board, board_refusal = await ranking.get_ranking(user, seat.tender_id), None
        except PermissionDenied as exc:
            board, board_refusal = None, exc.message
        panel = await services.get_panel(user, seat.tender_id)
        return {
            **context,
            "panel": panel,
            "reviews": reviews,
            "mine": mine,
            "board": board,
            "board_refusal": board_refusal,
            "has_chair": any(m.is_chair and m.status in SEATED for m in panel.members),
            "chair_candidates": [m for m in panel.members if m.kind == "expert" and m.status == "declared_no_conflict"],
            "my_vote": next((m.chair_vote for m in panel.members if m.id == seat.member_id), None),
            "report_previewed": seat.is_chair and await ranking.preview_current(seat.tender_id),
        }

    async def _on_panel(self, request: Request, panel_id: int, form: dict[str, Any], action) -> Response:
        return await form_action(
            request, "procurement/evaluation/panel.html", form, action, await self._panel(request, panel_id)
        )

    @get("/panels/{panel_id:int}")
    async def panel(self, request: Request, panel_id: Id) -> Response:
        return page(request, "procurement/evaluation/panel.html", await self._panel(request, panel_id))

    @post("/panels/{panel_id:int}/declaration")
    async def declare(self, request: Request, panel_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            choice = parse_form(DeclareIn, {"no_conflict": data.get("no_conflict"), "note": data.get("note", "")})
            panel = await services.declare(user, panel_id, choice.no_conflict, choice.note)
            if choice.no_conflict:
                return redirect(
                    f"/review/panels/{panel_id}", _("已声明与投标人无利害关系。现在可以查看投标文件并评分。")
                )
            return redirect(
                "/review",
                " ".join(
                    filter(
                        None,
                        [
                            _("已声明回避，您已移出「{title}」的评标委员会。").format(title=panel.tender_title),
                            panel.note,
                        ],
                    )
                ),
            )

        return await self._on_panel(request, panel_id, data, action)

    @post("/panels/{panel_id:int}/decline")
    async def decline(self, request: Request, panel_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            reason = parse_form(DeclineIn, {"reason": data.get("reason", "")}).reason
            panel = await services.decline(user, panel_id, reason)
            return redirect(
                "/review",
                " ".join(
                    filter(None, [_("已谢绝参加「{title}」的评审。").format(title=panel.tender_title), panel.note])
                ),
            )

        return await self._on_panel(request, panel_id, data, action)

    @post("/panels/{panel_id:int}/chair")
    async def propose_chair(self, request: Request, panel_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            chosen = parse_form(ChairVoteIn, {"member_id": data.get("member_id", "")})
            elected = await chair.propose(user, panel_id, chosen.member_id)
            return redirect(
                f"/review/panels/{panel_id}#chair",
                _("组长已推选产生。") if elected else _("已记录您的推选；过半数成员推选同一人后即为组长。"),
            )

        return await self._on_panel(request, panel_id, {**data, "_form": "chair"}, action)

    @post("/panels/{panel_id:int}/bids/{bid_id:int}/compliance")
    async def compliance(self, request: Request, panel_id: Id, bid_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            result = parse_form(ComplianceIn, {"responsive": data.get("responsive"), "reason": data.get("reason", "")})
            done = await review.record_compliance(user, bid_id, result.responsive, result.reason)
            org = next((r.organization_name for r in done if r.bid_id == bid_id), "")
            verdict = _("通过") if result.responsive else _("不通过")
            return redirect(
                f"/review/panels/{panel_id}#compliance",
                _("已记录{org}的符合性审查结论：{result}。").format(org=org, result=verdict),
            )

        return await self._on_panel(request, panel_id, {**data, "_form": "compliance", "_bid": str(bid_id)}, action)

    @post("/panels/{panel_id:int}/report")
    async def deliver(self, request: Request, panel_id: Id) -> Response:
        user = require_user(request)
        seat = await self._seat(user, panel_id)

        async def action() -> Response:
            await ranking.deliver_report(user, seat.tender_id)
            return redirect(f"/review/panels/{panel_id}", _("评审报告已提交采购人。"))

        return await self._on_panel(request, panel_id, {"_form": "report"}, action)

    @post("/panels/{panel_id:int}/bids/{bid_id:int}/low-price-decision")
    async def decide(self, request: Request, panel_id: Id, bid_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            decision = parse_form(
                ExplanationDecisionIn, {"accepted": data.get("accepted"), "note": data.get("note", "")}
            )
            done = await review.decide_low_price(user, bid_id, decision.accepted, decision.note)
            org = next((r.organization_name for r in done if r.bid_id == bid_id), "")
            return redirect(f"/review/panels/{panel_id}", _("已就{org}的报价说明作出认定。").format(org=org))

        return await self._on_panel(request, panel_id, {**data, "_bid": str(bid_id)}, action)

    @get("/panels/{panel_id:int}/ranking")
    async def ranking_page(self, request: Request, panel_id: Id) -> Response:
        user = require_user(request)
        seat = await self._seat(user, panel_id)
        board = await ranking.get_ranking(user, seat.tender_id)  # refused until one's own sheets are all in
        return page(
            request,
            "procurement/evaluation/panel_ranking.html",
            {
                "seat": seat,
                "board": board,
                "labels": LABELS,
                "page_title": _("{tender_title} · 汇总与排名").format(tender_title=seat.tender_title),
            },
        )

    # ------------------------------------------------------------------ one bid's score sheet

    async def _bid(self, request: Request, bid_id: int) -> dict[str, Any]:
        user = require_user(request)
        scoring = await sheets.bid_for_scoring(user, bid_id)  # refused before the declaration (invariant 5)
        seat = await self._seat(user, scoring.panel_id)
        queue = [r for r in await review.list_reviews(user, scoring.tender_id) if _scored(r)]
        at = next((i for i, r in enumerate(queue) if r.bid_id == bid_id), 0)
        sheet_status = scoring.mine.status
        return {
            "scoring": scoring,
            "seat": seat,
            "form": sheet_to_form(scoring),
            "labels": LABELS,
            "editable": sheet_status == SheetStatus.DRAFT and not seat.report_delivered,
            "correctable": sheet_status == SheetStatus.SUBMITTED
            and scoring.mine.id is not None
            and not seat.report_delivered,
            "prev_bid": queue[at - 1] if at > 0 else None,
            "next_bid": queue[at + 1] if at + 1 < len(queue) else None,
            "position": at + 1,
            "count": len(queue),
            "names": {c.key: c.name for c in scoring.criteria},
            "criterion_options": [(c.key, c.name) for c in scoring.criteria],
            "page_title": _("评分：{organization_name}").format(organization_name=scoring.organization_name),
        }

    @get("/bids/{bid_id:int}")
    async def sheet(self, request: Request, bid_id: Id) -> Response:
        return page(request, "procurement/evaluation/score.html", await self._bid(request, bid_id))

    @post("/bids/{bid_id:int}")
    async def save(self, request: Request, bid_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._bid(request, bid_id)

        async def action() -> Response:
            sheet = sheet_form_to_input(data, venture=context["scoring"].venture)
            await sheets.save_sheet(user, bid_id, sheet)
            return redirect(
                f"/review/bids/{bid_id}",
                _("评分已提交并锁定。如需改动，只能按《政府采购货物和服务招标投标管理办法》第六十四条规定的情形更正。")
                if sheet.submit
                else _("评分草稿已保存（尚未提交，其他成员看不到）。"),
            )

        return await form_action(request, "procurement/evaluation/score.html", data, action, context)

    @post("/bids/{bid_id:int}/sheets/{sheet_id:int}/corrections/preview")
    async def preview_correction(self, request: Request, bid_id: Id, sheet_id: Id, data: Form) -> Response:
        """Before a correction is kept for good (rule 25): the old and new value side by side, to confirm."""
        require_user(request)
        context = await self._bid(request, bid_id)
        fields = {k: data.get(k, "") for k in ("criterion_key", "new_points", "reason", "explanation")}

        async def action() -> Response:
            correction = parse_form(CorrectionIn, fields)
            scoring = context["scoring"]
            if scoring.mine.id != sheet_id or correction.criterion_key not in context["names"]:
                raise ValidationFailed(field_errors={"criterion_key": _("请选择本评分表中的评审因素。")})
            old = scoring.mine.scores.get(correction.criterion_key, "")
            return page(
                request,
                "procurement/evaluation/correction_preview.html",
                {
                    **context,
                    "form": fields,
                    "correction": correction,
                    "criterion_name": context["names"][correction.criterion_key],
                    "old_points": old,
                    "reason_label": CORRECTION_REASON_LABELS[correction.reason],
                    "sheet_id": sheet_id,
                    "page_title": _("确认更正评分"),
                },
            )

        return await form_action(
            request,
            "procurement/evaluation/score.html",
            {**context["form"], **fields, "_form": "correction"},
            action,
            context,
        )

    @post("/bids/{bid_id:int}/sheets/{sheet_id:int}/corrections")
    async def correct(self, request: Request, bid_id: Id, sheet_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._bid(request, bid_id)

        async def action() -> Response:
            correction = parse_form(
                CorrectionIn, {k: data.get(k, "") for k in ("criterion_key", "new_points", "reason", "explanation")}
            )
            await sheets.correct_score(user, sheet_id, correction)
            name = context["names"].get(correction.criterion_key, correction.criterion_key)
            return redirect(
                f"/review/bids/{bid_id}#corrections",
                _("已更正「{criterion}」的评分，原分值和更正理由已记录。").format(criterion=name),
            )

        return await form_action(
            request,
            "procurement/evaluation/score.html",
            {**context["form"], **data, "_form": "correction"},
            action,
            context,
        )


# --------------------------------------------------------------------------- the bureau


class EvaluationPages(Controller):
    """The buyer's evaluation page and award page, and the PDFs they link to."""

    include_in_schema = False

    async def _evaluation(self, request: Request, tender_id: int) -> dict[str, Any]:
        user = require_user(request, *STAFF)
        tender = await tenders.get_tender(user, tender_id)
        try:
            panel = await services.get_panel(user, tender_id)
        except NotFound:
            panel = None
        opened = tender.status not in ("draft", "published", "closed", "cancelled")
        reviews = await review.list_reviews(user, tender_id) if opened else []
        board = await ranking.get_ranking(user, tender_id) if panel else None
        progress = {m.member_id: m for m in board.members} if board else {}
        has_chair = bool(panel and any(m.is_chair and m.status in SEATED for m in panel.members))
        return {
            "tender": tender,
            "panel": panel,
            "reviews": reviews,
            "qualification_done": bool(reviews) and not any(r.status == BidStatus.OPENED for r in reviews),
            "has_chair": has_chair,
            "chair_candidates": [
                m for m in (panel.members if panel else []) if m.kind == "expert" and m.status == "declared_no_conflict"
            ],
            "board": board,
            "progress": progress,
            "labels": LABELS,
            "acting": user.role == Role.OFFICER,
            "page_title": f"{tender.title} · {_('评审与定标')}",
        }

    async def _on_evaluation(self, request: Request, tender_id: int, form: dict[str, Any], action) -> Response:
        return await form_action(
            request, "procurement/evaluation/bureau.html", form, action, await self._evaluation(request, tender_id)
        )

    @get("/tenders/{tender_id:int}/evaluation")
    async def evaluation(self, request: Request, tender_id: Id) -> Response:
        return page(request, "procurement/evaluation/bureau.html", await self._evaluation(request, tender_id))

    @post("/tenders/{tender_id:int}/evaluation/panel")
    async def draw(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            choice = parse_form(
                DrawPanelIn,
                {"size": data.get("size", ""), "include_buyer_rep": checkbox(data.get("include_buyer_rep"))},
            )
            panel = await services.draw_panel(user, tender_id, choice.size, choice.include_buyer_rep)
            return redirect(
                f"/tenders/{tender_id}/evaluation",
                _("已抽取 {n} 人评标委员会，已通知成员作回避声明。").format(n=len(panel.members)),
            )

        return await self._on_evaluation(request, tender_id, {**data, "_form": "draw"}, action)

    @post("/tenders/{tender_id:int}/evaluation/members/{member_id:int}/replace")
    async def replace(self, request: Request, tender_id: Id, member_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            reason = parse_form(ReplaceMemberIn, {"reason": data.get("reason", "")}).reason
            panel = await services.replace_panel_member(user, member_id, reason)
            message = panel.note or _("已移出该成员并补抽。")
            return redirect(f"/tenders/{tender_id}/evaluation#members", message, "error" if panel.note else "success")

        return await self._on_evaluation(request, tender_id, {**data, "_member": str(member_id)}, action)

    @post("/tenders/{tender_id:int}/evaluation/bids/{bid_id:int}/qualification")
    async def qualify(self, request: Request, tender_id: Id, bid_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            result = parse_form(QualifyIn, {"passed": data.get("passed"), "reason": data.get("reason", "")})
            done = await review.qualify_bid(user, bid_id, result.passed, result.reason)
            org = next((r.organization_name for r in done if r.bid_id == bid_id), "")
            verdict = _("通过") if result.passed else _("不通过")
            return redirect(
                f"/tenders/{tender_id}/evaluation#review",
                _("已记录{org}的资格审查结果：{result}。").format(org=org, result=verdict),
            )

        return await self._on_evaluation(request, tender_id, {**data, "_bid": str(bid_id)}, action)

    @get("/tenders/{tender_id:int}/evaluation/bids/{bid_id:int}")
    async def bid_for_review(self, request: Request, tender_id: Id, bid_id: Id) -> Response:
        """One opened bid as the buyer reads it for its 资格审查: content, team, documents, result."""
        user = require_user(request, *STAFF)
        tender = await tenders.get_tender(user, tender_id)
        bid = await bids.get_bid(user, bid_id)
        if bid.tender_id != tender_id:
            raise NotFound(_("找不到该投标。"))
        row = next((r for r in await review.list_reviews(user, tender_id) if r.bid_id == bid_id), None)
        return page(
            request,
            "procurement/evaluation/bid_review.html",
            {
                "tender": tender,
                "bid": bid,
                "review": row,
                "pending": await bids.pending_checks_for_review(bid_id),  # the officer's judgement (rule 4)
                "criteria_names": {
                    c.key: c.name for c in (tender.evaluation_scheme.criteria if tender.evaluation_scheme else [])
                },
                "labels": LABELS,
                "acting": user.role == Role.OFFICER and tender.status == "opened",
                "page_title": _("资格审查：{org}").format(org=bid.organization_name),
            },
        )

    @post("/tenders/{tender_id:int}/evaluation/chair")
    async def appoint_chair(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            chosen = parse_form(ChairVoteIn, {"member_id": data.get("member_id", "")})
            await chair.appoint(user, tender_id, chosen.member_id)
            return redirect(f"/tenders/{tender_id}/evaluation#members", _("已指定评标委员会组长，并通知了委员会成员。"))

        return await self._on_evaluation(request, tender_id, {**data, "_form": "chair"}, action)

    @post("/tenders/{tender_id:int}/evaluation/failure")
    async def fail(self, request: Request, tender_id: Id, data: Form) -> Response:
        user = require_user(request)

        async def action() -> Response:
            reason = parse_form(FailureIn, {"reason": data.get("reason", "")}).reason
            await review.declare_failure(user, tender_id, reason)
            return redirect(f"/bureau/tenders/{tender_id}", _("已宣布废标，废标公告已发布。"))

        return await self._on_evaluation(request, tender_id, {**data, "_form": "failure"}, action)

    @get("/tenders/{tender_id:int}/evaluation-report.pdf")
    async def report_pdf(self, request: Request, tender_id: Id) -> Response:
        return pdf_response(*await documents.report_pdf(require_user(request), tender_id), request=request)


# --------------------------------------------------------------------------- the bidder


class LowPricePages(Controller):
    """The bidder's written explanation of an abnormally low price (rule 23)."""

    path = "/bids/{bid_id:int}"
    include_in_schema = False

    async def _own_bid(self, request: Request, bid_id: int):
        user = require_user(request, Role.ORG_MEMBER)
        bid = next((b for b in await bids.my_bids(user) if b.id == bid_id), None)
        if bid is None:
            raise NotFound(_("找不到该投标。"))
        return user, bid

    async def _explanation(self, request: Request, bid_id: int) -> dict[str, Any]:
        user, bid = await self._own_bid(request, bid_id)
        return {
            "bid": bid,
            "review": await review.own_review(user, bid_id),
            "page_title": _("报价书面说明：{tender_title}").format(tender_title=bid.tender_title),
        }

    @get("/explanation")
    async def explanation(self, request: Request, bid_id: Id) -> Response:
        return page(request, "procurement/evaluation/explanation.html", await self._explanation(request, bid_id))

    @post("/explanation")
    async def explain(self, request: Request, bid_id: Id, data: Form) -> Response:
        user = require_user(request)
        context = await self._explanation(request, bid_id)

        async def action() -> Response:
            text = parse_form(ExplanationIn, {"explanation": data.get("explanation", "")}).explanation
            await review.explain_low_price(user, bid_id, text)
            return redirect(f"/bids/{bid_id}/explanation", _("书面说明已提交，评标委员会将据此作出认定。"))

        return await form_action(request, "procurement/evaluation/explanation.html", data, action, context)
