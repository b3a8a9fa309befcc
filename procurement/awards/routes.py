"""JSON API of awards, results, challenges and complaints. Thin: parse, call one service, return."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from procurement.awards import challenges, documents, refusals
from procurement.awards import services as awards
from procurement.awards.schemas import (
    AnswerIn,
    AwardIn,
    AwardNoticeOut,
    AwardOut,
    ChallengeIn,
    ChallengeOut,
    ChallengeWindowOut,
    ComplaintDecisionIn,
    ComplaintIn,
    MyResultOut,
    WinnerRefusalIn,
    WinnerRefusalOut,
)
from procurement.core.api import Id, problems
from procurement.core.i18n import N_
from procurement.core.web import pdf_response, require_user


class TenderAwardController(Controller):
    path = "/tenders/{tender_id:int}"
    tags = [N_("评审与定标")]

    @post("/award", operation_id="AwardTender", status_code=HTTP_200_OK, responses=problems(401, 403, 404, 409, 422))
    async def award(self, request: Request, tender_id: Id, data: JSONBody[AwardIn]) -> AwardNoticeOut:
        """定标 in rank order (another choice needs a reason); publishes the result notice (rule 26)."""
        return await awards.award_tender(require_user(request), tender_id, data.choices)

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
        """质疑 of the documents, a step of the process or the result (``kind``, ``step``), with
        grounds and documents, each within its 7 working days (rule 27); a refusal names the
        period and its last day."""
        return await challenges.file_challenge(require_user(request), tender_id, data)

    @get("/challenge-periods", operation_id="ListChallengePeriods", responses=problems(401, 404))
    async def periods(self, request: Request, tender_id: Id) -> list[ChallengeWindowOut]:
        """The kinds of 质疑 the signed-in organization may file for this tender, each with its
        period and last day (Beijing date); ``open`` marks those it may file today."""
        return await challenges.challenge_periods(require_user(request), tender_id)

    @get("/challenges", operation_id="ListChallenges", responses=problems(401, 403, 404))
    async def challenges(self, request: Request, tender_id: Id) -> list[ChallengeOut]:
        """The buyer sees every challenge; a bidder its own."""
        return await challenges.list_challenges(require_user(request), tender_id)


class BidResultController(Controller):
    path = "/bids/{bid_id:int}"
    tags = [N_("评审与定标")]

    @get("/result", operation_id="GetMyResult", responses=problems(401, 403, 404))
    async def result(self, request: Request, bid_id: Id) -> MyResultOut:
        """结果通知: the bidder's own scores and rank after the result notice."""
        return await awards.my_result(require_user(request), bid_id)


class AwardController(Controller):
    path = "/awards"
    tags = [N_("评审与定标")]

    @get(
        "/{award_id:int}/letter",
        operation_id="GetAwardLetter",
        media_type="application/pdf",
        responses=problems(401, 403, 404, 409),
    )
    async def letter(self, request: Request, award_id: Id) -> Response[bytes]:
        """中标（成交）通知书 as a PDF, for the winner and the buyer."""
        name, data = await documents.award_letter_pdf(require_user(request), award_id)
        return pdf_response(name, data, inline=False, request=request)

    @post(
        "/{award_id:int}/refusal",
        operation_id="RecordWinnerRefusal",
        status_code=HTTP_200_OK,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def refusal(self, request: Request, award_id: Id, data: JSONBody[WinnerRefusalIn]) -> WinnerRefusalOut:
        """The winner refused (in writing) or failed within 30 days to sign: this lot's award is
        revoked and awarded to the next-ranked qualified bidder with a new award letter, or the
        lot fails when none is left; a result-change notice is published (rule 28)."""
        return await refusals.record_winner_refusal(require_user(request), award_id, data)


class ChallengeController(Controller):
    path = "/challenges"
    tags = [N_("评审与定标")]

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
