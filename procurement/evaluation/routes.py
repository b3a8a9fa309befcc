"""JSON API of the expert pool and evaluation panels. Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import pdf_response, require_user
from procurement.evaluation import chair, documents, ranking, review, services, sheets
from procurement.evaluation.schemas import (
    BidForScoringOut,
    BidReviewOut,
    ChairVoteIn,
    ComplianceIn,
    CorrectionIn,
    DeclareIn,
    DeclineIn,
    DrawPanelIn,
    ExpertProfileIn,
    ExpertProfileOut,
    ExplanationDecisionIn,
    ExplanationIn,
    FailureIn,
    MyPanelOut,
    PanelOut,
    QualifyIn,
    RankingOut,
    ReplaceMemberIn,
    ScoreSheetIn,
)


class ExpertController(Controller):
    path = "/experts"
    tags = [N_("评审专家")]

    @get("/", operation_id="ListExperts", responses=problems(401, 403))
    async def list_experts(self, request: Request) -> list[ExpertProfileOut]:
        """The expert pool (bureau officers and administrators)."""
        return await services.list_experts(require_user(request))

    @get("/me", operation_id="GetMyExpertProfile", responses=problems(401, 403, 404))
    async def mine(self, request: Request) -> ExpertProfileOut:
        """The signed-in expert's own entry."""
        return await services.get_my_expert_profile(require_user(request))

    @put("/me", operation_id="UpdateExpertProfile", responses=problems(400, 401, 403, 422))
    async def update(self, request: Request, data: JSONBody[ExpertProfileIn]) -> ExpertProfileOut:
        """Fields of expertise, employer, employment history and declared relations (rule 20)."""
        return await services.update_expert_profile(require_user(request), data)


class PanelController(Controller):
    path = "/tenders/{tender_id:int}/panel"
    tags = [N_("评标委员会")]

    @post("/", operation_id="DrawPanel", status_code=HTTP_201_CREATED, responses=problems(401, 403, 404, 409, 422))
    async def draw(self, request: Request, tender_id: Id, data: JSONBody[DrawPanelIn]) -> PanelOut:
        """Draw the panel of an opened tender at random (rules 19, 20); seed and candidates are audited."""
        return await services.draw_panel(
            require_user(request), tender_id, data.size, data.include_buyer_rep, data.buyer_rep_user_id
        )

    @get("/", operation_id="GetPanel", responses=problems(401, 403, 404))
    async def get_panel(self, request: Request, tender_id: Id) -> PanelOut:
        """The panel's members and their declarations."""
        return await services.get_panel(require_user(request), tender_id)

    @post(
        "/chair",
        operation_id="AppointPanelChair",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def appoint(self, request: Request, tender_id: Id, data: JSONBody[ChairVoteIn]) -> PanelOut:
        """The buyer's officer appoints a declared expert as chair when the members have not elected one."""
        user = require_user(request)
        await chair.appoint(user, tender_id, data.member_id)
        return await services.get_panel(user, tender_id)


class PanelMemberController(Controller):
    path = "/panels"
    tags = [N_("评标委员会")]

    @post(
        "/members/{member_id:int}/replace",
        operation_id="ReplacePanelMember",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def replace(self, request: Request, member_id: Id, data: JSONBody[ReplaceMemberIn]) -> PanelOut:
        """Remove a member who must withdraw and draw one replacement (rule 20)."""
        return await services.replace_panel_member(require_user(request), member_id, data.reason)

    @post(
        "/{panel_id:int}/declaration",
        operation_id="DeclareConflict",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def declare(self, request: Request, panel_id: Id, data: JSONBody[DeclareIn]) -> PanelOut:
        """回避声明: no conflict, or a conflict that removes the expert and draws a replacement (invariant 5)."""
        return await services.declare(require_user(request), panel_id, data.no_conflict, data.note)

    @post(
        "/{panel_id:int}/decline",
        operation_id="DeclinePanel",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def decline(self, request: Request, panel_id: Id, data: JSONBody[DeclineIn]) -> PanelOut:
        """A drawn expert declines before declaring; a replacement is drawn at once."""
        return await services.decline(require_user(request), panel_id, data.reason)

    @post(
        "/{panel_id:int}/chair-proposal",
        operation_id="ProposePanelChair",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def propose(self, request: Request, panel_id: Id, data: JSONBody[ChairVoteIn]) -> PanelOut:
        """推选组长: a declared member proposes a declared expert; more than half of the seated
        members proposing the same expert makes them chair (87号令第四十五条)."""
        user = require_user(request)
        await chair.propose(user, panel_id, data.member_id)
        return await services.panel_by_id(user, panel_id)

    @get("/mine", operation_id="ListMyPanels", responses=problems(401, 403))
    async def mine(self, request: Request) -> list[MyPanelOut]:
        """The panels the signed-in expert (or buyer's representative) sits on, with what is left to do."""
        return await services.my_panels(require_user(request))


class EvaluationController(Controller):
    """Review, scoring, ranking, the report and the award of one tender."""

    path = "/tenders/{tender_id:int}"
    tags = [N_("评审与定标")]

    @get("/reviews", operation_id="ListBidReviews", responses=problems(401, 403, 404, 409))
    async def reviews(self, request: Request, tender_id: Id) -> list[BidReviewOut]:
        """Every opened bid with its 资格性/符合性审查 result and low-price flag."""
        return await review.list_reviews(require_user(request), tender_id)

    @get("/ranking", operation_id="GetRanking", responses=problems(401, 403, 404, 409))
    async def ranking(self, request: Request, tender_id: Id) -> RankingOut:
        """Totals, ranks (rule 24), spreads, flags and progress; members see it after submitting their own sheets."""
        return await ranking.get_ranking(require_user(request), tender_id)

    @post(
        "/evaluation-report",
        operation_id="DeliverEvaluationReport",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409),
    )
    async def deliver(self, request: Request, tender_id: Id) -> RankingOut:
        """The chair delivers the 评审报告 to the buyer (rule 26); refused while anything is open."""
        return await ranking.deliver_report(require_user(request), tender_id)

    @get(
        "/evaluation-report",
        operation_id="GetEvaluationReport",
        media_type="application/pdf",
        responses=problems(401, 403, 404, 409),
    )
    async def report(self, request: Request, tender_id: Id) -> Response[bytes]:
        """评审报告 as a PDF (marked as a draft until the chair delivers it)."""
        name, data = await documents.report_pdf(require_user(request), tender_id)
        return pdf_response(name, data, inline=False, request=request)

    @post("/failure", operation_id="FailTender", status_code=HTTP_200_OK, responses=problems(401, 403, 404, 409, 422))
    async def fail(self, request: Request, tender_id: Id, data: JSONBody[FailureIn]) -> dict[str, str]:
        """废标 during the evaluation (rule 18), with a public notice and bid-bond refunds."""
        await review.declare_failure(require_user(request), tender_id, data.reason)
        return {"status": "failed"}


class BidEvaluationController(Controller):
    path = "/bids/{bid_id:int}"
    tags = [N_("评审与定标")]

    @post(
        "/qualification",
        operation_id="QualifyBid",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def qualify(self, request: Request, bid_id: Id, data: JSONBody[QualifyIn]) -> list[BidReviewOut]:
        """资格审查 by the buyer's officer after the opening, before the panel (rule 41): pass,
        or fail with a reason; too few qualified → 废标 (rule 18)."""
        return await review.qualify_bid(require_user(request), bid_id, data.passed, data.reason)

    @post(
        "/compliance",
        operation_id="RecordBidCompliance",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def compliance(self, request: Request, bid_id: Id, data: JSONBody[ComplianceIn]) -> list[BidReviewOut]:
        """符合性审查 by the panel, recorded by its chair (rule 41): a bid that does not respond
        to a substantive requirement is not scored; too few left → 废标 (rule 18)."""
        return await review.record_compliance(require_user(request), bid_id, data.responsive, data.reason)

    @post(
        "/low-price-explanation",
        operation_id="ExplainLowPrice",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def explain(self, request: Request, bid_id: Id, data: JSONBody[ExplanationIn]) -> list[BidReviewOut]:
        """The bidder's written explanation of an abnormally low price (rule 23)."""
        return await review.explain_low_price(require_user(request), bid_id, data.explanation)

    @post(
        "/low-price-decision",
        operation_id="DecideLowPrice",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def decide(self, request: Request, bid_id: Id, data: JSONBody[ExplanationDecisionIn]) -> list[BidReviewOut]:
        """The panel chair accepts the explanation, or the bid is invalid (rule 23)."""
        return await review.decide_low_price(require_user(request), bid_id, data.accepted, data.note)

    @get("/scoring", operation_id="GetBidForScoring", responses=problems(401, 403, 404, 409))
    async def scoring(self, request: Request, bid_id: Id) -> BidForScoringOut:
        """A declared member's view of one bid: content, criteria with bounds, own sheet, others' once submitted."""
        return await sheets.bid_for_scoring(require_user(request), bid_id)

    @put("/score-sheet", operation_id="SubmitScoreSheet", responses=problems(401, 403, 404, 409, 422))
    async def sheet(self, request: Request, bid_id: Id, data: JSONBody[ScoreSheetIn]) -> BidForScoringOut:
        """Save a draft, or submit and lock the sheet (rules 21–25)."""
        return await sheets.save_sheet(require_user(request), bid_id, data)


class ScoreSheetController(Controller):
    path = "/score-sheets"
    tags = [N_("评审与定标")]

    @post(
        "/{sheet_id:int}/corrections",
        operation_id="CorrectScore",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def correct(self, request: Request, sheet_id: Id, data: JSONBody[CorrectionIn]) -> BidForScoringOut:
        """Rule 25: change a submitted score for one of four reasons; old and new value, who and why are kept."""
        return await sheets.correct_score(require_user(request), sheet_id, data)
