"""JSON API of the expert pool and evaluation panels. Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.core.api import Id, problems
from procurement.core.storage import content_disposition
from procurement.core.web import require_user
from procurement.evaluation import awards, challenges, documents, ranking, review, services, sheets
from procurement.evaluation.schemas import (
    AnswerIn,
    AwardIn,
    AwardNoticeOut,
    AwardOut,
    BidForScoringOut,
    BidReviewOut,
    ChallengeIn,
    ChallengeOut,
    ComplaintDecisionIn,
    ComplaintIn,
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
    MyResultOut,
    PanelOut,
    QualifyIn,
    RankingOut,
    ReplaceMemberIn,
    ScoreSheetIn,
)


class ExpertController(Controller):
    path = "/experts"
    tags = ["评审专家"]

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
    tags = ["评标委员会"]

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


class PanelMemberController(Controller):
    path = "/panels"
    tags = ["评标委员会"]

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

    @get("/mine", operation_id="ListMyPanels", responses=problems(401, 403))
    async def mine(self, request: Request) -> list[MyPanelOut]:
        """The panels the signed-in expert (or buyer's representative) sits on, with what is left to do."""
        return await services.my_panels(require_user(request))


class EvaluationController(Controller):
    """Review, scoring, ranking, the report and the award of one tender."""

    path = "/tenders/{tender_id:int}"
    tags = ["评审与定标"]

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
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": content_disposition(name)})

    @post("/award", operation_id="AwardTender", status_code=HTTP_200_OK, responses=problems(401, 403, 404, 409, 422))
    async def award(self, request: Request, tender_id: Id, data: JSONBody[AwardIn]) -> AwardNoticeOut:
        """定标 in rank order (another choice needs a reason); publishes the result notice (rule 26)."""
        return await awards.award_tender(require_user(request), tender_id, data.choices)

    @post("/failure", operation_id="FailTender", status_code=HTTP_200_OK, responses=problems(401, 403, 404, 409, 422))
    async def fail(self, request: Request, tender_id: Id, data: JSONBody[FailureIn]) -> dict[str, str]:
        """废标 during the evaluation (rule 18), with a public notice and bid-bond refunds."""
        await review.declare_failure(require_user(request), tender_id, data.reason)
        return {"status": "failed"}

    @get("/awards", operation_id="ListAwards", responses=problems(401, 403, 404))
    async def list_awards(self, request: Request, tender_id: Id) -> list[AwardOut]:
        """Every award of the tender, revoked ones included."""
        return await awards.list_awards(require_user(request), tender_id)

    @get("/award-notice", operation_id="GetAwardNotice", responses=problems(404))
    async def notice(self, tender_id: Id) -> AwardNoticeOut:
        """Public: the current result notice (or 公益创投立项公示)."""
        return await awards.award_notice(tender_id)

    @post(
        "/challenges",
        operation_id="FileChallenge",
        status_code=HTTP_201_CREATED,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def file(self, request: Request, tender_id: Id, data: JSONBody[ChallengeIn]) -> ChallengeOut:
        """质疑 within 7 working days of the result notice, with grounds and documents (rule 27)."""
        return await challenges.file_challenge(require_user(request), tender_id, data)

    @get("/challenges", operation_id="ListChallenges", responses=problems(401, 403, 404))
    async def challenges(self, request: Request, tender_id: Id) -> list[ChallengeOut]:
        """The buyer sees every challenge; a bidder its own."""
        return await challenges.list_challenges(require_user(request), tender_id)


class BidEvaluationController(Controller):
    path = "/bids/{bid_id:int}"
    tags = ["评审与定标"]

    @post(
        "/qualification",
        operation_id="QualifyBid",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def qualify(self, request: Request, bid_id: Id, data: JSONBody[QualifyIn]) -> list[BidReviewOut]:
        """资格性/符合性审查: pass, or fail with a reason; too few left → 废标 (rule 18)."""
        return await review.qualify_bid(require_user(request), bid_id, data.passed, data.reason)

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

    @get("/result", operation_id="GetMyResult", responses=problems(401, 403, 404))
    async def result(self, request: Request, bid_id: Id) -> MyResultOut:
        """结果通知: the bidder's own scores and rank after the result notice."""
        return await awards.my_result(require_user(request), bid_id)


class ScoreSheetController(Controller):
    path = "/score-sheets"
    tags = ["评审与定标"]

    @post(
        "/{sheet_id:int}/corrections",
        operation_id="CorrectScore",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def correct(self, request: Request, sheet_id: Id, data: JSONBody[CorrectionIn]) -> BidForScoringOut:
        """Rule 25: change a submitted score for one of four reasons; old and new value, who and why are kept."""
        return await sheets.correct_score(require_user(request), sheet_id, data)


class AwardController(Controller):
    path = "/awards"
    tags = ["评审与定标"]

    @get(
        "/{award_id:int}/letter",
        operation_id="GetAwardLetter",
        media_type="application/pdf",
        responses=problems(401, 403, 404, 409),
    )
    async def letter(self, request: Request, award_id: Id) -> Response[bytes]:
        """中标（成交）通知书 as a PDF, for the winner and the buyer."""
        name, data = await documents.award_letter_pdf(require_user(request), award_id)
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": content_disposition(name)})


class ChallengeController(Controller):
    path = "/challenges"
    tags = ["评审与定标"]

    @post(
        "/{challenge_id:int}/answer",
        operation_id="AnswerChallenge",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def answer(self, request: Request, challenge_id: Id, data: JSONBody[AnswerIn]) -> ChallengeOut:
        """The buyer's answer within 7 working days; upheld → re-evaluation or a new award (rule 27)."""
        return await challenges.answer_challenge(
            require_user(request), challenge_id, data.outcome, data.answer, data.affects_result
        )

    @post(
        "/{challenge_id:int}/complaint",
        operation_id="EscalateChallenge",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def complain(self, request: Request, challenge_id: Id, data: JSONBody[ComplaintIn]) -> ChallengeOut:
        """投诉 to the finance department within 15 working days after the answer period (rule 27)."""
        return await challenges.escalate(require_user(request), challenge_id, data.authority)

    @post(
        "/{challenge_id:int}/complaint-decision",
        operation_id="RecordComplaintDecision",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def decision(self, request: Request, challenge_id: Id, data: JSONBody[ComplaintDecisionIn]) -> ChallengeOut:
        """The buyer records the finance department's decision on the complaint."""
        return await challenges.record_complaint_decision(require_user(request), challenge_id, data.decision)
